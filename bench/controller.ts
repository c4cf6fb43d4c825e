/**
 * Controller at scale on a real kube-apiserver: with PODS Pods and SERVICES Services (a few
 * percent annotated, as in a real cluster), the controller's RSS and time to first publish, then
 * the latency from an API create to the publish that contains it over CHANGES changes.
 * The baseline ("empty") is the same controller process on an empty cluster.
 *
 *   node bench/controller.ts            # PODS=10000 SERVICES=5000 CHANGES=50 NODES=20
 *
 * Goals: RSS < 150 MB, first publish < 5 s after start, change→publish p99 < 1 s. The publisher
 * here is in memory (gossip dissemination is measured by the gossip benchmarks).
 */
import { execFileSync, execSync, fork } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { startKube } from '../test/harness/kube.ts'
import type { KubeCluster } from '../test/harness/kube.ts'

const PODS = Number(process.env.PODS ?? 10_000)
const SERVICES = Number(process.env.SERVICES ?? 5_000)
const CHANGES = Number(process.env.CHANGES ?? 50)
const NODES = Number(process.env.NODES ?? 20)
const ANNOTATED_PODS = Math.round(PODS / 100)
const ANNOTATED_SERVICES = Math.round(SERVICES / 10)
const EXTERNAL = 'dns.alpha.kubernetes.io/external'
const INTERNAL = 'dns.alpha.kubernetes.io/internal'

type ChildMsg =
  | { type: 'publish'; atMs: number; sinceStartMs: number; records: number; marks: string[] }
  | { type: 'mem'; rssMb: number; heapMb: number; maxRssMb: number }

async function pool(n: number, width: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await job(next++)
    }),
  )
}

