import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkName, ensureTrailingDot, splitList } from '../../../lib/records/names.ts'

// kOps' own test case
for (const c of [
  { input: 'example.com', want: 'example.com.' },
  { input: 'example.com.', want: 'example.com.' },
]) {
  test(`kOps case: ensureTrailingDot(${c.input})`, () => assert.equal(ensureTrailingDot(c.input), c.want))
}

test('splitList trims and keeps empty tokens for reporting', () => {
  assert.deepEqual(splitList(' a.local , b.local,'), ['a.local', 'b.local', ''])
  assert.deepEqual(splitList(''), [''])
})

const names = [
  { name: 'plain', input: 'api.internal.c.k8s.local', want: 'api.internal.c.k8s.local.' },
  { name: 'lower-cased', input: 'API.Internal.Example.COM', want: 'api.internal.example.com.' },
  { name: 'trailing dot kept once', input: 'a.local.', want: 'a.local.' },
  { name: 'trimmed', input: '  a.local ', want: 'a.local.' },
  { name: 'wildcard first label', input: '*.apps.local', want: '*.apps.local.' },
  { name: 'digits and hyphen', input: 'x-1.2y.local', want: 'x-1.2y.local.' },
  { name: 'single label', input: 'local', want: 'local.' },
  { name: 'empty', input: '', want: undefined },
  { name: 'just a dot', input: '.', want: undefined },
  { name: 'empty label', input: 'a..local', want: undefined },
  { name: 'underscore', input: 'a_b.local', want: undefined },
  { name: 'leading hyphen', input: '-a.local', want: undefined },
  { name: 'trailing hyphen', input: 'a-.local', want: undefined },
  { name: 'wildcard not first', input: 'a.*.local', want: undefined },
  { name: 'partial wildcard', input: '*a.local', want: undefined },
  { name: 'bare wildcard', input: '*', want: undefined },
  { name: 'slash', input: 'a/b.local', want: undefined },
  { name: 'space inside', input: 'a b.local', want: undefined },
  { name: 'label of 63', input: `${'a'.repeat(63)}.local`, want: `${'a'.repeat(63)}.local.` },
  { name: 'label of 64', input: `${'a'.repeat(64)}.local`, want: undefined },
  { name: '253 characters', input: `${'a.'.repeat(124)}local`, want: `${'a.'.repeat(124)}local.` },
  { name: '254 characters', input: `${'a.'.repeat(124)}xlocal`, want: undefined },
]
for (const c of names) {
  test(`checkName: ${c.name}`, () => {
    const got = checkName(c.input)
    if (c.want === undefined) assert.equal(got.ok, false)
    else assert.deepEqual(got, { ok: true, fqdn: c.want })
  })
}
