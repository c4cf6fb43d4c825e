// DNS over TCP under a trickle: 1,000 connections sending one byte every 4 s from 40 loopback
// addresses, 200 more from a single address, and junk (slow-tcp-attacker.ts, a child process), at
// the default limits. Real TCP queries on fresh connections are still answered, in < 100 ms.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { connect } from 'node:net'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { startFixture } from './fixture.ts'
import { framed, query } from './packets.ts'

const REAL_QUERIES = 24

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Time from connect to the answer of one query on a fresh connection from 127.0.0.1, or -1. */
function realQuery(port: number, id: number): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now()
    const sock = connect({ port, host: '127.0.0.1', localAddress: '127.0.0.1' })
    const timer = setTimeout(() => done(-1), 2000)
    let got = Buffer.alloc(0)
    const done = (ms: number): void => {
      clearTimeout(timer)
      sock.destroy()
      resolve(ms)
    }
    sock.on('error', () => done(-1))
    sock.on('close', () => done(-1))
    sock.on('connect', () => sock.write(framed(query('www.example.test', 1, id))))
    sock.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d])
      if (got.length >= 4 && got.length >= got.readUInt16BE(0) + 2 && got.readUInt16BE(2) === id)
        done(performance.now() - t0)
    })
  })
}

test('1,000 slow TCP connections and junk do not stop real TCP answers', { timeout: 60_000 }, async (t) => {
  const { server, port, registry } = await startFixture()
  t.after(() => server.close())
  const attacker = spawn(
    process.execPath,
    [join(import.meta.dirname, 'slow-tcp-attacker.ts'), String(port)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  t.after(async () => {
    if (attacker.exitCode === null && attacker.signalCode === null) {
      attacker.kill('SIGKILL')
      await once(attacker, 'exit')
    }
  })
  const ready = await Promise.race([
    once(attacker.stdout, 'data').then(() => true),
    sleep(20_000).then(() => false),
  ])
  assert.ok(ready, 'the attacker never opened all its connections')
  // Let the first round of message deadlines and reconnects pass.
  await sleep(6000)
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  const times: number[] = []
  for (let i = 0; i < REAL_QUERIES; i++) {
    times.push(await realQuery(port, 0x1000 + i))
    await sleep(250)
  }
  h.disable()
  const loop = `event-loop delay max ${(h.max / 1e6).toFixed(1)} ms`
  const text = await registry.metrics()
  const count = (reason: string): number =>
    Number(
      new RegExp(`dns_controller_dns_tcp_closed_total\\{reason="${reason}"\\} (\\d+)`).exec(text)?.[1] ?? 0,
    )
  const sorted = [...times].sort((a, b) => a - b)
  t.diagnostic(
    `answered ${times.filter((x) => x >= 0).length}/${times.length}, ` +
      `p50 ${sorted[sorted.length >> 1]?.toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms; closed: ` +
      ['message-timeout', 'idle', 'evicted', 'client-limit'].map((r) => `${r} ${count(r)}`).join(', ') +
      `; ${loop}`,
  )
  // Every query is answered; 100 ms is the bound for nine in ten. On a shared 2-core machine at
  // load 10+ this process is sometimes not scheduled for ~100 ms (its event-loop delay shows it,
  // attack or not), which no server can answer through.
  const all = `real queries (ms, -1 = no answer): ${times.map((x) => x.toFixed(1)).join(' ')}; ${loop}`
  assert.ok(
    times.every((ms) => ms >= 0 && ms < 1000),
    all,
  )
  assert.ok(times.filter((ms) => ms < 100).length >= Math.ceil(0.9 * times.length), all)
  // The limits did the work: trickles cut at their message deadline, room made by eviction.
  assert.ok(count('message-timeout') > 0, text)
  assert.ok(count('client-limit') > 0, text)
  assert.ok(count('evicted') > 0, text)
})
