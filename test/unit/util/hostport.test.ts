import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatHostPort, parseHostPort } from '../../../lib/util/hostport.ts'

const cases = [
  { name: 'ipv4', input: '0.0.0.0:3999', want: { host: '0.0.0.0', port: 3999 } },
  { name: 'hostname', input: 'seed-1.example:4000', want: { host: 'seed-1.example', port: 4000 } },
  { name: 'bracketed ipv6', input: '[::1]:53', want: { host: '::1', port: 53 } },
  { name: 'no port', input: '127.0.0.1', want: undefined },
  { name: 'port too big', input: '127.0.0.1:70000', want: undefined },
  { name: 'port zero', input: '127.0.0.1:0', want: undefined },
  { name: 'empty host', input: ':53', want: undefined },
  { name: 'bare ipv6', input: '::1:53', want: undefined },
  { name: 'bad bracket content', input: '[nope]:53', want: undefined },
]

for (const c of cases) {
  test(`parseHostPort: ${c.name}`, () => {
    const got = parseHostPort(c.input)
    if (c.want === undefined) assert.equal(typeof got, 'string')
    else assert.deepEqual(got, c.want)
  })
}

test('port 0 is allowed when asked (tests bind ephemeral ports)', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:0', { allowPortZero: true }), { host: '127.0.0.1', port: 0 })
})

test('formatHostPort brackets IPv6', () => {
  assert.equal(formatHostPort({ host: '::1', port: 53 }), '[::1]:53')
  assert.equal(formatHostPort({ host: '10.0.0.1', port: 53 }), '10.0.0.1:53')
})
