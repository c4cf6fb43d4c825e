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
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import {
  derivePsk,
  generatePublisherKeyPem,
  generateSecret,
  parsePublicKeyPem,
  rawPublicKey,
} from '../lib/gossip/keys.ts'
import { createGossipNode } from '../lib/gossip/node.ts'
import type { GossipNode } from '../lib/gossip/node.ts'
import { systemClock } from '../lib/util/clock.ts'
import { randomRng } from '../lib/util/random.ts'
import { silentLogger } from '../lib/util/log.ts'
import { startKube } from '../test/harness/kube.ts'
import type { KubeCluster } from '../test/harness/kube.ts'
import { freePort } from '../lib/util/ports.ts'

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
  /** Publish through a gossip node to an agent node in this process; latency is measured there. */
  readonly gossip?: boolean
  /** List page size (default 500). */
  readonly pageSize?: number
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
      env: {
        ...process.env,
        ...(v.gossip === true && agent !== undefined ? { BENCH_GOSSIP: agent.childArgs } : {}),
      },
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
      const fqdn = `${name}.bench.local`
      const seen =
        v.gossip === true && agent !== undefined
          ? agent.seen(fqdn, 10_000)
          : child
              .next((m) => m.type === 'publish' && m.marks.includes(fqdn), 10_000)
              .then((m) => (m as { atMs: number }).atMs)
      const t0 = Date.now()
      await must(kube, 'POST', '/api/v1/namespaces/default/services', {
        metadata: { name, annotations: { [INTERNAL]: fqdn } },
        spec: { type: 'NodePort', ports: [{ port: 80 }] },
      })
      lat.push((await seen) - t0)
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
/** An agent's gossip node in this process: when did a name first appear in its verified replica? */
class Agent {
  readonly childArgs: string
  private readonly node: GossipNode
  private readonly firstSeen = new Map<string, number>()
  private waiters: (() => void)[] = []
  private constructor(node: GossipNode, childArgs: string) {
    this.node = node
    this.childArgs = childArgs
    node.subscribe((view) => {
      const now = Date.now()
      for (const r of view.records) if (!this.firstSeen.has(r.name)) this.firstSeen.set(r.name, now)
      for (const w of this.waiters.splice(0)) w()
    })
  }
  static async start(): Promise<Agent> {
    const secret = generateSecret()
    const pair = generatePublisherKeyPem()
    const pub = parsePublicKeyPem(pair.publicPem)
    if (typeof pub === 'string') throw new Error(pub)
    const [port, childPort] = [await freePort(), await freePort()]
    const node = createGossipNode(
      {
        primary: { listen: { host: '127.0.0.1', port }, seeds: [], psk: derivePsk(secret, 'gossip-secret') },
        privateKey: await generateKeyPair('Ed25519'),
        trustedPublishers: [rawPublicKey(pub)],
      },
      { clock: systemClock, rng: randomRng(), log: silentLogger, registry: new Registry() },
    )
    await node.start()
    return new Agent(
      node,
      JSON.stringify({ secret, keyPem: pair.privatePem, listenPort: childPort, seedPort: port }),
    )
  }
  async seen(name: string, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const at = this.firstSeen.get(name)
      if (at !== undefined) return at
      if (Date.now() > deadline) throw new Error(`agent: ${name} not seen in ${timeoutMs} ms`)
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100)
        this.waiters.push(() => (clearTimeout(t), r()))
      })
    }
  }
  stop(): Promise<void> {
    return this.node.stop()
  }
}

/** Node flags that trade a little CPU for memory (what the chart can set in NODE_OPTIONS). */
const TUNED = ['--max-semi-space-size=1', '--max-old-space-size=96']
let agent: Agent | undefined
const kube = await startKube({ startTimeoutMs: 180_000 })
try {
  console.log(
    `bench controller commit=${commit} node=${process.version} cpus=${availableParallelism()} pods=${PODS} services=${SERVICES} nodes=${NODES} annotated_pods=${ANNOTATED_PODS} annotated_services=${ANNOTATED_SERVICES} changes=${CHANGES} publisher=memory except gossip (targets: empty/loaded = compiled JS as in the image; ts-src = node on the .ts sources; tuned = compiled with NODE_OPTIONS ${TUNED.join(' ')}; gossip = compiled, publishing through a libp2p gossip node, latency measured at an agent node's replica) loadavg_1m=${loadavg()[0]?.toFixed(1)}`,
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
    { name: 'tuned', compiled: true, nodeFlags: TUNED },
    { name: 'loaded', compiled: true },
    { name: 'gossip', compiled: true, gossip: true },
    { name: 'gossip-tuned', compiled: true, gossip: true, nodeFlags: TUNED },
  ]) {
    if (v.gossip === true) agent ??= await Agent.start()
    rows.push(await measure(kube, v, want, CHANGES))
    want += CHANGES
  }
  const loaded = rows.find((r) => r.target === 'loaded') as Row
  console.log('target  records  first_publish_ms  rss_mb  heap_mb  max_rss_mb  p50_ms  p99_ms')
  for (const r of rows)
    console.log(
      `${r.target.padEnd(7)} ${String(r.records).padStart(7)}  ${String(r.firstPublishMs).padStart(16)}  ${r.rssMb.toFixed(1).padStart(6)}  ${r.heapMb.toFixed(1).padStart(7)}  ${r.maxRssMb.toFixed(1).padStart(10)}  ${String(r.p50Ms ?? '-').padStart(6)}  ${String(r.p99Ms ?? '-').padStart(6)}`,
    )
  console.log(
    `ratio loaded/empty first_publish=${(loaded.firstPublishMs / empty.firstPublishMs).toFixed(2)} rss=${(loaded.rssMb / empty.rssMb).toFixed(2)}`,
  )
  const ok = loaded.rssMb < 150 && loaded.firstPublishMs < 5000 && (loaded.p99Ms ?? 0) < 1000
  console.log(`loadavg_1m_end=${loadavg()[0]?.toFixed(1)}`)
  console.log(`goals rss<150MB first_publish<5s p99<1s: ${ok ? 'met' : 'NOT met'}`)
} finally {
  await agent?.stop()
  await kube.stop()
}
