/**
 * Issue 3 with the real product on loopback: AGENTS `dns-controller agent` processes run from the
 * production bundle (scripts/build.ts, built once into .cache/bench-bundle) with the Helm chart's
 * node flags (`agent.nodeFlags` in charts/dns-controller/values.yaml), and one publisher
 * (bench/gossip-peer.ts, driven over IPC). Agents seed at the publisher and the first three agents
 * (like three control-plane nodes behind the seed Service). Measures:
 *   - time from publish until every agent has applied the new version (goal < 1 s), over RUNS
 *     publishes, from the timestamps of the agents' own `replica applied` log lines;
 *   - RSS, private (anonymous) memory and PSS of every agent (goal < 80 MB RSS), against a bare
 *     Node process from the same run;
 *   - CPU per agent while idle over IDLE seconds, SETTLE seconds after the last publish, from
 *     /proc/<pid>/stat (goal < 1 %).
 * Checks its answer: every agent must log exactly the published version with RECORDS records, and
 * serve it at /state at the end.
 *
 * Run: node bench/gossip-procs.ts [--agents 50 --runs 5 --records 100 --idle 20 --settle 10 --mix 0 --seed-agents 3 --node-flags '...' --bundle DIR]
 * (--node-flags replaces the chart's list; '' = V8 defaults. --bundle runs a bundle built before,
 * `node scripts/build.ts DIR --no-sea` at another commit, instead of this checkout's: A/B runs).
 */
import { execFileSync, fork, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { createPublicKey, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { generatePublisherKeyPem, publisherIdOf } from '../lib/gossip/keys.ts'
import { freePorts } from '../lib/util/ports.ts'
import { bundle } from '../scripts/build.ts'
import { chartAgent } from './chart-agent.ts'
import type { PeerArgs } from './gossip-peer.ts'
import { numberArg } from './args.ts'
import { agentArgs } from '../test/helpers/agent-args.ts'

const ROOT = new URL('..', import.meta.url).pathname
const AGENTS = numberArg('agents', 50)
const RUNS = numberArg('runs', 5)
const RECORDS = numberArg('records', 100)
const IDLE_S = numberArg('idle', 20)
// Idle means steady state: the last publish's after-work (persist, hosts write, V8's memory
// reducer GC a few seconds later) is over before the CPU window opens.
const SETTLE_S = numberArg('settle', 10)
const MIX_S = numberArg('mix', 0)
const flagIdx = process.argv.indexOf('--node-flags')
const bundleIdx = process.argv.indexOf('--bundle')
const PREBUILT = bundleIdx < 0 ? undefined : process.argv[bundleIdx + 1]
const chart = chartAgent()
// The chart's env for the agent; UV_THREADPOOL_SIZE in the caller's environment wins.
const THREADPOOL = process.env['UV_THREADPOOL_SIZE'] ?? String(chart.threadpoolSize ?? '')
const NODE_FLAGS =
  flagIdx < 0 ? chart.nodeFlags : (process.argv[flagIdx + 1] ?? '').split(' ').filter((f) => f !== '')
// Agents that also serve as seeds (besides the publisher). The chart seeds every agent from the
// controllers' Service only (agent.seeds.fromService), so 0 mirrors it; 3 mimics kOps' control-plane seeds.
const SEED_AGENTS = numberArg('seed-agents', 3)
const CLK_TCK = 100
const ZONE = 'bench.local'

interface Applied {
  readonly version: string
  readonly records: number
  readonly publishers: number
}
interface Agent {
  readonly child: ChildProcess
  readonly gossipPort: number
  readonly metricsPort: number
  /** version → ms of the first `replica applied` line naming it (the agent's own clock). */
  readonly seen: Map<string, number>
  last?: Applied
  /** Last stderr lines, for error messages. */
  readonly tail: string[]
  exited?: string
}

/** `key=value` fields of a log line; quoted values are JSON strings (lib/util/log.ts). */
function fields(s: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const m of s.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const [, k = '', v = ''] = m
    out[k] = v.startsWith('"') ? (JSON.parse(v) as string) : v
  }
  return out
}

/** Every agent process started, ready or not: the finally block stops them all. */
const spawned: Agent[] = []

function startAgent(entry: string, dir: string, ports: number[], seeds: readonly number[]): Promise<Agent> {
  const [gossipPort = 0, dnsPort = 0, metricsPort = 0] = ports
  const own = join(dir, `agent-${gossipPort}`)
  mkdirSync(own)
  writeFileSync(join(own, 'hosts'), '127.0.0.1 localhost\n')
  const args = agentArgs({ keys: dir, own, gossipPort, dnsPort, metricsPort, seeds, zone: ZONE })
  const child = spawn(process.execPath, [...NODE_FLAGS, entry, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: THREADPOOL === '' ? process.env : { ...process.env, UV_THREADPOOL_SIZE: THREADPOOL },
  })
  const a: Agent = { child, gossipPort, metricsPort, seen: new Map(), tail: [] }
  spawned.push(a)
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`agent ${gossipPort} not running in 60 s`)), 60_000)
    child.once('exit', (code, signal) => {
      a.exited = `exited with ${code ?? signal}: ${a.tail.join(' | ')}`
      clearTimeout(t)
      reject(new Error(`agent ${gossipPort} ${a.exited}`))
    })
    createInterface({ input: child.stderr! }).on('line', (line) => {
      a.tail.push(line)
      if (a.tail.length > 5) a.tail.shift()
      const m = /^(\S+) I agent\/agent: replica applied (.*)$/.exec(line)
      if (m) {
        const f = fields(m[2] ?? '')
        const version = f['versions'] ?? ''
        a.last = { version, records: Number(f['records']), publishers: Number(f['publishers']) }
        if (!a.seen.has(version)) a.seen.set(version, Date.parse(m[1] ?? ''))
      } else if (line.includes(' I agent: agent running ')) {
        clearTimeout(t)
        resolve(a)
      }
    })
  })
}

