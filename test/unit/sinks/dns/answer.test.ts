import { test } from 'node:test'
import assert from 'node:assert/strict'
import { respond } from '../../../../lib/sinks/dns/answer.ts'
import { buildCache } from '../../../../lib/sinks/dns/cache.ts'
import { nameKey } from '../../../../lib/sinks/dns/wire.ts'

const cache = buildCache([{ name: 'a.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 }], {
  zones: ['local'],
  serial: 1,
})

function header(id: number, qd: number, ar = 0): Buffer {
  const h = Buffer.alloc(12)
  h.writeUInt16BE(id, 0)
  h.writeUInt16BE(0x0100, 2)
  h.writeUInt16BE(qd, 4)
  h.writeUInt16BE(ar, 10)
  return h
}

const rcodeOf = (o: ReturnType<typeof respond>): number => (o.kind === 'answer' ? o.bytes[3]! & 0xf : -1)

test('slow path: a question followed by an extra record is parsed and answered', () => {
  const q = Buffer.concat([
    header(1, 1, 1),
    Buffer.from(nameKey('A.local'), 'latin1'),
    Buffer.from([0, 1, 0, 1]),
  ])
  // An additional A record (not OPT): the fast path passes it to the slow parser.
  const extra = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 1, 2, 3, 4])
  const o = respond(Buffer.concat([q, extra]), 'udp', cache, false)
  assert.equal(o.kind, 'answer')
  assert.equal(rcodeOf(o), 0)
  assert.ok(o.kind === 'answer' && o.bytes.includes(Buffer.from([10, 0, 0, 1])))
})

test('slow path: hostile sizes get FORMERR without decoding', () => {
  const q = Buffer.concat([
    header(2, 1, 4000),
    Buffer.from(nameKey('a.local'), 'latin1'),
    Buffer.from([0, 1, 0, 1]),
  ])
  // 60,000 zero bytes decode as 4000 valid (empty) records; refused by size and count alone.
  const big = Buffer.concat([q, Buffer.alloc(60_000)])
  assert.equal(rcodeOf(respond(big, 'tcp', cache, false)), 1)
})

test('not serving yet: SERVFAIL inside our zones, REFUSED outside', () => {
  const empty = buildCache([], { zones: ['local'], serial: 0, serving: false })
  const q = (name: string): Buffer =>
    Buffer.concat([header(3, 1), Buffer.from(nameKey(name), 'latin1'), Buffer.from([0, 1, 0, 1])])
  assert.equal(rcodeOf(respond(q('a.local'), 'udp', empty, false)), 2)
  assert.equal(rcodeOf(respond(q('example.org'), 'udp', empty, false)), 5)
})
