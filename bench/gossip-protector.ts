/**
 * What our PSK protector costs: two libp2p hosts in one process over loopback TCP, with the
 * protector (ChaCha20-Poly1305 records under noise) against the same stack without it. Measures
 * one-way throughput of 1 MiB messages, sequential round trips of 64 B, and the time to dial (TCP +
 * protector + noise + yamux). Checks every echoed byte.
 *
 * Run: node bench/gossip-protector.ts [--mb 200 --rtts 3000 --dials 50]
 */
import { execSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpus } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { createHost } from '../lib/gossip/libp2p/host.ts'
import { numberArg } from './args.ts'

const MB = numberArg('mb', 200)
const RTTS = numberArg('rtts', 3000)
const DIALS = numberArg('dials', 50)
const SINK = '/bench/sink/1.0.0'
const ECHO = '/bench/echo/1.0.0'

interface Row {
  readonly target: string
  readonly mbPerS: number
  readonly rttP50Us: number
  readonly rttP99Us: number
  readonly dialP50Ms: number
}

const pct = (xs: number[], q: number): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))] ?? NaN

async function measure(target: string, psk: Uint8Array | undefined): Promise<Row> {
  const mk = async () =>
    createHost({ privateKey: await generateKeyPair('Ed25519'), listen: { host: '127.0.0.1', port: 0 }, psk })
  const a = await mk()
  const b = await mk()
  try {
    let received = 0
    await b.handle(
      SINK,
      async (stream: Stream) => {
        const lp = lpStream(stream, { maxDataLength: 2 << 20 })
        try {
          for (;;) received += (await lp.read()).byteLength
        } catch {
          // sender closed
        }
        await stream.close().catch(() => {})
      },
      { maxInboundStreams: 64 },
    )
    await b.handle(
      ECHO,
      async (stream: Stream) => {
        const lp = lpStream(stream)
        try {
          for (;;) await lp.write(await lp.read())
        } catch {
          // sender closed
        }
        await stream.close().catch(() => {})
      },
      { maxInboundStreams: 64 },
    )
    const addr = b.getMultiaddrs()[0]
    if (addr === undefined) throw new Error('no address')
    const signal = (): AbortSignal => AbortSignal.timeout(60_000)

    const sink = lpStream(await a.dialProtocol(addr, SINK, { signal: signal() }), { maxDataLength: 2 << 20 })
    const chunk = randomBytes(1 << 20)
    const t0 = performance.now()
    for (let i = 0; i < MB; i++) await sink.write(chunk, { signal: signal() })
    while (received < MB * (1 << 20)) await new Promise((r) => setTimeout(r, 1))
    const mbPerS = MB / ((performance.now() - t0) / 1000)

    const echoStream = await a.dialProtocol(addr, ECHO, { signal: signal() })
    const echo = lpStream(echoStream)
    const small = randomBytes(64)
    const rtts: number[] = []
    for (let i = 0; i < RTTS; i++) {
      const s = performance.now()
      await echo.write(small)
      const back = await echo.read()
      rtts.push((performance.now() - s) * 1000)
      if (!Buffer.from(back.subarray()).equals(small)) throw new Error('echo differs')
    }
    await echoStream.close()

    const dials: number[] = []
    for (let i = 0; i < DIALS; i++) {
      await a.hangUp(b.peerId)
      const s = performance.now()
      await a.dial(addr, { signal: signal() })
      dials.push(performance.now() - s)
    }
    return { target, mbPerS, rttP50Us: pct(rtts, 0.5), rttP99Us: pct(rtts, 0.99), dialP50Ms: pct(dials, 0.5) }
  } finally {
    await a.stop()
    await b.stop()
  }
}

const commit = execSync('git rev-parse --short HEAD').toString().trim()
console.log(
  `gossip-protector commit=${commit} node=${process.version} cpus=${cpus().length} mb=${MB} rtts=${RTTS} dials=${DIALS}`,
)
const rows = [await measure('psk-protector', randomBytes(32)), await measure('no-protector', undefined)]
console.log('target          mb_per_s  rtt_p50_us  rtt_p99_us  dial_p50_ms')
for (const r of rows)
  console.log(
    `${r.target.padEnd(14)}  ${r.mbPerS.toFixed(1).padStart(8)}  ${r.rttP50Us.toFixed(0).padStart(10)}  ${r.rttP99Us.toFixed(0).padStart(10)}  ${r.dialP50Ms.toFixed(1).padStart(11)}`,
  )
const [p, n] = rows as [Row, Row]
console.log(
  `ratio psk-protector/no-protector  mb_per_s=${(p.mbPerS / n.mbPerS).toFixed(2)} rtt_p50=${(p.rttP50Us / n.rttP50Us).toFixed(2)} dial_p50=${(p.dialP50Ms / n.dialP50Ms).toFixed(2)}`,
)
process.exit(0)
