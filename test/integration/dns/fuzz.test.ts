// 20,000 random and mutated packets over UDP and TCP; the server must stay up and keep answering.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { once } from 'node:events'
import { seededRng } from '../../../lib/util/random.ts'
import { dig } from './dig.ts'
import { startFixture } from './fixture.ts'
import { framed, fuzzPacket, query } from './packets.ts'

const PACKETS = 20_000
const SEED = Number(process.env['FUZZ_SEED'] ?? Date.now() % 1_000_000)

test(`fuzz: ${PACKETS} random and mutated packets (seed ${SEED})`, { timeout: 120_000 }, async (t) => {
  t.diagnostic(`FUZZ_SEED=${SEED}`)
  const rng = seededRng(SEED)
  const { server, port, registry } = await startFixture()
  t.after(() => server.close())
  const udp = createSocket('udp4')
  udp.on('message', () => {})
  t.after(() => udp.close())
  for (let i = 0; i < PACKETS / 2; i++) {
    udp.send(fuzzPacket(rng), port, '127.0.0.1')
    if (i % 50 === 0) await new Promise((r) => setTimeout(r, 1))
  }
  // TCP: frames of mutated packets, split at random points, on a few connections.
  for (let c = 0; c < 10; c++) {
    const sock = connect(port, '127.0.0.1')
    sock.on('data', () => {})
    sock.on('error', () => {})
    await once(sock, 'connect')
    for (let i = 0; i < PACKETS / 20; i++) {
      const f = framed(fuzzPacket(rng))
      const cut = rng.int(f.length)
      sock.write(f.subarray(0, cut))
      sock.write(f.subarray(cut))
    }
    // A valid query on the same connection after all that garbage is still answered.
    const reply = new Promise<Buffer>((resolve) => {
      let buf = Buffer.alloc(0)
      sock.removeAllListeners('data')
      sock.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d])
        // Skip answers to fuzz frames until ours arrives (only it can carry 192.0.2.10).
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const msg = buf.subarray(2, 2 + buf.readUInt16BE(0))
          buf = buf.subarray(2 + msg.length)
          if (msg.readUInt16BE(0) === 0x7777 && msg.includes(Buffer.from([192, 0, 2, 10]))) resolve(msg)
        }
      })
    })
    sock.write(framed(query('www.example.test', 1, 0x7777)))
    const msg = await reply
    assert.equal(msg[3]! & 0xf, 0, 'NOERROR after garbage on the same connection')
    sock.destroy()
  }
  const r = await dig(port, 'api.internal.c.k8s.local', 'A')
  assert.equal(r.status, 'NOERROR', r.raw)
  assert.equal(r.answer.length, 2)
  const text = await registry.metrics()
  assert.doesNotMatch(text, /reason="internal-error"/)
  const handled = [
    ...text.matchAll(/^dns_controller_dns_(?:queries|dropped)_total\{[^}]*\} (\d+)$/gm),
  ].reduce((sum, m) => sum + Number(m[1]), 0)
  t.diagnostic(`packets answered or dropped: ${handled}`)
  if (process.env['FUZZ_DEBUG']) t.diagnostic(text)
  assert.ok(handled > PACKETS / 2, `only ${handled} packets reached the server`)
})
