import { test } from 'node:test'
import assert from 'node:assert/strict'
import { recordProblem, validAddress, validName } from '../../../lib/records/validate.ts'
import type { RecordType } from '../../../lib/records/types.ts'

const names: { name: string; ok: boolean }[] = [
  { name: 'api.internal.c.k8s.local', ok: true },
  { name: '*.apps.c.k8s.local', ok: true },
  { name: '6.6.6.7', ok: true }, // digits-only labels are RFC 1123 labels
  { name: `${'a'.repeat(63)}.local`, ok: true },
  { name: `${'a'.repeat(64)}.local`, ok: false },
  { name: Array.from({ length: 64 }, () => 'abc').join('.'), ok: false }, // 255 characters
  { name: '', ok: false },
  { name: 'Api.local', ok: false },
  { name: 'api.local.', ok: false },
  { name: ' api.local', ok: false },
  { name: 'a..local', ok: false },
  { name: 'a_b.local', ok: false },
  { name: '-a.local', ok: false },
  { name: 'a.*.local', ok: false },
  { name: 'x.k8s.local\n6.6.6.7 api.openai.com', ok: false },
  { name: '6.6.6.7 api.openai.com\nx.k8s.local', ok: false },
  { name: 'x.k8s.local\r', ok: false },
  { name: 'x\t.k8s.local', ok: false },
  { name: 'x\u0000.k8s.local', ok: false },
  { name: 'x.k8s.local\u0085', ok: false },
  { name: 'ｘ.k8s.local', ok: false },
]

for (const c of names)
  test(`name ${JSON.stringify(c.name)} is ${c.ok ? 'valid' : 'refused'}`, () => {
    assert.equal(validName(c.name), c.ok)
  })

const values: { type: RecordType; value: string; ok: boolean }[] = [
  { type: 'A', value: '10.0.0.1', ok: true },
  { type: 'A', value: '10.0.0.01', ok: false },
  { type: 'A', value: '10.0.0.1\n6.6.6.7 api.openai.com', ok: false },
  { type: 'A', value: '10.0.0.1 ', ok: false },
  { type: 'A', value: 'fd00::1', ok: false },
  { type: 'AAAA', value: 'fd00::1', ok: true },
  { type: 'AAAA', value: 'FD00::1', ok: true },
  { type: 'AAAA', value: '::ffff:10.0.0.1', ok: true },
  { type: 'AAAA', value: 'fe80::1%eth0', ok: false },
  { type: 'AAAA', value: '10.0.0.1', ok: false },
  { type: 'AAAA', value: 'fd00::1\tx', ok: false },
  { type: 'CNAME', value: 'lb.example.com', ok: true },
  { type: 'CNAME', value: 'lb.example.com.', ok: false },
  { type: 'CNAME', value: '10.0.0.1 lb.example.com', ok: false },
  { type: 'CNAME', value: 'lb.example.com\n6.6.6.7 x', ok: false },
]

for (const c of values)
  test(`${c.type} value ${JSON.stringify(c.value)} is ${c.ok ? 'valid' : 'refused'}`, () => {
    const r = { name: 'x.local', type: c.type, values: ['10.0.0.1', c.value].slice(c.type === 'A' ? 0 : 1) }
    assert.equal(recordProblem(r), c.ok ? undefined : 'invalid-value')
  })

test('a record: the name is checked first', () => {
  assert.equal(recordProblem({ name: 'X.local', type: 'A', values: ['nope'] }), 'invalid-name')
})

test('addresses for the hosts file: IPv4 or IPv6 literals only', () => {
  for (const a of ['10.0.0.1', 'fd00::1', '::1']) assert.ok(validAddress(a), a)
  for (const a of ['', 'dns-controller-owned', '10.0.0.1\n', '#', 'fe80::1%lo', '1.2.3'])
    assert.ok(!validAddress(a), a)
})
