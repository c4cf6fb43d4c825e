import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import { ipFamily, parseIp } from '../../../lib/records/ip.ts'

const cases = [
  { name: 'ipv4', input: '10.0.0.1', family: 4, text: '10.0.0.1' },
  { name: 'ipv4 max', input: '255.255.255.255', family: 4, text: '255.255.255.255' },
  { name: 'ipv4-mapped is IPv4 (A)', input: '::ffff:1.2.3.4', family: 4, text: '1.2.3.4' },
  { name: 'ipv4-mapped in hex is IPv4', input: '::ffff:102:304', family: 4, text: '1.2.3.4' },
  { name: 'ipv4-mapped long form', input: '0:0:0:0:0:ffff:10.0.0.2', family: 4, text: '10.0.0.2' },
  { name: 'ipv4-compatible stays IPv6', input: '::1.2.3.4', family: 6, text: '::1.2.3.4' },
  { name: 'ula', input: 'fd00:1234:5678:abcd::1', family: 6, text: 'fd00:1234:5678:abcd::1' },
  { name: 'full form', input: '2001:db8:0:0:0:ff00:42:8329', family: 6, text: '2001:db8:0:0:0:ff00:42:8329' },
  { name: 'loopback', input: '::1', family: 6, text: '::1' },
  { name: 'unspecified', input: '::', family: 6, text: '::' },
  { name: 'trailing ::', input: '1:2:3:4:5:6:7::', family: 6, text: '1:2:3:4:5:6:7::' },
  { name: 'upper-case hex', input: 'FD00::1', family: 6, text: 'FD00::1' },
  { name: 'leading zero octet', input: '010.0.0.1', family: undefined },
  { name: 'three octets', input: '1.2.3', family: undefined },
  { name: 'octet too big', input: '1.2.3.256', family: undefined },
  { name: 'zone suffix', input: 'fe80::1%eth0', family: undefined },
  { name: 'empty', input: '', family: undefined },
  { name: 'two ::', input: '1::2::3', family: undefined },
  { name: 'nine groups', input: '1:2:3:4:5:6:7:8:9', family: undefined },
  { name: 'eight groups and ::', input: '1:2:3:4:5:6:7::8', family: undefined },
  { name: 'group too long', input: '12345::1', family: undefined },
  { name: 'hostname', input: 'abcd', family: undefined },
  { name: 'dotted quad in the middle', input: '1.2.3.4::1', family: undefined },
  { name: 'bad dotted tail', input: '::ffff:1.2.3.4.5', family: undefined },
] as const

for (const c of cases) {
  test(`parseIp: ${c.name}`, () => {
    const got = parseIp(c.input)
    assert.equal(got?.family, c.family)
    if ('text' in c) assert.equal(got?.text, c.text)
  })
}

test('parseIp agrees with node:net on which strings are IPs (except leading zeros and zones)', () => {
  for (const c of cases) {
    if (c.input.includes('%') || c.name === 'leading zero octet') continue
    assert.equal(ipFamily(c.input) !== undefined, isIP(c.input) !== 0, c.input)
  }
})