interface Publisher {
  readonly child: ChildProcess
  readonly versions: Map<string, number>
}

async function startPublisher(a: PeerArgs): Promise<Publisher> {
  // TS source with V8 defaults: the publisher is the harness here, not what is measured.
  const child = fork(join(ROOT, 'bench/gossip-peer.ts'), [JSON.stringify(a)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const p: Publisher = { child, versions: new Map() }
  child.on('message', (raw) => {
    const m = raw as { type: string; version?: string; atMs?: number }
    if (m.type === 'version' && m.version !== undefined && m.atMs !== undefined && !p.versions.has(m.version))
      p.versions.set(m.version, m.atMs)
  })
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('publisher not ready in 60 s')), 60_000)
    child.on('message', (m) => {
      if ((m as { type: string }).type === 'ready') {
        clearTimeout(t)
        resolve()
      }
    })
    child.once('exit', (code) => reject(new Error(`publisher exited with ${code}`)))
  })
  return p
}

function publish(p: Publisher, tag: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no reply to publish in 10 s')), 10_000)
    const on = (m: unknown): void => {
      const r = m as { type: string; version?: string }
      if (r.type !== 'published' && r.type !== 'error') return
      clearTimeout(t)
      p.child.off('message', on)
      if (r.type === 'published' && r.version !== undefined) resolve(r.version)
      else reject(new Error(JSON.stringify(r)))
    }
    p.child.on('message', on)
    p.child.send({ type: 'publish', n: RECORDS, tag })
  })
}

