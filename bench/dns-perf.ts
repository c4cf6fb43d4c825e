// DNS serving benchmark: dnsperf against our DNS server, dnsmasq and CoreDNS serving the same
// names, in one run. Each server is pinned to CPU 1 (taskset; CoreDNS also GOMAXPROCS=1), dnsperf
// to CPU 0. Per target: saturation QPS (10 clients, 100 outstanding), then p50/p99 at a fixed
// 20k QPS (from dnsperf -v per-query latencies). Answers are checked with dig first. On a shared
// machine QPS depends on the neighbours; qps_per_cpu_s (queries completed per CPU-second the
// server used, from /proc/<pid>/stat) is the steadier per-core figure.
// Also runs bench/udp-echo.ts (a Node dgram server doing no DNS work) as node-udp-echo: the ceiling
// any pure-Node DNS server has on this core, printed against dnsmasq and CoreDNS.
//   node bench/dns-perf.ts            env: BENCH_NAMES (1000) BENCH_SECONDS (8) BENCH_QPS (20000)
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { cpus, homedir, tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { chartAgent } from './chart-agent.ts'
import { address, hostsFile, queryFile, zoneFile, BENCH_ZONE } from './dns-data.ts'

const NAMES = Number(process.env['BENCH_NAMES'] ?? 1000)
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8)
const FIXED_QPS = Number(process.env['BENCH_QPS'] ?? 20000)
const COREDNS = join(
  process.env['DNSC_TESTBIN'] ?? join(homedir(), '.cache/dns-controller/testbin'),
  'bin/coredns',
)
const dir = mkdtempSync(join(tmpdir(), 'dns-perf-'))
// Our server runs with the node flags the chart gives the agent (agent.nodeFlags).
const AGENT_NODE_FLAGS = chartAgent().nodeFlags

interface Target {
  readonly name: string
  readonly port: number
  /** Not a DNS server (the Node UDP echo): answers are not checked. */
  readonly echo?: boolean
  start(): ChildProcess
}

writeFileSync(join(dir, 'hosts'), hostsFile(NAMES))
writeFileSync(join(dir, 'db.bench'), zoneFile(NAMES))
writeFileSync(join(dir, 'queries.txt'), queryFile(NAMES))
writeFileSync(
  join(dir, 'Corefile'),
  `${BENCH_ZONE}.:5603 {\n  bind 127.0.0.1\n  file ${join(dir, 'db.bench')} {\n    reload 0\n  }\n}\n`,
)

