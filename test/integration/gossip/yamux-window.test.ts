/**
 * The lazy yamux window update (lib/gossip/libp2p/yamux-window.ts): a receiver of small frames does
 * not answer each one, and a sender of large ones still gets the window back. Two real hosts talk
 * through a counting TCP relay on loopback, so the bytes are the ones on the wire.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'
import type { AddressInfo, Server, Socket } from 'node:net'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { StreamState } from '@libp2p/yamux/stream'
import { createHost } from '../../../lib/gossip/libp2p/host.ts'
import { windowUpdateDue } from '../../../lib/gossip/libp2p/yamux-window.ts'

const SINK = '/test/sink/1.0.0'
const WINDOW = 256 * 1024

test('a window update is due outside the steady state or once half the window is used', () => {
  const established = { state: StreamState.Established, recvWindow: WINDOW }
  assert.equal(windowUpdateDue({ ...established, recvWindowCapacity: WINDOW - 100 }), false)
  assert.equal(windowUpdateDue({ ...established, recvWindowCapacity: WINDOW / 2 + 1 }), false)
  assert.equal(windowUpdateDue({ ...established, recvWindowCapacity: WINDOW / 2 }), true)
  assert.equal(windowUpdateDue({ ...established, recvWindowCapacity: 0 }), true)
  for (const state of [StreamState.Init, StreamState.SYNReceived, StreamState.Paused])
    assert.equal(windowUpdateDue({ state, recvWindow: WINDOW, recvWindowCapacity: WINDOW - 1 }), true)
})

/** A TCP relay to `port` that counts the bytes flowing back from it (receiver → sender). */
async function relay(port: number): Promise<{ server: Server; port: number; back: () => number }> {
  let back = 0
  const sockets: Socket[] = []
  const server = createServer((inbound) => {
    const outbound = connect(port, '127.0.0.1')
    sockets.push(inbound, outbound)
    inbound.pipe(outbound)
    outbound.on('data', (d: Buffer) => {
      back += d.byteLength
      inbound.write(d)
    })
    const end = (): void => {
      inbound.destroy()
      outbound.destroy()
    }
    inbound.on('error', end).on('close', end)
    outbound.on('error', end).on('close', end)
  })
  server.on('close', () => sockets.forEach((s) => s.destroy()))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, port: (server.address() as AddressInfo).port, back: () => back }
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 10))
  }
}

test('small frames get no window update each; large ones still flow', async (t) => {
  const psk = randomBytes(32)
  const [sender, receiver] = await Promise.all(
    [0, 1].map(async () =>
      createHost({
        privateKey: await generateKeyPair('Ed25519'),
        listen: { host: '127.0.0.1', port: 0 },
        psk,
      }),
    ),
  )
  assert.ok(sender !== undefined && receiver !== undefined)
  t.after(async () => {
    await Promise.all([sender.stop(), receiver.stop()])
  })
  let frames = 0
  let bytes = 0
  await receiver.handle(SINK, async (stream: Stream) => {
    const lp = lpStream(stream, { maxDataLength: 1 << 20 })
    try {
      for (;;) {
        const f = await lp.read()
        frames++
        bytes += f.byteLength
      }
    } catch {
      // the sender closed its side
    }
    await stream.close().catch(() => {})
  })
  const addr = receiver.getMultiaddrs()[0]
  assert.ok(addr !== undefined)
  const r = await relay(Number(addr.getComponents().find((c) => c.name === 'tcp')?.value))
  t.after(() => new Promise<void>((resolve) => r.server.close(() => resolve())))

  const stream = await sender.dialProtocol(multiaddr(`/ip4/127.0.0.1/tcp/${r.port}`), SINK, {
    signal: AbortSignal.timeout(5000),
  })
  const lp = lpStream(stream, { maxDataLength: 1 << 20 })
  await lp.write(new Uint8Array(100))
  await until(() => frames === 1, 5000)
  await new Promise((r) => setTimeout(r, 100)) // the stream's own set-up frames settle
  const backBefore = r.back()

  // 200 frames of 100 bytes: 20 KB, far under half the 256 KB window.
  for (let i = 0; i < 200; i++) await lp.write(new Uint8Array(100))
  await until(() => frames === 201, 5000)
  await new Promise((r) => setTimeout(r, 200))
  // Unpatched yamux answered every data frame: 200 window updates of ~50 bytes on this network.
  assert.equal(r.back() - backBefore, 0, 'the receiver sent bytes back for small frames')

  // 4 MB in 64 KB frames needs the window back ~30 times: it still arrives whole.
  const big = new Uint8Array(64 * 1024)
  for (let i = 0; i < 64; i++) await lp.write(big, { signal: AbortSignal.timeout(10_000) })
  await until(() => frames === 201 + 64, 10_000)
  assert.equal(bytes, 201 * 100 + 64 * big.byteLength)
  assert.ok(r.back() - backBefore > 0, 'window updates came back for the large frames')
  await stream.close()
})
