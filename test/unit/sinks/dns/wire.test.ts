import { test } from 'node:test'
import assert from 'node:assert/strict'
import dns2 from 'dns2'
import { addressTail, ipv6Bytes } from '../../../../lib/sinks/dns/rdata.ts'
import { keyToName, nameKey, parseFast, lowerKey } from '../../../../lib/sinks/dns/wire.ts'
import type { ResolvedRecord } from '../../../../lib/records/types.ts'
import { seededRng } from '../../../../lib/util/random.ts'

const { Packet } = dns2

function query(
  name: string,
  opts: { qd?: number; ar?: number; flags?: number; trailing?: number } = {},
): Buffer {
  const q = Buffer.from(nameKey(name), 'latin1')
  const b = Buffer.alloc(12 + q.length + 4 + (opts.trailing ?? 0))
  b.writeUInt16BE(0xbeef, 0)
  b.writeUInt16BE(opts.flags ?? 0x0100, 2)
  b.writeUInt16BE(opts.qd ?? 1, 4)
  b.writeUInt16BE(opts.ar ?? 0, 10)
  q.copy(b, 12)
  b.writeUInt16BE(1, 12 + q.length)
  b.writeUInt16BE(1, 14 + q.length)
  return b
}

const parseCases = [
  { name: 'plain query', packet: query('Api.Example.local'), ok: true, key: nameKey('api.example.local') },
  { name: 'too short', packet: Buffer.alloc(5), reason: 'short' },
  { name: 'a response', packet: query('a.local', { flags: 0x8100 }), reason: 'response' },
  { name: 'two questions', packet: query('a.local', { qd: 2 }), reason: 'slow' },
  { name: 'OPT announced, absent', packet: query('a.local', { ar: 1 }), reason: 'slow' },
  { name: 'trailing bytes', packet: query('a.local', { trailing: 3 }), reason: 'slow' },
]
for (const c of parseCases) {
  test(`parseFast: ${c.name}`, () => {
    const r = parseFast(c.packet)
    if (c.ok === true) {
      assert.ok(r.ok)
      assert.equal(r.query.key, c.key)
      assert.equal(r.query.id, 0xbeef)
      assert.equal(Buffer.from(r.query.qname).toString('latin1'), nameKey('Api.Example.local'), 'case kept')
    } else assert.deepEqual(r, { ok: false, reason: c.reason })
  })
}

test('name keys round-trip and lower-case', () => {
  assert.equal(keyToName(nameKey('a.b.example')), 'a.b.example')
  assert.equal(lowerKey(Buffer.from(nameKey('A.B.Example'), 'latin1')), nameKey('a.b.example'))
})

test('ipv6Bytes: compressed, full and IPv4-embedded forms', () => {
  assert.deepEqual([...ipv6Bytes('fd00::1')!], [0xfd, 0, ...Array(13).fill(0), 1])
  assert.deepEqual([...ipv6Bytes('::ffff:10.0.0.1')!], [...Array(10).fill(0), 0xff, 0xff, 10, 0, 0, 1])
  assert.equal(ipv6Bytes('10.0.0.1'), undefined)
})

// The hand encoder must produce exactly dns2's bytes for what it covers.
test('addressTail equals dns2 encoding (random RRsets, seeded)', () => {
  const rng = seededRng(42)
  for (let i = 0; i < 300; i++) {
    const v6 = rng.int(2) === 0
    const values = Array.from({ length: 1 + rng.int(5) }, () =>
      v6
        ? Array.from({ length: 8 }, () => (rng.int(3) === 0 ? '0' : rng.int(0x10000).toString(16))).join(':')
        : Array.from({ length: 4 }, () => rng.int(256)).join('.'),
    )
    const r: ResolvedRecord = {
      name: `n${i}.z.local`,
      type: v6 ? 'AAAA' : 'A',
      values,
      ttlSeconds: rng.int(100000),
    }
    const p = new Packet()
    p.questions = [{ name: r.name, type: 1, class: 1 } as dns2.Packet.Question]
    p.answers = values.map(
      (address) =>
        ({ name: r.name, type: v6 ? 28 : 1, class: 1, ttl: r.ttlSeconds, address }) as dns2.Packet.Resource,
    )
    const expected = p.toBuffer().subarray(12 + nameKey(r.name).length + 4)
    assert.deepEqual(Buffer.from(addressTail(r).bytes), expected, JSON.stringify(r))
  }
})

test('addressTail refuses an invalid address', () => {
  assert.throws(
    () => addressTail({ name: 'a.local', type: 'A', values: ['10.0.0'], ttlSeconds: 1 }),
    /invalid address/,
  )
})