const targets: Target[] = [
  {
    name: 'dns-controller',
    port: 5601,
    start: () =>
      spawn(
        'taskset',
        [
          '-c',
          '1',
          process.execPath,
          ...AGENT_NODE_FLAGS,
          join(import.meta.dirname, 'dns-server.ts'),
          '5601',
          String(NAMES),
        ],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      ),
  },
  {
    // Node's own UDP ceiling on this machine: a dgram server doing no DNS work at all.
    name: 'node-udp-echo',
    port: 5604,
    echo: true,
    start: () =>
      spawn('taskset', ['-c', '1', process.execPath, join(import.meta.dirname, 'udp-echo.ts'), '5604'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
  },
  {
    name: 'dnsmasq',
    port: 5602,
    start: () =>
      spawn(
        'taskset',
        [
          '-c',
          '1',
          'dnsmasq',
          '--keep-in-foreground',
          '--conf-file=/dev/null',
          '--port=5602',
          '--listen-address=127.0.0.1',
          '--bind-interfaces',
          '--no-resolv',
          '--no-hosts',
          `--addn-hosts=${join(dir, 'hosts')}`,
          '--local-ttl=60',
          `--local=/${BENCH_ZONE}/`,
          '--cache-size=10000',
          '--pid-file=',
          '--user=root',
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      ),
  },
  {
    name: 'coredns',
    port: 5603,
    start: () =>
      spawn('taskset', ['-c', '1', COREDNS, '-conf', join(dir, 'Corefile'), '-quiet'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, GOMAXPROCS: '1' },
      }),
  },
]

function dig(port: number, name: string, type: string): string {
  return execFileSync(
    'dig',
    ['@127.0.0.1', '-p', String(port), '+norec', '+tries=3', '+time=1', name, type],
    {
      encoding: 'utf8',
    },
  )
}

async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      if (/status: NOERROR/.test(dig(port, `host-1.${BENCH_ZONE}`, 'A'))) return
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`server on ${port} never answered`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

/** A benchmark that checks its answer: a hit, a miss and a NODATA. */
function check(t: Target): void {
  const i = Math.floor(NAMES / 2)
  const hit = dig(t.port, `host-${i}.${BENCH_ZONE}`, 'A')
  if (
    !new RegExp(
      `host-${i}\\.${BENCH_ZONE}\\.\\s+\\d+\\s+IN\\s+A\\s+${address(i).replace(/\./g, '\\.')}`,
    ).test(hit)
  )
    throw new Error(`${t.name}: wrong answer for host-${i}:\n${hit}`)
  if (!/status: NXDOMAIN/.test(dig(t.port, `missing-1.${BENCH_ZONE}`, 'A')))
    throw new Error(`${t.name}: miss not NXDOMAIN`)
  if (!/status: NOERROR[\s\S]*ANSWER: 0/.test(dig(t.port, `host-1.${BENCH_ZONE}`, 'AAAA')))
    throw new Error(`${t.name}: AAAA not NODATA`)
}

function dnsperf(port: number, extra: string[]): string {
  return execFileSync(
    'taskset',
    [
      '-c',
      '0',
      'dnsperf',
      '-s',
      '127.0.0.1',
      '-p',
      String(port),
      '-d',
      join(dir, 'queries.txt'),
      '-l',
      String(SECONDS),
      ...extra,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 30 },
  )
}

function rssMb(pid: number | undefined): number {
  // taskset execs the server, so the child's pid is the server's.
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return Number(m?.[1] ?? 0) / 1024
}

/** CPU seconds (user + system, all threads) the process has used so far. */
function cpuSeconds(pid: number | undefined): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
  return (Number(fields[11]) + Number(fields[12])) / 100
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

interface Row {
  target: string
  qps: number
  lostPct: number
  p50Ms: number
  p99Ms: number
  rssMb: number
  /** Queries per CPU-second of the server: its throughput per core, whatever else the machine runs. */
  qpsPerCore: number
}

async function measure(t: Target): Promise<Row> {
  const child = t.start()
  try {
    if (t.echo === true) {
      if (child.stdout !== null) await once(child.stdout, 'data') // "ready"
    } else {
      await waitReady(t.port)
      check(t)
    }
    dnsperf(t.port, ['-c', '10', '-q', '100', '-l', '2']) // warm-up
    const cpu0 = cpuSeconds(child.pid)
    const sat = dnsperf(t.port, ['-c', '10', '-q', '100'])
    const cpu = cpuSeconds(child.pid) - cpu0
    const qps = Number(/Queries per second:\s+([\d.]+)/.exec(sat)?.[1] ?? NaN)
    const completed = Number(/Queries completed:\s+(\d+)/.exec(sat)?.[1] ?? NaN)
    const lostPct = Number(/Queries lost:\s+\d+ \(([\d.]+)%\)/.exec(sat)?.[1] ?? NaN)
    const fixed = dnsperf(t.port, ['-c', '10', '-q', '100', '-Q', String(FIXED_QPS), '-v'])
    const lat = Float64Array.from(
      [...fixed.matchAll(/^> \S+ \S+ \S+ ([\d.]+)$/gm)].map((m) => Number(m[1]) * 1000),
    ).sort()
    return {
      target: t.name,
      qps,
      lostPct,
      p50Ms: percentile(lat, 50),
      p99Ms: percentile(lat, 99),
      rssMb: rssMb(child.pid),
      qpsPerCore: completed / cpu,
    }
  } finally {
    child.kill('SIGTERM')
    await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 2000))])
    child.kill('SIGKILL')
  }
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
console.log(
  `dns-perf commit=${commit} node=${process.version} cpus=${cpus().length} names=${NAMES} seconds=${SECONDS} ` +
    `fixed_qps=${FIXED_QPS} our_node_flags="${AGENT_NODE_FLAGS.join(' ')}" mix=70%A-hit/20%NXDOMAIN/10%NODATA servers-on-cpu=1 dnsperf-on-cpu=0`,
)
const rows: Row[] = []
try {
  for (const t of targets) {
    if (t.name === 'coredns' && !existsSync(COREDNS)) {
      console.log(`coredns: skipped, ${COREDNS} missing (npm run testbin)`)
      continue
    }
    rows.push(await measure(t))
    const r = rows.at(-1)!
    console.log(
      `${r.target.padEnd(15)} qps=${r.qps.toFixed(0).padStart(7)} qps_per_cpu_s=${r.qpsPerCore.toFixed(0).padStart(7)} lost=${r.lostPct}% ` +
        `p50_ms@${FIXED_QPS}=${r.p50Ms.toFixed(3)} p99_ms@${FIXED_QPS}=${r.p99Ms.toFixed(3)} rss_mb=${r.rssMb.toFixed(1)}`,
    )
  }
  const ratio = (a: Row, b: Row): string =>
    `ratio ${a.target}/${b.target}: qps=${(a.qps / b.qps).toFixed(2)} qps_per_cpu_s=${(a.qpsPerCore / b.qpsPerCore).toFixed(2)} p99=${(a.p99Ms / b.p99Ms).toFixed(2)} rss=${(a.rssMb / b.rssMb).toFixed(2)}`
  const ours = rows.find((r) => r.target === 'dns-controller')
  const echo = rows.find((r) => r.target === 'node-udp-echo')
  if (ours !== undefined) for (const base of rows.filter((r) => r !== ours)) console.log(ratio(ours, base))
  // How far Node itself is from the native servers, DNS work aside.
  if (echo !== undefined)
    for (const base of rows.filter((r) => r.target === 'dnsmasq' || r.target === 'coredns'))
      console.log(ratio(echo, base))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
