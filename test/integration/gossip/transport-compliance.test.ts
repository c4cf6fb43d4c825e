/**
 * The Transport contract (lib/gossip/transport.ts), checked the same way against every
 * implementation: the libp2p network on loopback, and the in-memory transport the simulator uses
 * (test/harness/memory-network.ts). A transport that passes can carry the real driver.
 */
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { createHost } from '../../../lib/gossip/libp2p/host.ts'
import { GossipNetwork } from '../../../lib/gossip/libp2p/network.ts'
import type { Transport, TransportEvents } from '../../../lib/gossip/transport.ts'
import { seededRng } from '../../../lib/util/random.ts'
import { silentLogger } from '../../../lib/util/log.ts'
import { freePort } from '../../../lib/util/ports.ts'
import { MemoryNetwork } from '../../harness/memory-network.ts'
import { newPsk, waitFor } from '../../helpers/gossip.ts'

/** Every event a transport raised, in order, as text (frames by their bytes' length and first byte). */
class Recorder {
  readonly log: string[] = []
  readonly frames: Uint8Array[] = []
  readonly events: TransportEvents = {
    peerUp: (peer, dialed) => void this.log.push(`up ${peer} ${dialed ?? 'inbound'}`),
    peerDown: (peer) => void this.log.push(`down ${peer}`),
    frame: (peer, bytes) => {
      this.frames.push(bytes.slice())
      this.log.push(`frame ${peer} ${bytes.byteLength}`)
    },
    dialFailed: (addr) => void this.log.push(`dial-failed ${addr}`),
    selfDial: (addr) => void this.log.push(`self-dial ${addr}`),
    inboundDropped: (reason, peer) => void this.log.push(`inbound-dropped ${reason} ${peer}`),
    sendDropped: (reason, peer) => void this.log.push(`send-dropped ${reason} ${peer}`),
    probed: (peer, ok) => void this.log.push(`probed ${peer} ${ok}`),
  }

  has(line: string): boolean {
    return this.log.includes(line)
  }
}

interface Endpoint {
  readonly transport: Transport
  readonly rec: Recorder
  /** Our name as the other ends see it. */
  readonly peer: string
  /** A dialable address of ours. */
  readonly addr: string
}

interface Harness {
  readonly name: string
  /** Frames longer than this are dropped by the receiver. */
  readonly maxFrameBytes: number
  endpoint(): Promise<Endpoint>
  /** An address of this transport where nothing listens. */
  deadAddr(): Promise<string>
  close(): Promise<void>
}

const MAX_FRAME = 64 * 1024

async function libp2pHarness(): Promise<Harness> {
  const psk = newPsk()
  const nets: GossipNetwork[] = []
  let label = ''
  return {
    name: 'libp2p',
    maxFrameBytes: MAX_FRAME,
    async endpoint() {
      const rec = new Recorder()
      const host = await createHost({
        privateKey: await generateKeyPair('Ed25519'),
        listen: { host: '127.0.0.1', port: 0 },
        psk,
      })
      const net = new GossipNetwork({
        name: 'primary',
        host,
        psk,
        maxFrameBytes: MAX_FRAME,
        dialTimeoutMs: 2000,
        log: silentLogger,
        events: rec.events,
      })
      nets.push(net)
      await net.start()
      label = net.label
      const addr = net.listenAddrs()[0]
      if (addr === undefined) throw new Error('no listen address')
      return { transport: net, rec, peer: net.peerName(host.peerId), addr }
    },
    async deadAddr() {
      return `${label}:/ip4/127.0.0.1/tcp/${await freePort()}`
    },
    async close() {
      await Promise.all(nets.map((n) => n.stop()))
    },
  }
}

async function memoryHarness(): Promise<Harness> {
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const net = new MemoryNetwork({
    label: 'mem',
    rng: seededRng(7),
    latencyMinMs: 0,
    latencyMaxMs: 2,
    maxFrameBytes: MAX_FRAME,
    scheduler: {
      now: () => performance.now(),
      at: (at, fn) => {
        const t = setTimeout(
          () => {
            timers.delete(t)
            fn()
          },
          Math.max(0, at - performance.now()),
        )
        timers.add(t)
      },
    },
  })
  let spare = -1
  return {
    name: 'memory',
    maxFrameBytes: MAX_FRAME,
    async endpoint() {
      const rec = new Recorder()
      const t = net.attach(rec.events)
      net.listen(t.index)
      return { transport: t, rec, peer: t.peer, addr: t.addr }
    },
    async deadAddr() {
      // A node that never listens: dials to it are refused.
      if (spare < 0) spare = net.attach(new Recorder().events).index
      return net.addr(spare)
    },
    async close() {
      for (const t of timers) clearTimeout(t)
    },
  }
}

