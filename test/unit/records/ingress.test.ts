import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ingressRecords } from '../../../lib/records/build.ts'
import { ingress, opts } from './fixtures.ts'

test('every Ingress yields hosts × targets (host-major), no annotation needed', () => {
  const got = ingressRecords(
    ingress({ hosts: ['a.foo.com', 'B.foo.com'], lb: [{ ip: '1.2.3.4' }, { hostname: 'lb.example.net' }] }),
    opts(),
  )
  assert.deepEqual(got.records, [
    { type: 'A', fqdn: 'a.foo.com.', value: '1.2.3.4' },
    { type: 'CNAME', fqdn: 'a.foo.com.', value: 'lb.example.net' },
    { type: 'A', fqdn: 'b.foo.com.', value: '1.2.3.4' },
    { type: 'CNAME', fqdn: 'b.foo.com.', value: 'lb.example.net' },
  ])
})

test('Ingress without hosts or without LB status: nothing', () => {
  assert.deepEqual(ingressRecords(ingress({ lb: [{ ip: '1.2.3.4' }] }), opts()).records, [])
  assert.deepEqual(ingressRecords(ingress({ hosts: ['a.foo.com'] }), opts()).records, [])
})

test('Ingress hosts outside the zones or invalid are problems', () => {
  const got = ingressRecords(
    ingress({ hosts: ['a.other.org', 'a_b.foo.com', 'ok.foo.com'], lb: [{ ip: '1.2.3.4' }] }),
    opts(),
  )
  assert.deepEqual(got.records, [{ type: 'A', fqdn: 'ok.foo.com.', value: '1.2.3.4' }])
  assert.deepEqual(
    got.problems.map((p) => [p.kind, 'source' in p ? p.source : '']),
    [
      ['outside-zones', 'spec.rules[].host'],
      ['invalid-name', 'spec.rules[].host'],
    ],
  )
})
