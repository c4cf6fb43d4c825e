import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EventEmitter } from 'node:events'
import type { Socket } from 'node:net'
import { tcpConnections } from '../../../../lib/sinks/dns/tcp.ts'
import type { TcpCloseReason, TcpLimits } from '../../../../lib/sinks/dns/tcp.ts'

const LIMITS: TcpLimits = {
  idleMs: 1000,
  messageMs: 200,
  maxConnections: 3,
  maxPerClient: 2,
  maxBacklogBytes: 1 << 20,
}

/** Just enough of a net.Socket for tcp.ts. */
class FakeSocket extends EventEmitter {
  destroyed = false
  writableLength = 0
  readonly written: Buffer[] = []
  readonly remoteAddress: string
  constructor(remoteAddress: string) {
    super()
    this.remoteAddress = remoteAddress
  }
  write(b: Buffer): boolean {
    this.written.push(b)
    return true
  }
  destroy(): void {
    if (this.destroyed) return
    this.destroyed = true
    this.emit('close')
  }
}

function setup(t: { mock: { timers: { enable(o: { apis: ['setTimeout'] }): void } } }): {
  accept(addr: string): FakeSocket
  closed: TcpCloseReason[]
  messages: number
} {
  t.mock.timers.enable({ apis: ['setTimeout'] })
  const closed: TcpCloseReason[] = []
  const state = { closed, messages: 0, accept: (_: string) => new FakeSocket('') }
  const conns = tcpConnections(LIMITS, {
    message: (_msg, send) => {
      state.messages++
      send(Buffer.from([1]))
    },
    closed: (r) => closed.push(r),
  })
  state.accept = (addr) => {
    const s = new FakeSocket(addr)
    conns.accept(s as unknown as Socket)
    return s
  }
  return state
}

const frame = (n: number): Buffer => Buffer.concat([Buffer.from([0, n]), Buffer.alloc(n, 7)])

test('a trickle is cut at the message deadline although bytes keep coming', (t) => {
  const s = setup(t)
  const sock = s.accept('10.0.0.1')
  let elapsed = 0
  // One byte every 50 ms: a frame of 0xffff bytes that never completes.
  sock.emit('data', Buffer.from([0xff]))
  while (!sock.destroyed && elapsed < 10 * LIMITS.messageMs) {
    t.mock.timers.tick(50)
    elapsed += 50
    sock.emit('data', Buffer.from([0xff]))
  }
  assert.ok(sock.destroyed)
  assert.equal(elapsed, LIMITS.messageMs)
  assert.deepEqual(s.closed, ['message-timeout'])
})

test('complete messages keep a connection; idle it closes after idleMs', (t) => {
  const s = setup(t)
  const sock = s.accept('10.0.0.1')
  for (let i = 0; i < 10; i++) {
    // Each message arrives in two pieces within its deadline.
    const f = frame(20)
    sock.emit('data', f.subarray(0, 5))
    t.mock.timers.tick(LIMITS.messageMs - 10)
    sock.emit('data', f.subarray(5))
    t.mock.timers.tick(LIMITS.idleMs - 10)
  }
  assert.equal(s.messages, 10)
  assert.equal(sock.written.length, 10)
  assert.ok(!sock.destroyed)
  t.mock.timers.tick(10)
  assert.deepEqual(s.closed, ['idle'])
})

test('per client: the client’s least recently active connection makes room', (t) => {
  const s = setup(t)
  const a = s.accept('10.0.0.1')
  const b = s.accept('10.0.0.1')
  a.emit('data', frame(3)) // a is now more recently active than b
  const c = s.accept('10.0.0.1')
  assert.deepEqual([a.destroyed, b.destroyed, c.destroyed], [false, true, false])
  assert.deepEqual(s.closed, ['client-limit'])
})

test('when full, the least recently active connection is evicted, never the new one', (t) => {
  const s = setup(t)
  const a = s.accept('10.0.0.1')
  const b = s.accept('10.0.0.2')
  const c = s.accept('10.0.0.3')
  a.emit('data', frame(3))
  const d = s.accept('10.0.0.4')
  assert.deepEqual([a.destroyed, b.destroyed, c.destroyed, d.destroyed], [false, true, false, false])
  const e = s.accept('10.0.0.5')
  assert.deepEqual([c.destroyed, e.destroyed], [true, false])
  assert.deepEqual(s.closed, ['evicted', 'evicted'])
})