for (const make of [memoryHarness, libp2pHarness]) {
  describe(`transport contract: ${make.name.replace('Harness', '')}`, () => {
    /** Two endpoints, a dialled b, both saw the connection come up. */
    async function pair(h: Harness): Promise<[Endpoint, Endpoint]> {
      const a = await h.endpoint()
      const b = await h.endpoint()
      a.transport.dial(b.addr)
      await waitFor(
        'the connection',
        () => a.rec.has(`up ${b.peer} ${b.addr}`) && b.rec.has(`up ${a.peer} inbound`),
        5000,
      )
      return [a, b]
    }

    test('a dial brings the connection up at both ends; the dialler hears the dialled address', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const [a, b] = await pair(h)
      assert.deepEqual(a.rec.log, [`up ${b.peer} ${b.addr}`])
      assert.deepEqual(b.rec.log, [`up ${a.peer} inbound`])
    })

    test('frames arrive whole and in send order', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const [a, b] = await pair(h)
      const sent = Array.from({ length: 40 }, (_, i) => {
        const f = new Uint8Array(1 + ((i * 997) % 5000))
        f.fill(i)
        return f
      })
      for (const f of sent) a.transport.send(b.peer, f)
      await waitFor('every frame', () => b.rec.frames.length >= sent.length, 5000)
      const show = (fs: Uint8Array[]): string[] =>
        fs.map((f) => `${f[0]}:${f.byteLength}:${f.every((x) => x === f[0])}`)
      assert.deepEqual(show(b.rec.frames), show(sent))
    })

    test('a dial of our own address is reported as a self-dial, nothing comes up', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const a = await h.endpoint()
      a.transport.dial(a.addr)
      await waitFor('the self-dial', () => a.rec.log.length > 0, 5000)
      assert.deepEqual(a.rec.log, [`self-dial ${a.addr}`])
    })

    test('a dial of an address where nothing listens fails', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const a = await h.endpoint()
      const dead = await h.deadAddr()
      a.transport.dial(dead)
      await waitFor('the failure', () => a.rec.log.length > 0, 5000)
      assert.deepEqual(a.rec.log, [`dial-failed ${dead}`])
    })

    test('a hang-up brings the connection down at both ends', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const [a, b] = await pair(h)
      a.transport.hangUp(b.peer)
      await waitFor(
        'peer-down at both ends',
        () => a.rec.has(`down ${b.peer}`) && b.rec.has(`down ${a.peer}`),
        5000,
      )
      a.transport.send(b.peer, new Uint8Array([1, 2, 3]))
      assert.ok(a.rec.has(`send-dropped not-connected ${b.peer}`), 'a send after the hang-up is not dropped')
    })

    test('a frame over the maximum is dropped and counted, never delivered in part', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const [a, b] = await pair(h)
      a.transport.send(b.peer, new Uint8Array(h.maxFrameBytes + 1))
      await waitFor('the drop', () => b.rec.has(`inbound-dropped frame-too-large ${a.peer}`), 5000)
      // The connection survives and carries frames that fit (libp2p: the sender notices the reset
      // stream on its next write, counts that frame as send-failed and opens a new stream).
      for (let i = 0; i < 50 && b.rec.frames.length === 0; i++) {
        a.transport.send(b.peer, new Uint8Array([7]))
        await new Promise((r) => setTimeout(r, 50))
      }
      assert.ok(b.rec.frames.length > 0, 'no frame arrived after the oversize one')
      assert.ok(
        b.rec.frames.every((f) => f.byteLength === 1 && f[0] === 7),
        'part of the oversize frame was delivered',
      )
      assert.ok(!b.rec.has(`down ${a.peer}`))
    })

    test('a send to a peer that is not connected is dropped as not-connected', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const [a, b] = await pair(h)
      const c = await h.endpoint()
      a.transport.send(c.peer, new Uint8Array([1]))
      assert.ok(a.rec.has(`send-dropped not-connected ${c.peer}`))
      assert.equal(b.rec.frames.length + c.rec.frames.length, 0)
    })

    test('a probe of a connected, live peer is answered', async (t) => {
      const h = await make()
      t.after(() => h.close())
      const [a, b] = await pair(h)
      a.transport.probe(b.peer)
      await waitFor('the answer', () => a.rec.has(`probed ${b.peer} true`), 5000)
    })
  })
}
