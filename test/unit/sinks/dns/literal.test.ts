import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isIP } from 'node:net'
import { isDottedQuad } from '../../../../lib/sinks/dns/udp.ts'

test('isDottedQuad accepts exactly the IPv4 literals net.isIP accepts, without leading zeros', () => {
  for (const s of ['127.0.0.1', '0.0.0.0', '255.255.255.255', '10.1.2.3', '1.22.133.4']) {
    assert.equal(isDottedQuad(s), true, s)
    assert.equal(isIP(s), 4, s)
  }
  // Everything here must fall through to net.isIP or dns.lookup, never be taken as an address.
  for (const s of [
    '',
    '1.2.3',
    '1.2.3.4.',
    '.1.2.3.4',
    '1..2.3',
    '256.1.1.1',
    '1.2.3.1000',
    '01.2.3.4',
    '1.2.3.04',
    'a.b.c.d',
    '1.2.3.4a',
    '::1',
    '::ffff:1.2.3.4',
    'example.com',
    '1.2.3.4 ',
  ])
    assert.equal(isDottedQuad(s), false, JSON.stringify(s))
})
