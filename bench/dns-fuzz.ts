// Fuzzing the DNS server at volume: 1,000,000 random and mutated packets (UDP and TCP, frames split
// at random points) at a server in a child process; no crash, RSS flat (sampled as it goes), and a
// valid query answered right after.
//   node bench/dns-fuzz.ts            env: FUZZ_PACKETS (1000000) FUZZ_SEED
import { execFileSync, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { seededRng } from '../lib/util/random.ts'
import { framed, fuzzPacket } from '../test/integration/dns/packets.ts'

const PACKETS = Number(process.env['FUZZ_PACKETS'] ?? 1_000_000)
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000)
const PORT = 5611

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
}

function digOk(): boolean {
  const out = execFileSync(
    'dig',
    ['@127.0.0.1', '-p', String(PORT), '+tries=2', '+time=2', 'api.internal.c.k8s.local', 'A'],
    {
      encoding: 'utf8',
    },
  )
  return /status: NOERROR/.test(out) && /10\.0\.0\.1/.test(out)
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
console.log(
  `dns-fuzz commit=${commit} node=${process.version} cpus=${cpus().length} packets=${PACKETS} seed=${SEED}`,
)
const child = spawn(process.execPath, [join(import.meta.dirname, 'dns-server.ts'), String(PORT), 'fixture'], {
  stdio: ['ignore', 'pipe', 'inherit'],
})
await once(child.stdout, 'data')
const pid = child.pid ?? 0
const rng = seededRng(SEED)
const samples: string[] = [`start=${rssMb(pid).toFixed(1)}`]
const udp = createSocket('udp4')
udp.on('message', () => {})
const t0 = performance.now()
let sent = 0
try {
  const half = PACKETS / 2
  for (let i = 0; i < half; i++) {
    udp.send(fuzzPacket(rng), PORT, '127.0.0.1')
    sent++
    if (i % 64 === 0) await new Promise((r) => setImmediate(r))
    if (i % (half / 4) === 0 && i > 0) samples.push(`udp${i}=${rssMb(pid).toFixed(1)}`)
  }
  // TCP: 100 connections, each a stream of frames cut at random points.
  for (let c = 0; c < 100; c++) {
    const sock = connect(PORT, '127.0.0.1')
    sock.on('data', () => {})
    sock.on('error', () => {})
    await once(sock, 'connect')
    for (let i = 0; i < half / 100; i++) {
      const f = framed(fuzzPacket(rng))
      const cut = rng.int(f.length)
      sock.write(f.subarray(0, cut))
      if (!sock.write(f.subarray(cut))) await once(sock, 'drain')
      sent++
    }
    sock.end()
    if (c % 25 === 24) samples.push(`tcp${(c + 1) * (half / 100)}=${rssMb(pid).toFixed(1)}`)
  }
  await new Promise((r) => setTimeout(r, 500))
  const alive = child.exitCode === null
  samples.push(`end=${rssMb(pid).toFixed(1)}`)
  const answered = alive && digOk()
  const secs = (performance.now() - t0) / 1000
  console.log(
    `sent=${sent} seconds=${secs.toFixed(1)} rate=${(sent / secs).toFixed(0)}/s server_alive=${alive} valid_query_answered=${answered}`,
  )
  console.log(`rss_mb ${samples.join(' ')}`)
  if (!alive || !answered) process.exitCode = 1
} finally {
  udp.close()
  child.kill('SIGTERM')
}
