/**
 * Gossip with real processes on loopback: one publisher and AGENTS agents (bench/gossip-peer.ts),
 * each its own Node process with its own libp2p host (TCP + PSK protector + noise + yamux).
 * Measures:
 *   - time from publish() until every agent holds the new version (goal < 1 s), over RUNS publishes;
 *   - RSS of every process (goal < 80 MB), against a bare Node process from the same run;
 *   - CPU per agent while idle (default 1 s anti-entropy) over IDLE seconds, from /proc/<pid>/stat
 *     (goal < 1 %), against the bare process.
 * Checks its answer: every agent must report exactly the published version.
 *
 * Node flags for the peers (default `--max-semi-space-size=1`: a 1 MB young generation instead of
 * V8's default saves ~15 MB RSS per process at no measurable cost here) come from --node-flags.
 *
 * With --compiled the peers run from JavaScript compiled by tsc (as a built image would) instead of
 * Node's TypeScript stripping, which costs ~17 MB RSS per process by itself.
 *
 * --liveness-ms N sets libp2p's connection-monitor interval (0 = off; default: the node's 30 s).
 *
 * Run: node bench/gossip-procs.ts [--agents 50 --runs 5 --records 100 --idle 20 --node-flags '...' --compiled --liveness-ms N]
 */
import { execSync, fork, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { generatePublisherKeyPem, parsePrivateKeyPem, signerFromPrivateKey } from '../lib/gossip/keys.ts'
import type { PeerArgs } from './gossip-peer.ts'
import { freePort } from '../lib/util/ports.ts'

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(`--${name}`)
  return i < 0 ? d : Number(process.argv[i + 1])
}
const AGENTS = arg('agents', 50)
const RUNS = arg('runs', 5)
const RECORDS = arg('records', 100)
const IDLE_S = arg('idle', 20)
const flagIdx = process.argv.indexOf('--node-flags')
const NODE_FLAGS = (flagIdx < 0 ? '--max-semi-space-size=1' : (process.argv[flagIdx + 1] ?? ''))
  .split(' ')
  .filter((f) => f !== '')
const COMPILED = process.argv.includes('--compiled')
const LIVENESS_MS = process.argv.includes('--liveness-ms') ? arg('liveness-ms', 30_000) : undefined
const SEED_AGENTS = 3 // like three control-plane nodes behind the seed Service
const CLK_TCK = 100

interface Proc {
  readonly child: ChildProcess
  readonly port: number
  readonly versions: Map<string, number>
}

/** The peer entry: the TypeScript source, or JavaScript compiled into .cache/ (under the repo, so
 * node_modules resolves). */
function peerEntry(): string {
  const root = new URL('..', import.meta.url).pathname
  if (!COMPILED) return join(root, 'bench/gossip-peer.ts')
  const out = join(root, '.cache/bench-dist')
  execSync(
    `node_modules/.bin/tsc bench/gossip-peer.ts --outDir ${out} --rootDir . --module nodenext --target es2024 ` +
      '--moduleResolution nodenext --rewriteRelativeImportExtensions --skipLibCheck --types node --strict',
    { cwd: root, stdio: 'inherit' },
  )
  return join(out, 'bench/gossip-peer.js')
}
let entry = ''

async function startPeer(a: PeerArgs): Promise<Proc> {
  const args: PeerArgs = LIVENESS_MS === undefined ? a : { ...a, livenessIntervalMs: LIVENESS_MS }
  const child = fork(entry, [JSON.stringify(args)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: NODE_FLAGS,
  })
  const p: Proc = { child, port: a.port, versions: new Map() }
  child.on('message', (raw) => {
    const m = raw as { type: string; version?: string; atMs?: number }
    if (m.type === 'version' && m.version !== undefined && m.atMs !== undefined && !p.versions.has(m.version))
      p.versions.set(m.version, m.atMs)
  })
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`peer on ${a.port} not ready in 60 s`)), 60_000)
    child.on('message', (m) => {
      if ((m as { type: string }).type === 'ready') {
        clearTimeout(t)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`peer on ${a.port} exited with ${code}`)))
  })
  return p
}

