/**
 * The chart against a real kube-apiserver (test harness): kubeconform -strict with schemas made
 * from that server's own OpenAPI document, then `helm install` for real (every object created),
 * `helm upgrade` keeping the generated keys, the pod templates admitted as Pods, and the RBAC
 * checked with SubjectAccessReviews.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { startKube } from '../../harness/kube.ts'
import type { KubeCluster } from '../../harness/kube.ts'
import {
  CHART_DIR,
  COMBINATIONS,
  at,
  helmTemplate,
  render,
  runTool,
  toolsMissing,
  valueArgs,
} from './helm.ts'
import type { K8sObject } from './helm.ts'
import { ACCESS } from './rbac-cases.ts'
import { writeSchemas } from './schemas.ts'

const skip = toolsMissing('helm', 'kubeconform', 'etcd', 'kube-apiserver')
const STEP_MS = 120_000

/** Lets the ServiceMonitor of the chart be created: the CRD with an open schema. */
const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    scope: 'Namespaced',
    names: {
      kind: 'ServiceMonitor',
      plural: 'servicemonitors',
      singular: 'servicemonitor',
      listKind: 'ServiceMonitorList',
    },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
}

const WITH_MONITOR = ['metrics.serviceMonitor.enabled=true']

describe('chart: kubeconform and a real kube-apiserver', { skip, timeout: 10 * 60_000 }, () => {
  let kube: KubeCluster
  let dir: string
  let schemaLocation: string

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dnsc-chart-'))
    kube = await startKube()
    const openapi = await kube.request('GET', '/openapi/v2')
    assert.equal(openapi.status, 200)
    schemaLocation = await writeSchemas(openapi.body, join(dir, 'schemas'))
    const crd = await kube.request(
      'POST',
      '/apis/apiextensions.k8s.io/v1/customresourcedefinitions',
      SERVICE_MONITOR_CRD,
    )
    assert.equal(crd.status, 201, JSON.stringify(crd.body))
  })
  after(async () => {
    await kube?.stop()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  async function kubeconform(yaml: string, name: string): Promise<{ code: number; out: string }> {
    const file = join(dir, `${name}.yaml`)
    await writeFile(file, yaml)
    const res = await runTool('kubeconform', [
      '-strict',
      '-summary',
      '-skip',
      'ServiceMonitor',
      '-schema-location',
      schemaLocation,
      file,
    ])
    return { code: res.code, out: res.stdout + res.stderr }
  }

  COMBINATIONS.forEach((combo, i) => {
    it(`kubeconform -strict accepts every object: ${combo.name}`, { timeout: STEP_MS }, async () => {
      const { yaml, objects } = await render({
        ...combo.input,
        set: [...(combo.input.set ?? []), ...WITH_MONITOR],
      })
      const res = await kubeconform(yaml, `combo-${i}`)
      assert.equal(res.code, 0, res.out)
      const checked = objects.filter((o) => o.kind !== 'ServiceMonitor').length
      assert.match(res.out, new RegExp(`Valid: ${checked}, Invalid: 0, Errors: 0, Skipped: 1`))
    })
  })

  it(
    'kubeconform rejects a wrongly typed and an unknown field (the schemas are strict)',
    { timeout: STEP_MS },
    async () => {
      const { yaml } = await render({})
      const bad = yaml
        .replace('replicas: 2', 'replicas: "2"')
        .replace('publishNotReadyAddresses: true', 'publishNotReadyAddresses: true\n  notAField: 1')
      const res = await kubeconform(bad, 'bad')
      assert.notEqual(res.code, 0)
      assert.match(res.out, /Deployment \S+ is invalid/)
      assert.match(res.out, /notAField/)
    },
  )

  async function helm(args: readonly string[]): Promise<string> {
    const res = await runTool('helm', [...args, '--kubeconfig', kube.kubeconfigPath], STEP_MS)
    assert.equal(res.code, 0, `helm ${args.join(' ')}:\n${res.stdout}${res.stderr}`)
    // The API server warns about deprecated fields and labels; the chart uses none.
    assert.doesNotMatch(res.stderr, /Warning/, res.stderr)
    return res.stdout
  }

  async function get(path: string): Promise<K8sObject> {
    const res = await kube.request('GET', path)
    assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(res.body)}`)
    return res.body as K8sObject
  }

  COMBINATIONS.forEach((combo, i) => {
    it(`helm install creates every object: ${combo.name}`, { timeout: STEP_MS }, async () => {
      const ns = `dns-${i}`
      const release = `r${i}`
      const input = {
        ...combo.input,
        namespace: ns,
        release,
        set: [...(combo.input.set ?? []), ...WITH_MONITOR],
      }
      const notes = await helm([
        'install',
        release,
        CHART_DIR,
        '-n',
        ns,
        '--create-namespace',
        ...valueArgs(input),
      ])
      const { objects } = await render(input)
      for (const o of objects) {
        const path = apiPath(o, ns)
        const res = await kube.request('GET', path)
        assert.equal(res.status, 200, `${o.kind} ${o.metadata.name} was not created (${path})`)
      }
      // NOTES and install output never carry key material.
      assert.doesNotMatch(notes, /BEGIN [A-Z ]*PRIVATE KEY|gossip\.psk:/)
      const gossip = await kube.request(
        'GET',
        `/api/v1/namespaces/${ns}/secrets/${release}-dns-controller-gossip`,
      )
      if (gossip.status === 200) {
        const psk = Buffer.from(
          String((at(gossip.body, 'data') as Record<string, string>)['gossip.psk']),
          'base64',
        )
        assert.ok(!notes.includes(psk.toString('utf8')), 'NOTES print the gossip key')
      }
    })
  })

  it('helm upgrade keeps the generated keys and does not roll the pods', { timeout: STEP_MS }, async () => {
    const base = '/api/v1/namespaces/dns-0'
    const before = {
      gossip: at(await get(`${base}/secrets/r0-dns-controller-gossip`), 'data'),
      publisher: at(await get(`${base}/secrets/r0-dns-controller-publisher`), 'data'),
      trust: at(await get(`${base}/configmaps/r0-dns-controller-trust`), 'data'),
      checksum: checksumOf(await get('/apis/apps/v1/namespaces/dns-0/daemonsets/r0-dns-controller-agent')),
    }
    await helm(['upgrade', 'r0', CHART_DIR, '-n', 'dns-0', '--reuse-values', '--set', 'agent.dns.port=1054'])
    // Generated material is worked out per render and never stored as a user value.
    const stored = await helm(['get', 'values', 'r0', '-n', 'dns-0', '-o', 'json'])
    assert.deepEqual(JSON.parse(stored), {
      agent: { dns: { port: 1054 } },
      metrics: { serviceMonitor: { enabled: true } },
    })
    assert.deepEqual(at(await get(`${base}/secrets/r0-dns-controller-gossip`), 'data'), before.gossip)
    assert.deepEqual(at(await get(`${base}/secrets/r0-dns-controller-publisher`), 'data'), before.publisher)
    assert.deepEqual(at(await get(`${base}/configmaps/r0-dns-controller-trust`), 'data'), before.trust)
    const ds = await get('/apis/apps/v1/namespaces/dns-0/daemonsets/r0-dns-controller-agent')
    assert.equal(checksumOf(ds), before.checksum)
    assert.match(JSON.stringify(ds), /--dns-listen=\$\(POD_IP\):1054/)
  })

  it('the pod templates are admitted as Pods', { timeout: STEP_MS }, async () => {
    for (const path of [
      '/apis/apps/v1/namespaces/dns-0/deployments/r0-dns-controller-controller',
      '/apis/apps/v1/namespaces/dns-0/daemonsets/r0-dns-controller-agent',
      '/apis/apps/v1/namespaces/dns-1/deployments/r1-dns-controller-controller',
      '/apis/apps/v1/namespaces/dns-1/daemonsets/r1-dns-controller-agent',
    ]) {
      const w = await get(path)
      const ns = String(w.metadata.namespace)
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          generateName: `${w.metadata.name}-`,
          namespace: ns,
          labels: at(w, 'spec.template.metadata.labels'),
        },
        spec: at(w, 'spec.template.spec'),
      }
      const res = await kube.request('POST', `/api/v1/namespaces/${ns}/pods`, pod)
      assert.equal(res.status, 201, `${path}: ${JSON.stringify(res.body)}`)
    }
  })

  it(
    'Pod Security: the controller passes "restricted", the agent needs "privileged"',
    { timeout: STEP_MS },
    async () => {
      const cases = [
        { workload: 'deployments/r0-dns-controller-controller', level: 'restricted', admitted: true },
        { workload: 'daemonsets/r0-dns-controller-agent', level: 'baseline', admitted: false },
        { workload: 'daemonsets/r0-dns-controller-agent', level: 'privileged', admitted: true },
      ]
      for (const c of cases) {
        const ns = `pss-${c.level}`
        if ((await kube.request('GET', `/api/v1/namespaces/${ns}`)).status === 404) {
          const labels = { 'pod-security.kubernetes.io/enforce': c.level }
          const res = await kube.request('POST', '/api/v1/namespaces', { metadata: { name: ns, labels } })
          assert.equal(res.status, 201, JSON.stringify(res.body))
        }
        const w = await get(`/apis/apps/v1/namespaces/dns-0/${c.workload}`)
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { generateName: 'p-' },
          spec: at(w, 'spec.template.spec'),
        }
        const res = await kube.request('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, pod)
        assert.equal(
          res.status === 201,
          c.admitted,
          `${c.workload} in ${c.level}: ${JSON.stringify(res.body)}`,
        )
      }
    },
  )

  for (const c of ACCESS) {
    it(`RBAC: ${c.name}`, { timeout: STEP_MS }, async () => {
      const [ns, sa] = c.user.split(':')
      const review = () =>
        kube.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SubjectAccessReview',
          spec: {
            user: `system:serviceaccount:${ns}:${sa}`,
            groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
            resourceAttributes: {
              verb: c.verb,
              resource: c.resource,
              group: c.group ?? '',
              ...(c.namespace === undefined ? {} : { namespace: c.namespace }),
            },
          },
        })
      // The authorizer follows new (Cluster)RoleBindings through a watch: give a grant a moment
      // to show up. A denial needs no wait: grants converge first, in the table's order.
      const deadline = Date.now() + 10_000
      let res = await review()
      while (c.allowed && at(res.body, 'status.allowed') !== true && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200))
        res = await review()
      }
      assert.equal(res.status, 201, JSON.stringify(res.body))
      assert.equal(at(res.body, 'status.allowed') === true, c.allowed, JSON.stringify(res.body))
    })
  }

  it(
    'helm template output matches what install created (no cluster-only branches left out)',
    { timeout: STEP_MS },
    async () => {
      const res = await helmTemplate({ namespace: 'dns-0', release: 'r0', set: WITH_MONITOR })
      assert.equal(res.code, 0, res.stderr)
      const installed = await runTool('helm', [
        'get',
        'manifest',
        'r0',
        '-n',
        'dns-0',
        '--kubeconfig',
        kube.kubeconfigPath,
      ])
      const kinds = (text: string): string[] =>
        [...text.matchAll(/^kind: (\w+)/gm)].map((m) => m[1] ?? '').sort()
      assert.deepEqual(kinds(installed.stdout), kinds(res.stdout))
    },
  )
})

const PLURAL: Readonly<Record<string, string>> = {
  Deployment: 'deployments',
  DaemonSet: 'daemonsets',
  Service: 'services',
  ServiceAccount: 'serviceaccounts',
  Secret: 'secrets',
  ConfigMap: 'configmaps',
  Role: 'roles',
  RoleBinding: 'rolebindings',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  PodDisruptionBudget: 'poddisruptionbudgets',
  ServiceMonitor: 'servicemonitors',
}

function apiPath(o: K8sObject, releaseNs: string): string {
  const plural = PLURAL[o.kind]
  if (plural === undefined) throw new Error(`no path for kind ${o.kind}`)
  const prefix = o.apiVersion.includes('/') ? `/apis/${o.apiVersion}` : `/api/${o.apiVersion}`
  const cluster = o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding'
  const ns = o.metadata.namespace ?? releaseNs
  return cluster
    ? `${prefix}/${plural}/${o.metadata.name}`
    : `${prefix}/namespaces/${ns}/${plural}/${o.metadata.name}`
}

function checksumOf(workload: K8sObject): unknown {
  return (at(workload, 'spec.template.metadata.annotations') as Record<string, unknown>)['checksum/material']
}
