/** Runs the chart's pods as local processes: volumes laid out as the kubelet would, flags kept. */
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { bundle } from '../../../scripts/build.ts'
import { at, find, podSpec } from './helm.ts'
import type { K8sObject } from './helm.ts'
import { freePort } from '../../../lib/util/ports.ts'
export { freePort }

export const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')

/** The image's program (Dockerfile ENTRYPOINT) and where the test's build of it lives. */
const IMAGE_ENTRY = '/app/dist/dns-controller.js'
let built: Promise<string> | undefined
function imageEntry(): Promise<string> {
  built ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsc-image-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    await bundle(dir)
    return join(dir, 'dns-controller.js')
  })()
  return built
}

/** The container's literal env entries (valueFrom ones are the kubelet's, and left out). */
export function podEnv(workload: K8sObject): Record<string, string> {
  const env = (podSpec(workload).containers[0]?.env ?? []).filter((e) => e.value !== undefined)
  return Object.fromEntries(env.map((e) => [e.name, e.value ?? '']))
}

/**
 * What the container runs, for spawn(NODE, ...): the chart's `command` (node flags) or the image's
 * entry point, with the program swapped for `npm run build`'s output in a temp dir, then `args`.
 */
export async function podCommand(workload: K8sObject, args: readonly string[]): Promise<string[]> {
  const command = podSpec(workload).containers[0]?.command ?? ['node', IMAGE_ENTRY]
  assert.equal(command[0], 'node', `command ${command.join(' ')}`)
  assert.equal(command.at(-1), IMAGE_ENTRY, `command ${command.join(' ')}`)
  return [...command.slice(1, -1), await imageEntry(), ...args]
}

export async function until(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 30_000,
): Promise<void> {
  const deadline = Date.now() + ms
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export function dataOf(o: K8sObject): Record<string, string> {
  return at(o, 'data') as Record<string, string>
}

interface Volume {
  readonly name: string
  readonly secret?: { secretName: string; items?: { key: string; path: string }[] }
  readonly configMap?: { name: string }
  readonly hostPath?: { path: string; type: string }
  readonly emptyDir?: unknown
}

/** Lays out each mounted volume under root as the kubelet would; returns the mount paths. */
export function materialise(root: string, objects: readonly K8sObject[], workload: K8sObject): string[] {
  const spec = podSpec(workload)
  const volumes = (spec.volumes ?? []) as unknown as Volume[]
  const mounts = spec.containers[0]?.volumeMounts ?? []
  for (const m of mounts) {
    const v = volumes.find((x) => x.name === m.name)
    assert.ok(v !== undefined, `mount ${m.name} has no volume`)
    const target = join(root, m.mountPath)
    if (v.secret !== undefined) {
      const secret = find(objects, 'Secret', v.secret.secretName)
      mkdirSync(target, { recursive: true })
      for (const item of v.secret.items ?? []) {
        const value = dataOf(secret)[item.key]
        assert.ok(value !== undefined, `Secret ${v.secret.secretName} lacks ${item.key}`)
        writeFileSync(join(target, item.path), Buffer.from(value, 'base64'), { mode: 0o400 })
      }
    } else if (v.configMap !== undefined) {
      mkdirSync(target, { recursive: true })
      for (const [k, value] of Object.entries(dataOf(find(objects, 'ConfigMap', v.configMap.name))))
        writeFileSync(join(target, k), value)
    } else if (v.hostPath?.type === 'File') {
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, '127.0.0.1\tlocalhost\n10.9.9.9\tseeded-by-the-provisioner\n')
    } else {
      mkdirSync(target, { recursive: true })
    }
  }
  return mounts.map((m) => m.mountPath)
}

/**
 * The chart's args with the given flags' values replaced (ports, seeds: what the kubelet and the
 * pod network would make of them) and every path under a mount moved under root.
 */
export function podArgs(
  workload: K8sObject,
  root: string,
  mountPaths: readonly string[],
  replace: Readonly<Record<string, string>>,
): string[] {
  const chartArgs = podSpec(workload).containers[0]?.args ?? []
  const args = chartArgs.map((arg) => {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg)
    if (m === null) return arg
    const [, flag = '', value = ''] = m
    const replaced = replace[flag]
    if (replaced !== undefined) return `--${flag}=${replaced}`
    const paths = value.split(',').map((p) => (mountPaths.some((mp) => p.startsWith(mp)) ? join(root, p) : p))
    return `--${flag}=${paths.join(',')}`
  })
  assert.ok(!args.some((a) => a.includes('$(')), `unexpanded variable in ${args.join(' ')}`)
  return args
}

/** A Secret's key, decoded. */
export function secretValue(objects: readonly K8sObject[], nameSuffix: string, key: string): string {
  return Buffer.from(dataOf(find(objects, 'Secret', nameSuffix))[key] ?? '', 'base64').toString()
}
