/**
 * Drives the real helm and kubeconform binaries (built by scripts/testbin.sh) on the chart in
 * charts/dns-controller. Helm's cache/config/data go to a temp dir: no repos, no network.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'
import { missingTestbin, testbinDir } from '../../harness/kube.ts'

export const CHART_DIR = resolve(import.meta.dirname, '../../../charts/dns-controller')

/**
 * Skip reason when a tool is missing, for a developer machine that has not run `npm run testbin`.
 * Under CI (CI set) a missing tool is a failure, not a skip: the chart checks must run there.
 */
export function toolsMissing(...tools: string[]): string | undefined {
  const reason = missingTestbin(...tools)
  if (reason !== undefined && process.env['CI'] !== undefined) throw new Error(reason)
  return reason
}

const helmHome = mkdtempSync(join(tmpdir(), 'dnsc-helm-'))

export interface RunResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export function runTool(tool: string, args: readonly string[], timeoutMs = 60_000): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    execFile(
      join(testbinDir(), tool),
      [...args],
      {
        timeout: timeoutMs,
        maxBuffer: 64 << 20,
        env: {
          PATH: process.env['PATH'] ?? '/usr/bin:/bin',
          HOME: helmHome,
          HELM_CACHE_HOME: join(helmHome, 'cache'),
          HELM_CONFIG_HOME: join(helmHome, 'config'),
          HELM_DATA_HOME: join(helmHome, 'data'),
        },
      },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1
        resolvePromise({ code, stdout, stderr })
      },
    )
  })
}

/** `--set`-style overrides as a flat list of `key=value`; `setFile` takes `key=path`. */
export interface RenderInput {
  readonly set?: readonly string[]
  readonly setString?: readonly string[]
  readonly setFile?: readonly string[]
  readonly namespace?: string
  readonly release?: string
}

export function valueArgs(input: RenderInput): string[] {
  return [
    ...(input.set ?? []).flatMap((s) => ['--set', s]),
    ...(input.setString ?? []).flatMap((s) => ['--set-string', s]),
    ...(input.setFile ?? []).flatMap((s) => ['--set-file', s]),
  ]
}

export async function helmTemplate(input: RenderInput): Promise<RunResult> {
  return runTool('helm', [
    'template',
    input.release ?? 'r',
    CHART_DIR,
    '--namespace',
    input.namespace ?? 'dns',
    ...valueArgs(input),
  ])
}

export interface K8sObject {
  readonly apiVersion: string
  readonly kind: string
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown }
  readonly [k: string]: unknown
}

/** Renders and parses; throws with helm's message when rendering fails. */
export async function render(input: RenderInput): Promise<{ yaml: string; objects: K8sObject[] }> {
  const res = await helmTemplate(input)
  if (res.code !== 0) throw new Error(`helm template failed:\n${res.stderr}`)
  const objects = parseAllDocuments(res.stdout)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null)
  return { yaml: res.stdout, objects }
}

export function find(objects: readonly K8sObject[], kind: string, nameSuffix: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name.endsWith(nameSuffix))
  if (o === undefined) throw new Error(`no ${kind} named *${nameSuffix}`)
  return o
}

/** A path into plain data, e.g. at(dep, 'spec.template.spec'); throws when absent. */
export function at(o: unknown, path: string): unknown {
  let cur: unknown = o
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') throw new Error(`${path}: no ${key}`)
    cur = (cur as Record<string, unknown>)[key]
  }
  return cur
}

export interface Container {
  readonly name: string
  readonly command?: readonly string[]
  readonly args: readonly string[]
  readonly env?: readonly { name: string; value?: string }[]
  readonly volumeMounts?: readonly { name: string; mountPath: string }[]
  readonly securityContext?: { capabilities?: { add?: readonly string[]; drop?: readonly string[] } }
}

export function podSpec(workload: K8sObject): Record<string, unknown> & {
  containers: readonly Container[]
  volumes?: readonly Record<string, unknown>[]
} {
  return at(workload, 'spec.template.spec') as ReturnType<typeof podSpec>
}

/** Named combinations of values the checks render (and kubeconform / the API server validate). */
export const COMBINATIONS: readonly { readonly name: string; readonly input: RenderInput }[] = [
  { name: 'defaults', input: {} },
  {
    name: 'kOps-like: hostNetwork controller, ingress, IPv6, port 53, secondary network',
    input: {
      set: [
        'controller.hostNetwork=true',
        'controller.watchIngress=true',
        'controller.apiServer.host=127.0.0.1',
        'controller.apiServer.port=443',
        'ipFamily=ipv6',
        'agent.dns.port=53',
        'agent.dns.upstreams[0]=[fd00::a]:53',
        'gossip.secondary.enabled=true',
        'controller.zones[0]=*/*',
        'controller.zones[1]=mycluster.k8s.local',
        'controller.clusterName=mycluster.k8s.local',
      ],
    },
  },
  {
    name: 'existing Secrets, static seeds only, no hosts file, no DNS',
    input: {
      set: [
        'gossip.existingSecret=my-gossip',
        'publisher.existingSecret=my-publisher',
        'agent.seeds.fromService=false',
        'agent.seeds.static[0]=10.0.0.10:3999',
        'agent.hostsFile.enabled=false',
        'agent.dns.enabled=false',
        'controller.replicas=1',
        'controller.controlPlaneOnly=false',
      ],
      setFile: [`publisher.publicKey=${join(import.meta.dirname, 'fixtures/publisher.pub')}`],
    },
  },
  {
    name: 'CoreDNS ConfigMap, fixed DNS address, local traffic, extra trusted key',
    input: {
      set: [
        'agent.dns.service.clusterIP=10.0.0.53',
        'agent.dns.service.internalTrafficPolicy=Local',
        'coredns.customConfigMap.enabled=true',
        'gossip.secret=a-secret-of-at-least-16-chars',
      ],
      setFile: [`trust.extraKeys[0]=${join(import.meta.dirname, 'fixtures/publisher.pub')}`],
    },
  },
]
