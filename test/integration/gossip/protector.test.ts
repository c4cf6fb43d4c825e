/**
 * The PSK protector over real TCP on loopback: hosts with the same key talk; a host with another key,
 * or none, never completes a connection; garbage, tampering and huge messages never crash anything.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import { connect, createServer } from 'node:net'
import type { Socket } from 'node:net'
import type { Libp2p } from 'libp2p'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import type { Stream } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import { createHost } from '../../../lib/gossip/libp2p/host.ts'
import type { ProtectorRejectReason } from '../../../lib/gossip/libp2p/protector.ts'
import { HELLO_BYTES, MAGIC } from '../../../lib/gossip/libp2p/protector.ts'

const ECHO = '/test/echo/1.0.0'
const MB = 1 << 20

interface TestHost {
  readonly node: Libp2p
  readonly rejects: ProtectorRejectReason[]
  readonly port: number
}

async function host(
  t: { after: (fn: () => Promise<void>) => void },
  psk: Uint8Array | undefined,
): Promise<TestHost> {
  const rejects: ProtectorRejectReason[] = []
  const node = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    listen: { host: '127.0.0.1', port: 0 },
    psk,
    handshakeTimeoutMs: 2000,
    onProtectorReject: (reason) => rejects.push(reason),
  })
  t.after(async () => {
    await node.stop()
  })
  await node.handle(
    ECHO,
    async (stream: Stream) => {
      const lp = lpStream(stream, { maxDataLength: 4 * MB })
      try {
        for (;;) await lp.write(await lp.read())
      } catch {
        // the remote closed or reset: end our side too
      }
      await stream.close().catch(() => {})
    },
    { maxInboundStreams: 16 },
  )
  const addr = node.getMultiaddrs()[0]
  assert.ok(addr !== undefined)
  return { node, rejects, port: Number(addr.getComponents().find((c) => c.name === 'tcp')?.value) }
}

async function echo(from: Libp2p, to: Libp2p, payloads: readonly Uint8Array[]): Promise<void> {
  const addr = to.getMultiaddrs()[0]
  assert.ok(addr !== undefined)
  const stream = await from.dialProtocol(addr, ECHO, { signal: AbortSignal.timeout(5000) })
  const lp = lpStream(stream, { maxDataLength: 4 * MB })
  for (const p of payloads) {
    await lp.write(p, { signal: AbortSignal.timeout(10_000) })
    const back = await lp.read({ signal: AbortSignal.timeout(10_000) })
    assert.ok(Buffer.from(back.subarray()).equals(p), `echo of ${p.byteLength} bytes differs`)
  }
  await stream.close()
}

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
    s.on('error', reject)
  })
}

test('hosts with the same key connect and exchange data', { timeout: 30_000 }, async (t) => {
  const psk = randomBytes(32)
  const a = await host(t, psk)
  const b = await host(t, psk)
  await echo(a.node, b.node, [new Uint8Array([1, 2, 3]), randomBytes(100_000)])
  assert.deepEqual([...a.rejects, ...b.rejects], [])
})

test('a host with another key or no key never completes a connection', { timeout: 30_000 }, async (t) => {
  const a = await host(t, randomBytes(32))
  const other = await host(t, randomBytes(32))
  const open = await host(t, undefined)
  for (const dialer of [other, open]) {
    const addr = a.node.getMultiaddrs()[0]
    assert.ok(addr !== undefined)
    const started = Date.now()
    await assert.rejects(dialer.node.dial(addr, { signal: AbortSignal.timeout(5000) }))
    assert.ok(Date.now() - started < 4000, 'refused within the handshake timeout, not by the test deadline')
    assert.equal(a.node.getConnections().length, 0)
    assert.equal(dialer.node.getConnections().length, 0)
  }
  assert.ok(a.rejects.includes('wrong-key'), `rejects: ${a.rejects.join(',')}`)
  assert.ok(other.rejects.includes('wrong-key'))
  // The other direction: the protected host dials the open one.
  const openAddr = open.node.getMultiaddrs()[0]
  assert.ok(openAddr !== undefined)
  await assert.rejects(a.node.dial(openAddr, { signal: AbortSignal.timeout(5000) }))
  assert.equal(a.node.getConnections().length, 0)
})

test(
  '20 messages of 1 MB then small ones: every process and connection stays healthy',
  { timeout: 60_000 },
  async (t) => {
    // @libp2p/pnet's xsalsa20 crashed the process on exactly this pattern (an xsalsa20 keystream bug in that package).
    const psk = randomBytes(32)
    const a = await host(t, psk)
    const b = await host(t, psk)
    const big = Array.from({ length: 20 }, () => randomBytes(MB))
    const small = Array.from({ length: 200 }, (_, i) => randomBytes(1 + (i % 300)))
    await Promise.all([echo(a.node, b.node, big), echo(b.node, a.node, big)])
    await Promise.all([0, 1, 2, 3].map(() => echo(a.node, b.node, small)))
    assert.deepEqual([...a.rejects, ...b.rejects], [])
  },
)

test(
  'garbage, truncated handshakes and tampered records are refused and counted',
  { timeout: 30_000 },
  async (t) => {
    const psk = randomBytes(32)
    const a = await host(t, psk)
    const b = await host(t, psk)
    const garbage = [
      randomBytes(HELLO_BYTES),
      randomBytes(10),
      Buffer.concat([MAGIC, randomBytes(32), randomBytes(5000)]),
      Buffer.concat([MAGIC, randomBytes(32), Buffer.from([0xff, 0xff, 0xff, 0xff]), randomBytes(100)]),
    ]
    for (const bytes of garbage) {
      const s = await rawSocket(a.port)
      s.on('error', () => {})
      s.resume() // read what the host sends, or our side never sees its FIN
      s.write(bytes)
      if (bytes.byteLength < HELLO_BYTES) s.end()
      await new Promise<void>((resolve) => s.on('close', () => resolve()))
    }
    assert.ok(a.rejects.length >= garbage.length, `rejects: ${a.rejects.join(',')}`)

    // A proxy that flips one bit of the first data record after the handshake: the receiver must
    // detect it and close the connection, and both hosts keep working afterwards.
    let flipped = false
    const proxy = createServer((client) => {
      const upstream = connect(b.port, '127.0.0.1')
      let seen = 0
      client.on('data', (chunk: Buffer) => {
        seen += chunk.byteLength
        if (!flipped && seen > 2000) {
          chunk[chunk.byteLength - 1] = (chunk[chunk.byteLength - 1] ?? 0) ^ 1
          flipped = true
        }
        upstream.write(chunk)
      })
      upstream.on('data', (chunk: Buffer) => client.write(chunk))
      const close = (): void => {
        client.destroy()
        upstream.destroy()
      }
      client.on('error', close).on('close', close)
      upstream.on('error', close).on('close', close)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    t.after(() => new Promise<void>((resolve) => proxy.close(() => resolve())))
    const proxyPort = (proxy.address() as { port: number }).port
    const viaProxy = multiaddr(`/ip4/127.0.0.1/tcp/${proxyPort}/p2p/${b.node.peerId.toString()}`)
    const stream = await a.node.dialProtocol(viaProxy, ECHO, { signal: AbortSignal.timeout(5000) })
    const lp = lpStream(stream, { maxDataLength: 4 * MB })
    await assert.rejects(
      (async () => {
        for (let i = 0; i < 20; i++) {
          await lp.write(randomBytes(10_000), { signal: AbortSignal.timeout(5000) })
          await lp.read({ signal: AbortSignal.timeout(5000) })
        }
      })(),
    )
    assert.ok(flipped)
    assert.ok(b.rejects.includes('bad-record'), `rejects: ${b.rejects.join(',')}`)
    await echo(a.node, b.node, [randomBytes(1000)])
  },
)

test(
  'an independent client of the documented handshake is accepted; an oversized record is refused',
  { timeout: 30_000 },
  async (t) => {
    // Follows docs/PROTOCOL.md "Private-network handshake" with node:crypto only, so the doc and the
    // code cannot drift apart unnoticed.
    const psk = randomBytes(32)
    const a = await host(t, psk)
    const s = await rawSocket(a.port)
    s.on('error', () => {})
    const received: Buffer[] = []
    let closed = false
    s.on('data', (d: Buffer) => received.push(d))
    s.on('close', () => (closed = true))
    const readBytes = async (n: number): Promise<Buffer> => {
      for (;;) {
        const all = Buffer.concat(received)
        if (all.byteLength >= n) {
          received.length = 0
          if (all.byteLength > n) received.push(all.subarray(n))
          return all.subarray(0, n)
        }
        if (closed) throw new Error('closed')
        await new Promise((r) => setTimeout(r, 5))
      }
    }
    const ours = randomBytes(32)
    s.write(Buffer.concat([MAGIC, ours]))
    const hello = await readBytes(HELLO_BYTES)
    assert.deepEqual(hello.subarray(0, 8), Buffer.from('dnscpn/1'))
    const theirs = hello.subarray(8)
    const key = (from: Buffer, to: Buffer): Buffer =>
      Buffer.from(hkdfSync('sha256', psk, Buffer.concat([from, to]), 'dns-controller/pnet/v1 record key', 32))
    const seal = (k: Buffer, seq: number, plain: Buffer): Buffer => {
      const header = Buffer.alloc(4)
      header.writeUInt32BE(plain.byteLength + 16)
      const nonce = Buffer.alloc(12)
      nonce.writeBigUInt64BE(BigInt(seq), 4)
      const c = createCipheriv('chacha20-poly1305', k, nonce, { authTagLength: 16 })
      c.setAAD(header, { plaintextLength: plain.byteLength })
      return Buffer.concat([header, c.update(plain), c.final(), c.getAuthTag()])
    }
    s.write(seal(key(ours, theirs), 0, Buffer.from('dnscpn/1')))
    const confirm = await readBytes(4 + 8 + 16)
    const nonce0 = Buffer.alloc(12)
    const d = createDecipheriv('chacha20-poly1305', key(theirs, ours), nonce0, { authTagLength: 16 })
    d.setAAD(confirm.subarray(0, 4), { plaintextLength: 8 })
    d.setAuthTag(confirm.subarray(12))
    assert.deepEqual(Buffer.concat([d.update(confirm.subarray(4, 12)), d.final()]), Buffer.from('dnscpn/1'))
    assert.equal(a.rejects.length, 0, 'handshake accepted')
    // A record header claiming 16 MB: refused before anything is buffered.
    const header = Buffer.alloc(4)
    header.writeUInt32BE(16 << 20)
    s.write(header)
    for (let i = 0; i < 200 && !a.rejects.includes('oversized-record'); i++)
      await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(a.rejects, ['oversized-record'])
    s.destroy()
  },
)