async function state(
  a: Agent,
): Promise<{ peers: number; records: unknown[]; publishers: { version: string }[] }> {
  // A pooled keep-alive connection the agent closes as it is reused fails with ECONNRESET (seen at
  // load 30-50): ask again on a fresh one, a few times.
  let res: Response | undefined
  for (let attempt = 1; res === undefined; attempt++) {
    try {
      res = await fetch(`http://127.0.0.1:${a.metricsPort}/state`)
    } catch (err) {
      if (attempt >= 3) throw err
    }
  }
  if (!res.ok) throw new Error(`agent ${a.gossipPort} /state: ${res.status}`)
  return (await res.json()) as { peers: number; records: unknown[]; publishers: { version: string }[] }
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
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function main(): Promise<void> {
  // Under the repo, so the bundle's few external requires resolve from node_modules.
  const out = PREBUILT ?? join(ROOT, '.cache/bench-bundle')
  if (PREBUILT === undefined) await bundle(out)
  const entry = join(out, 'dns-controller.js')
  // The commit the agents run: stamped into the bundle at build time (`--version`).
  const commit =
    /\(commit (\w+)\)/.exec(execFileSync(process.execPath, [entry, '--version']).toString())?.[1] ?? 'unknown'
  console.log(
    `gossip-procs commit=${commit} node=${process.version} cpus=${cpus().length} agents=${AGENTS} records=${RECORDS} runs=${RUNS} idle_s=${IDLE_S} settle_s=${SETTLE_S} mix_s=${MIX_S} seed_agents=${SEED_AGENTS} agent=bundle node_flags="${NODE_FLAGS.join(' ')}"${flagIdx < 0 ? ' (chart)' : ''} uv_threadpool_size=${THREADPOOL || 'default'} loadavg_1m=${loadavg()[0]?.toFixed(1)}`,
  )

  const dir = mkdtempSync(join(tmpdir(), 'gossip-procs-'))
  const pem = generatePublisherKeyPem()
  const secret = randomBytes(32).toString('hex')
  // Written as keygen writes them: the agent derives the PSK from the trimmed file text with the
  // same derivePsk the publisher uses on `secret`.
  writeFileSync(join(dir, 'gossip.psk'), `${secret}\n`, { mode: 0o600 })
  writeFileSync(join(dir, 'publisher.pub'), pem.publicPem)
  const trusted = publisherIdOf(createPublicKey(pem.publicPem))

  const agents: Agent[] = []
  let publisher: Publisher | undefined
  const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  try {
    const t0 = Date.now()
    const ports = await freePorts(1 + 3 * AGENTS)
    const pubPort = ports[0] ?? 0
    publisher = await startPublisher({
      secret,
      trusted,
      publisherKeyPem: pem.privatePem,
      port: pubPort,
      seeds: [],
    })
    for (let i = 0; i < AGENTS; i += 10) {
      const seeds = [pubPort, ...agents.slice(0, SEED_AGENTS).map((a) => a.gossipPort)]
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, AGENTS - i) }, (_, j) =>
          startAgent(
            entry,
            dir,
            ports.slice(1 + 3 * (i + j), 4 + 3 * (i + j)),
            i + j === 0 ? [pubPort] : seeds,
          ),
        ),
      )
      agents.push(...batch)
    }
    console.log(`started ${AGENTS + 1} processes in ${fmt((Date.now() - t0) / 1000)} s`)
    const alive = (): void => {
      const dead = agents.find((a) => a.exited !== undefined)
      if (dead) throw new Error(`agent ${dead.gossipPort} ${dead.exited}`)
    }

    // Every agent connected to someone before the clock starts.
    for (const deadline = Date.now() + 120_000; ; await sleep(500)) {
      alive()
      const alone = (await Promise.all(agents.map(state))).filter((s) => s.peers === 0).length
      if (alone === 0) break
      if (Date.now() > deadline) throw new Error(`${alone} agents have no peer after 120 s`)
    }
    console.log(`every agent connected ${fmt((Date.now() - t0) / 1000)} s after the first start`)
    // Let the overlay mix (connection rotation runs every 30 s) before measuring, if asked.
    if (MIX_S > 0) await sleep(MIX_S * 1000)

    const pub = publisher
    let lastVersion = ''
    const publishAndWait = async (tag: string): Promise<number> => {
      const version = await publish(pub, tag)
      lastVersion = version
      for (const deadline = Date.now() + 30_000; ; await sleep(5)) {
        alive()
        if (pub.versions.has(version) && agents.every((a) => a.seen.has(version))) break
        if (Date.now() > deadline) {
          const missing = agents.filter((a) => !a.seen.has(version))
          throw new Error(
            `${missing.length} agents never applied version ${version}; they hold: ${missing.map((a) => a.last?.version ?? 'nothing').join(',')}`,
          )
        }
      }
      // Exactly the published version, from the one publisher, with every record.
      const wrong = agents.filter(
        (a) => a.last?.version !== version || a.last.publishers !== 1 || a.last.records !== RECORDS,
      )
      if (wrong.length > 0)
        throw new Error(
          `published ${version}; ${wrong.length} agents applied ${JSON.stringify(wrong[0]?.last)}`,
        )
      return (
        Math.max(...agents.map((a) => a.seen.get(version) ?? Infinity)) - (pub.versions.get(version) ?? 0)
      )
    }
    console.log(`warm-up publish reached all ${AGENTS} agents in ${await publishAndWait('warmup')} ms`)
    await sleep(3000)
    const times: number[] = []
    for (let r = 0; r < RUNS; r++) {
      times.push(await publishAndWait(`run${r}`))
      await sleep(1000)
    }

    await sleep(SETTLE_S * 1000)
    console.log(
      `load average before the idle window (${SETTLE_S} s after the last publish): ${loadavg()[0]?.toFixed(1)}`,
    )
    const pids = agents.map((a) => a.child.pid ?? 0)
    const pubPid = pub.child.pid ?? 0
    const bareBefore = cpuTicks(bare.pid ?? 0)
    const before = pids.map(cpuTicks)
    const pubBefore = cpuTicks(pubPid)
    await sleep(IDLE_S * 1000)
    const cpuPct = pids.map((pid, i) => ((cpuTicks(pid) - (before[i] ?? 0)) / CLK_TCK / IDLE_S) * 100)
    const pubCpu = ((cpuTicks(pubPid) - pubBefore) / CLK_TCK / IDLE_S) * 100
    const bareCpu = ((cpuTicks(bare.pid ?? 0) - bareBefore) / CLK_TCK / IDLE_S) * 100
    const rss = pids.map(rssMb)
    const pss = pids.map((pid) => smapsMb(pid, 'Pss'))
    const anon = pids.map((pid) => smapsMb(pid, 'Anonymous'))
    const bareRss = rssMb(bare.pid ?? 0)
    alive()
    const states = await Promise.all(agents.map(state))
    const stale = states.filter(
      (s) =>
        s.publishers.length !== 1 || s.publishers[0]?.version !== lastVersion || s.records.length !== RECORDS,
    )
    if (stale.length > 0) throw new Error(`${stale.length} agents do not serve ${lastVersion} at /state`)
    const peerCounts = states.map((s) => s.peers)

    console.log(
      'target              p50_ms  p99_ms  max_ms  rss_mb(p50/max)  idle_cpu_pct(p50/max)  peers(min/max)',
    )
    console.log(
      `publish→all ${AGENTS}`.padEnd(18) +
        `${fmt(pct(times, 0.5), 0).padStart(8)}  ${fmt(pct(times, 0.99), 0).padStart(6)}  ${fmt(Math.max(...times), 0).padStart(6)}` +
        `  ${fmt(pct(rss, 0.5))}/${fmt(Math.max(...rss))}`.padEnd(19) +
        `  ${fmt(pct(cpuPct, 0.5), 2)}/${fmt(Math.max(...cpuPct), 2)}`.padEnd(23) +
        `  ${Math.min(...peerCounts)}/${Math.max(...peerCounts)}`,
    )
    console.log(`publisher (ts)      rss_mb=${fmt(rssMb(pubPid))} idle_cpu_pct=${fmt(pubCpu, 2)}`)
    console.log(`bare node           rss_mb=${fmt(bareRss)} idle_cpu_pct=${fmt(bareCpu, 2)}`)
    console.log(
      `agent pss_mb        p50=${fmt(pct(pss, 0.5))} max=${fmt(Math.max(...pss))} (shared pages split among processes)`,
    )
    console.log(
      `agent anon_mb       p50=${fmt(pct(anon, 0.5))} max=${fmt(Math.max(...anon))} (private; the rest of RSS is mapped files, mostly the node binary)`,
    )
    console.log(`bare node anon_mb   ${fmt(smapsMb(bare.pid ?? 0, 'Anonymous'))}`)
    // The agents that are also seeds take the start-up join storm; the chart's agents are not seeds.
    const others = rss.slice(SEED_AGENTS)
    console.log(
      `agent rss_mb by role seed agents max=${SEED_AGENTS === 0 ? 'none' : fmt(Math.max(...rss.slice(0, SEED_AGENTS)))}` +
        ` others p50=${fmt(pct(others, 0.5))} max=${fmt(Math.max(...others))}`,
    )
    console.log(
      `ratio agent/bare    rss=${fmt(pct(rss, 0.5) / bareRss, 2)} (p50 agent RSS over a bare Node process)`,
    )
    console.log(`publish times (ms)  ${times.join(' ')}`)
    const ok = Math.max(...times) < 1000 && Math.max(...rss) < 80 && Math.max(...cpuPct) < 1
    console.log(`goals (<1 s to all, <80 MB RSS, <1 % idle CPU): ${ok ? 'met' : 'NOT met'}`)
  } finally {
    bare.kill()
    const children = [...spawned.map((a) => a.child), ...(publisher === undefined ? [] : [publisher.child])]
    // Graceful stop first (SIGTERM; the publisher over IPC), then the hard way.
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            const t = setTimeout(() => {
              child.kill('SIGKILL')
              resolve()
            }, 5000)
            child.once('exit', () => {
              clearTimeout(t)
              resolve()
            })
            if (child.connected) child.send({ type: 'stop' })
            else child.kill('SIGTERM')
          }),
      ),
    )
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