async function must(kube: KubeCluster, method: string, path: string, body?: unknown): Promise<void> {
  const res = await kube.request(method, path, body)
  if (res.status > 299)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`)
}

async function populate(kube: KubeCluster): Promise<void> {
  await pool(NODES, 8, async (i) => {
    await must(kube, 'POST', '/api/v1/nodes', { metadata: { name: `node-${i}` } })
    await must(kube, 'PATCH', `/api/v1/nodes/node-${i}/status`, {
      status: { addresses: [{ type: 'InternalIP', address: `10.20.${i >> 8}.${i & 255}` }] },
    })
  })
  await pool(PODS, 32, async (i) => {
    const annotated = i < ANNOTATED_PODS
    await must(kube, 'POST', '/api/v1/namespaces/default/pods', {
      metadata: {
        name: `pod-${i}`,
        labels: { app: `app-${i % 50}` },
        ...(annotated ? { annotations: { [INTERNAL]: `pod-${i}.bench.local` } } : {}),
      },
      spec: {
        nodeName: `node-${i % NODES}`,
        hostNetwork: annotated,
        containers: [{ name: 'app', image: 'registry.invalid/app:1', ports: [{ containerPort: 8080 }] }],
      },
    })
    if (annotated)
      await must(kube, 'PATCH', `/api/v1/namespaces/default/pods/pod-${i}/status`, {
        status: {
          phase: 'Running',
          podIP: `10.30.${i >> 8}.${i & 255}`,
          podIPs: [{ ip: `10.30.${i >> 8}.${i & 255}` }],
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      })
  })
  await pool(SERVICES, 32, async (i) => {
    const annotated = i < ANNOTATED_SERVICES
    await must(kube, 'POST', '/api/v1/namespaces/default/services', {
      metadata: {
        name: `svc-${i}`,
        ...(annotated ? { annotations: { [EXTERNAL]: `svc-${i}.bench.local` } } : {}),
      },
      spec: annotated
        ? { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] }
        : { ports: [{ port: 80 }], selector: { app: `app-${i % 50}` } },
    })
    if (annotated)
      await must(kube, 'PATCH', `/api/v1/namespaces/default/services/svc-${i}/status`, {
        status: { loadBalancer: { ingress: [{ ip: `10.40.${i >> 8}.${i & 255}` }] } },
      })
  })
}

/** How the controller process runs: from the TypeScript sources, or compiled as the image runs it. */
interface Variant {
  readonly name: string
  readonly compiled: boolean
  readonly nodeFlags?: readonly string[]
}

const ROOT = new URL('..', import.meta.url).pathname
let compiledEntry: string | undefined
function childEntry(compiled: boolean): string {
  if (!compiled) return join(ROOT, 'bench/controller-child.ts')
  if (compiledEntry === undefined) {
    const out = join(ROOT, '.cache/bench-dist')
    execSync(
      `node_modules/.bin/tsc bench/controller-child.ts --outDir ${out} --rootDir . --module nodenext --target es2024 ` +
        '--moduleResolution nodenext --rewriteRelativeImportExtensions --skipLibCheck --types node --strict',
      { cwd: ROOT, stdio: 'inherit' },
    )
    compiledEntry = join(out, 'bench/controller-child.js')
  }
  return compiledEntry
}

class Child {
  readonly proc: ChildProcess
  readonly publishes: (ChildMsg & { type: 'publish' })[] = []
  private waiters: ((m: ChildMsg) => void)[] = []
  readonly spawnedAt: number
  constructor(kubeconfig: string, v: Variant) {
    const entry = childEntry(v.compiled)
    this.spawnedAt = Date.now()
    this.proc = fork(entry, [kubeconfig], {
      execArgv: ['--expose-gc', ...(v.nodeFlags ?? [])],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.proc.on('message', (m: ChildMsg) => {
      if (m.type === 'publish') this.publishes.push(m)
      for (const w of this.waiters.splice(0)) w(m)
    })
  }
  next(pred: (m: ChildMsg) => boolean, timeoutMs: number): Promise<ChildMsg> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`child: no matching message in ${timeoutMs} ms`)),
        timeoutMs,
      )
      const wait = (m: ChildMsg): void => {
        if (pred(m)) {
          clearTimeout(t)
          resolve(m)
        } else this.waiters.push(wait)
      }
      this.waiters.push(wait)
    })
  }
  async mem(): Promise<ChildMsg & { type: 'mem' }> {
    const p = this.next((m) => m.type === 'mem', 10_000)
    this.proc.send({ type: 'mem' })
    return (await p) as ChildMsg & { type: 'mem' }
  }
  async stop(): Promise<void> {
    const exited = new Promise((r) => this.proc.once('exit', r))
    this.proc.send({ type: 'stop' })
    await exited
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

interface Row {
  target: string
  firstPublishMs: number
  records: number
  rssMb: number
  heapMb: number
  maxRssMb: number
  p50Ms?: number
  p99Ms?: number
}

async function measure(kube: KubeCluster, v: Variant, expected: number, changes: number): Promise<Row> {
  const target = v.name
  const child = new Child(kube.kubeconfigPath, v)
  try {
    const first = (await child.next((m) => m.type === 'publish', 120_000)) as ChildMsg & { type: 'publish' }
    if (first.records !== expected)
      throw new Error(`${target}: first publish has ${first.records} records, want ${expected}`)
    const mem = await child.mem()
    const lat: number[] = []
    for (let i = 0; i < changes; i++) {
      const name = `lat-${target.replace(/[^a-z0-9]/g, '')}-${i}`
      const seen = child.next((m) => m.type === 'publish' && m.marks.includes(`${name}.bench.local`), 10_000)
      const t0 = Date.now()
      await must(kube, 'POST', '/api/v1/namespaces/default/services', {
        metadata: { name, annotations: { [INTERNAL]: `${name}.bench.local` } },
        spec: { type: 'NodePort', ports: [{ port: 80 }] },
      })
      const p = (await seen) as ChildMsg & { type: 'publish' }
      lat.push(p.atMs - t0)
    }
    lat.sort((a, b) => a - b)
    const after = await child.mem()
    return {
      target,
      firstPublishMs: first.atMs - child.spawnedAt,
      records: first.records,
      rssMb: mem.rssMb,
      heapMb: mem.heapMb,
      maxRssMb: after.maxRssMb,
      ...(changes > 0 ? { p50Ms: pct(lat, 50), p99Ms: pct(lat, 99) } : {}),
    }
  } finally {
    await child.stop()
  }
}

const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
})()
const kube = await startKube({ startTimeoutMs: 180_000 })
try {
  console.log(
    `bench controller commit=${commit} node=${process.version} cpus=${availableParallelism()} pods=${PODS} services=${SERVICES} nodes=${NODES} annotated_pods=${ANNOTATED_PODS} annotated_services=${ANNOTATED_SERVICES} changes=${CHANGES} publisher=memory (targets: empty/loaded = compiled JS as in the image; ts-src = node on the .ts sources; semi1 = compiled with --max-semi-space-size=1)`,
  )
  const empty = await measure(kube, { name: 'empty', compiled: true }, 0, 0)
  const t0 = Date.now()
  await populate(kube)
  console.log(`populate_s=${((Date.now() - t0) / 1000).toFixed(1)}`)
  // Each target's change services (one name each) stay, so later targets start with more names.
  let want = ANNOTATED_PODS + ANNOTATED_SERVICES
  const rows = [empty]
  for (const v of [
    { name: 'ts-src', compiled: false },
    { name: 'semi1', compiled: true, nodeFlags: ['--max-semi-space-size=1'] },
    { name: 'loaded', compiled: true },
  ]) {
    rows.push(await measure(kube, v, want, CHANGES))
    want += CHANGES
  }
  const loaded = rows.at(-1) as Row
  console.log('target  records  first_publish_ms  rss_mb  heap_mb  max_rss_mb  p50_ms  p99_ms')
  for (const r of rows)
    console.log(
      `${r.target.padEnd(7)} ${String(r.records).padStart(7)}  ${String(r.firstPublishMs).padStart(16)}  ${r.rssMb.toFixed(1).padStart(6)}  ${r.heapMb.toFixed(1).padStart(7)}  ${r.maxRssMb.toFixed(1).padStart(10)}  ${String(r.p50Ms ?? '-').padStart(6)}  ${String(r.p99Ms ?? '-').padStart(6)}`,
    )
  console.log(
    `ratio loaded/empty first_publish=${(loaded.firstPublishMs / empty.firstPublishMs).toFixed(2)} rss=${(loaded.rssMb / empty.rssMb).toFixed(2)}`,
  )
  const ok = loaded.rssMb < 150 && loaded.firstPublishMs < 5000 && (loaded.p99Ms ?? 0) < 1000
  console.log(`goals rss<150MB first_publish<5s p99<1s: ${ok ? 'met' : 'NOT met'}`)
} finally {
  await kube.stop()
}
