import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildCache, fingerprintOf, zoneTail } from '../../../../lib/sinks/dns/cache.ts'
import { nameKey, TYPE } from '../../../../lib/sinks/dns/wire.ts'
import type { ResolvedRecord } from '../../../../lib/records/types.ts'

const rec = (name: string, type: ResolvedRecord['type'], ...values: string[]): ResolvedRecord => ({
  name,
  type,
  values,
  ttlSeconds: 60,
})

test('cache: names in zones with their empty non-terminals; outside names ignored', () => {
  const c = buildCache([rec('a.b.k8s.local', 'A', '10.0.0.1'), rec('x.example.org', 'A', '10.0.0.2')], {
    zones: ['k8s.local'],
    serial: 1,
  })
  assert.deepEqual(
    [...c.names.keys()].sort(),
    [nameKey('a.b.k8s.local'), nameKey('b.k8s.local'), nameKey('k8s.local')].sort(),
  )
  assert.equal(c.names.get(nameKey('a.b.k8s.local'))?.tails.get(TYPE.A)?.ancount, 1)
  assert.equal(zoneTail(c, nameKey('other.example.org')), undefined)
  assert.equal(zoneTail(c, nameKey('zz.k8s.local'))?.rcode, 3)
})

test('cache: the longest zone owns a name (its SOA in negative answers)', () => {
  const c = buildCache([], { zones: ['local', 'c.k8s.local'], serial: 1 })
  const deep = zoneTail(c, nameKey('x.c.k8s.local'))
  const shallow = zoneTail(c, nameKey('x.local'))
  assert.ok(deep !== undefined && shallow !== undefined)
  assert.ok(Buffer.from(deep.bytes).includes(Buffer.from(nameKey('c.k8s.local'), 'latin1')))
  assert.ok(!Buffer.from(shallow.bytes).includes(Buffer.from(nameKey('c.k8s.local'), 'latin1')))
})

test('cache: a record that cannot be encoded is skipped and reported; the others are served', () => {
  const long = 'x'.repeat(70)
  const c = buildCache(
    [
      rec('bad.local', 'A', '300.1.1.1'),
      rec('cn.local', 'CNAME', `${long}.example.org`),
      rec('ok.local', 'A', '10.0.0.1'),
    ],
    { zones: ['local'], serial: 1 },
  )
  assert.deepEqual(c.skipped.map((s) => s.name).sort(), ['bad.local', 'cn.local'])
  assert.ok(c.names.has(nameKey('ok.local')))
})

test('cache: the fingerprint ignores order and names outside the zones', () => {
  const a = [rec('a.local', 'A', '10.0.0.1'), rec('b.local', 'A', '10.0.0.2'), rec('x.org', 'A', '1.1.1.1')]
  assert.equal(fingerprintOf(a, ['local']), fingerprintOf([a[1]!, a[0]!], ['local']))
  assert.notEqual(fingerprintOf(a, ['local']), fingerprintOf([a[0]!], ['local']))
})