function request<T>(p: Proc, msg: unknown, reply: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${reply} from ${p.port}`)), 10_000)
    const on = (m: unknown): void => {
      const r = m as { type: string }
      if (r.type === reply || r.type === 'error') {
        clearTimeout(t)
        p.child.off('message', on)
        if (r.type === 'error') reject(new Error(JSON.stringify(r)))
        else resolve(r as T)
      }
    }
    p.child.on('message', on)
    p.child.send(msg as object)
  })
}

function cpuTicks(pid: number): number {
  // Fields after the command name (which may contain spaces): utime is the 14th field, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(rest[11]) + Number(rest[12])
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? 0) / 1024
}

/** From smaps_rollup: Pss (shared pages such as the node binary divided among the processes) and
 * Anonymous (memory private to the process: heaps, stacks; the rest of RSS is mapped files). */
function smapsMb(pid: number, field: 'Pss' | 'Anonymous'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))
  return Number(m?.[1] ?? 0) / 1024
}

const pct = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN
}
const fmt = (x: number, d = 1): string => x.toFixed(d)

async function main(): Promise<void> {
  const commit = execSync('git rev-parse --short HEAD').toString().trim()
  console.log(
    `gossip-procs commit=${commit} node=${process.version} cpus=${cpus().length} agents=${AGENTS} records=${RECORDS} runs=${RUNS} idle_s=${IDLE_S} node_flags="${NODE_FLAGS.join(' ')}" peer=${COMPILED ? 'compiled-js' : 'ts-source'} liveness_ms=${LIVENESS_MS ?? 'default'} loadavg_1m=${loadavg()[0]?.toFixed(1)}`,
  )
  entry = peerEntry()
  const pem = generatePublisherKeyPem()
  const key = parsePrivateKeyPem(pem.privatePem)
  if (typeof key === 'string') throw new Error(key)
  const trusted = Buffer.from(signerFromPrivateKey(key).publicKey).toString('hex')
  const secret = randomBytes(32).toString('hex')
  const procs: Proc[] = []
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  try {
    const t0 = Date.now()
    const publisher = await startPeer({
      secret,
      trusted,
      publisherKeyPem: pem.privatePem,
      port: await freePort(),
      seeds: [],
    })
    procs.push(publisher)
    const agents: Proc[] = []
    for (let i = 0; i < AGENTS; i += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, AGENTS - i) }, async (_, j) => {
          const seeds = [publisher.port, ...agents.slice(0, SEED_AGENTS).map((a) => a.port)]
          return startPeer({
            secret,
            trusted,
            port: await freePort(),
            seeds: i + j === 0 ? [publisher.port] : seeds,
          })
        }),
      )
      agents.push(...batch)
    }
    procs.push(...agents)
    console.log(`started ${procs.length} processes in ${fmt((Date.now() - t0) / 1000)} s`)

    const publishAndWait = async (tag: string): Promise<number> => {
      const started = Date.now()
      const { version } = await request<{ version: string }>(
        publisher,
        { type: 'publish', n: RECORDS, tag },
        'published',
      )
      const deadline = Date.now() + 30_000
      while (!agents.every((a) => a.versions.has(version))) {
        if (Date.now() > deadline) {
          const missing = agents.filter((a) => !a.versions.has(version))
          const peers = await Promise.all(
            missing.map((a) => request<{ peers: number }>(a, { type: 'stats' }, 'stats')),
          )
          throw new Error(
            `${missing.length} agents never got version ${version}; their peer counts: ${peers.map((p) => p.peers).join(',')}`,
          )
        }
        await new Promise((r) => setTimeout(r, 5))
      }
      return Math.max(...agents.map((a) => a.versions.get(version) ?? Infinity)) - started
    }
    // Every agent connected to someone before the clock starts (joins are slow while 51 processes boot).
    const joinDeadline = Date.now() + 120_000
    for (;;) {
      const peers = await Promise.all(
        agents.map((a) => request<{ peers: number }>(a, { type: 'stats' }, 'stats')),
      )
      const alone = peers.filter((p) => p.peers === 0).length
      if (alone === 0) break
      if (Date.now() > joinDeadline) throw new Error(`${alone} agents have no peer after 120 s`)
      await new Promise((r) => setTimeout(r, 500))
    }
    console.log(`every agent connected ${fmt((Date.now() - t0) / 1000)} s after the first start`)
    // Warm-up: the overlay forms and every agent pulls the first snapshot.
    console.log(`warm-up publish reached all ${AGENTS} agents in ${await publishAndWait('warmup')} ms`)
    await new Promise((r) => setTimeout(r, 3000))
    const times: number[] = []
    for (let r = 0; r < RUNS; r++) {
      times.push(await publishAndWait(`run${r}`))
      await new Promise((res) => setTimeout(res, 1000))
    }

    console.log(
      `load average before the idle window: ${loadavg()[0]?.toFixed(1)} (2 cores shared with other work)`,
    )
    const pids = agents.map((a) => a.child.pid ?? 0)
    const bareBefore = cpuTicks(bare.pid ?? 0)
    const before = pids.map(cpuTicks)
    const pubBefore = cpuTicks(publisher.child.pid ?? 0)
    await new Promise((r) => setTimeout(r, IDLE_S * 1000))
    const cpuPct = pids.map((pid, i) => ((cpuTicks(pid) - (before[i] ?? 0)) / CLK_TCK / IDLE_S) * 100)
    const pubCpu = ((cpuTicks(publisher.child.pid ?? 0) - pubBefore) / CLK_TCK / IDLE_S) * 100
    const bareCpu = ((cpuTicks(bare.pid ?? 0) - bareBefore) / CLK_TCK / IDLE_S) * 100
    const rss = pids.map(rssMb)
    const pss = pids.map((pid) => smapsMb(pid, 'Pss'))
    const anon = pids.map((pid) => smapsMb(pid, 'Anonymous'))
    const pubRss = rssMb(publisher.child.pid ?? 0)
    const bareRss = rssMb(bare.pid ?? 0)
    const peers = await Promise.all(
      agents.map((a) => request<{ peers: number }>(a, { type: 'stats' }, 'stats')),
    )
    const peerCounts = peers.map((p) => p.peers)

    console.log(
      'target              p50_ms  p99_ms  max_ms  rss_mb(p50/max)  idle_cpu_pct(p50/max)  peers(min/max)',
    )
    console.log(
      `publish→all ${AGENTS}     ${fmt(pct(times, 0.5), 0).padStart(6)}  ${fmt(pct(times, 0.99), 0).padStart(6)}  ${fmt(Math.max(...times), 0).padStart(6)}` +
        `  ${fmt(pct(rss, 0.5))}/${fmt(Math.max(...rss))}`.padEnd(19) +
        `  ${fmt(pct(cpuPct, 0.5), 2)}/${fmt(Math.max(...cpuPct), 2)}`.padEnd(23) +
        `  ${Math.min(...peerCounts)}/${Math.max(...peerCounts)}`,
    )
    console.log(`publisher           rss_mb=${fmt(pubRss)} idle_cpu_pct=${fmt(pubCpu, 2)}`)
    console.log(`bare node           rss_mb=${fmt(bareRss)} idle_cpu_pct=${fmt(bareCpu, 2)}`)
    console.log(
      `agent pss_mb        p50=${fmt(pct(pss, 0.5))} max=${fmt(Math.max(...pss))} (shared pages split among processes)`,
    )
    console.log(
      `agent anon_mb       p50=${fmt(pct(anon, 0.5))} max=${fmt(Math.max(...anon))} (private; the rest of RSS is mapped files, mostly the node binary)`,
    )
    console.log(`bare node anon_mb   ${fmt(smapsMb(bare.pid ?? 0, 'Anonymous'))}`)
    console.log(
      `ratio agent/bare    rss=${fmt(pct(rss, 0.5) / bareRss, 2)} (p50 agent RSS over a bare Node process)`,
    )
    console.log(`publish times (ms)  ${times.join(' ')}`)
    const ok = Math.max(...times) < 1000 && Math.max(...rss) < 80 && Math.max(...cpuPct) < 1
    console.log(`goals (<1 s to all, <80 MB RSS, <1 % idle CPU): ${ok ? 'met' : 'NOT met'}`)
  } finally {
    bare.kill()
    // Graceful stop first (profiles and logs flush), then the hard way.
    await Promise.all(
      procs.map(
        (p) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              p.child.kill('SIGKILL')
              resolve()
            }, 5000)
            p.child.once('exit', () => {
              clearTimeout(t)
              resolve()
            })
            if (p.child.connected) p.child.send({ type: 'stop' })
            else p.child.kill()
          }),
      ),
    )
  }
}

await main()
