// Raw-packet cases dig cannot make, against a real server: names stay labels through the slow
// path (RFC 1035 §7.3: the question comes back byte for byte), the opcode is checked first, and
// OPT records follow RFC 6891 §6.1.1. The dig cases for the same rules are in answers.test.ts.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { startFixture } from './fixture.ts'
import { labels, message, opt, option, rr } from './packets.ts'
import { udpExchange } from './udp.ts'
import type { DnsServer } from '../../../lib/sinks/dns/server.ts'

const NOERROR = 0
const FORMERR = 1
const NXDOMAIN = 3
const NOTIMP = 4
const REFUSED = 5

// `api\.internal.c.k8s.local`: one label holding a dot. The fixture serves api.internal.c.k8s.local.
const DOTTED = labels('api.internal', 'c', 'k8s', 'local')
const A_RECORD = rr(Buffer.from([0]), 1, Buffer.from([192, 0, 2, 1]))
const TSIG = rr(labels('key'), 250, Buffer.alloc(26), 255)

describe('dns wire rules (raw packets)', { timeout: 60_000 }, () => {
  let server: DnsServer
  let port = 0
  before(async () => {
    ;({ server, port } = await startFixture())
  })
  after(() => server.close())

  const ask = async (packet: Buffer): Promise<Buffer> => {
    const r = await udpExchange(port, packet, 2000)
    assert.ok(r !== undefined, 'no answer')
    assert.equal(r.readUInt16BE(0), packet.readUInt16BE(0), 'id')
    return r
  }

  const slowPaths = [
    { name: 'TSIG', m: { ar: [TSIG] } },
    { name: 'two additional records', m: { ar: [opt(), A_RECORD] } },
    { name: 'ANCOUNT 1', m: { an: [A_RECORD] } },
    { name: 'NSCOUNT 1', m: { ns: [A_RECORD] } },
    { name: 'trailing bytes', m: { trailing: Buffer.from([1, 2, 3]) } },
  ]
  for (const c of slowPaths) {
    test(`escaped dot through the slow path (${c.name}): question byte for byte, NXDOMAIN`, async () => {
      const r = await ask(message({ qname: DOTTED, ...c.m }))
      assert.equal(r[3]! & 0xf, NXDOMAIN)
      assert.equal(r.readUInt16BE(4), 1)
      assert.ok(
        r.subarray(12, 12 + DOTTED.length + 4).equals(Buffer.concat([DOTTED, Buffer.from([0, 1, 0, 1])])),
      )
      assert.equal(r.readUInt16BE(6), 0, 'no answer records (the A of api.internal.c.k8s.local)')
    })
  }

  test('a compressed question name is echoed expanded, its labels byte for byte', async () => {
    // `api\.internal` then a pointer to offset 4 (QDCOUNT's high byte, 0): the name api\.internal.
    const qname = Buffer.concat([labels('api.internal').subarray(0, 13), Buffer.from([0xc0, 4])])
    const r = await ask(message({ qname }))
    assert.equal(r[3]! & 0xf, REFUSED, 'outside our zones')
    assert.ok(
      r.subarray(12, 12 + 14 + 4).equals(Buffer.concat([labels('api.internal'), Buffer.from([0, 1, 0, 1])])),
    )
  })

  const formerr = [
    {
      name: 'forward compression pointer',
      m: { qname: Buffer.from([1, 0x61, 0xc0, 20]), trailing: labels('c', 'k8s', 'local') },
    },
    { name: 'compression loop', m: { qname: Buffer.from([1, 0x61, 0xc0, 12]) } },
    { name: 'two OPT records', m: { qname: labels('www', 'example', 'test'), ar: [opt(), opt()] } },
    { name: 'OPT in the answer section', m: { qname: labels('www', 'example', 'test'), an: [opt()] } },
    { name: 'OPT in the authority section', m: { qname: labels('www', 'example', 'test'), ns: [opt()] } },
    {
      name: 'OPT not owned by the root',
      m: { qname: labels('www', 'example', 'test'), ar: [rr(labels('x'), 41, Buffer.alloc(0), 1232)] },
    },
    {
      name: 'an option longer than the OPT RDATA',
      m: { qname: labels('www', 'example', 'test'), ar: [opt(option(10, Buffer.alloc(8), 12))] },
    },
    {
      name: 'an option longer than the OPT RDATA, then TSIG',
      m: { qname: labels('www', 'example', 'test'), ar: [opt(option(10, Buffer.alloc(8), 200)), TSIG] },
    },
    {
      name: 'a truncated option header',
      m: { qname: labels('www', 'example', 'test'), ar: [opt(Buffer.from([0, 10]))] },
    },
  ]
  for (const c of formerr) {
    test(`FORMERR: ${c.name}`, async () => {
      const r = await ask(message(c.m))
      assert.equal(r[3]! & 0xf, FORMERR)
    })
  }

  test('valid options and a TSIG after the OPT are answered, OPT echoed', async () => {
    const cookie = option(10, Buffer.from('0123456789abcdef', 'latin1'))
    const r = await ask(message({ qname: labels('www', 'example', 'test'), ar: [opt(cookie), TSIG] }))
    assert.equal(r[3]! & 0xf, NOERROR)
    assert.equal(r.readUInt16BE(6), 1, 'one answer')
    assert.equal(r.readUInt16BE(10), 1, 'our OPT')
  })

  const notimp = [
    { name: 'opcode 3, no question', m: { opcode: 3 } },
    { name: 'opcode 15, an unreadable question', m: { opcode: 15, qname: Buffer.from([1, 0x61, 0xc0, 12]) } },
    {
      name: 'opcode 5 (UPDATE), two OPTs',
      m: { opcode: 5, qname: labels('c', 'k8s', 'local'), ar: [opt(), opt()] },
    },
  ]
  for (const c of notimp) {
    test(`NOTIMP before FORMERR: ${c.name}`, async () => {
      const r = await ask(message(c.m))
      assert.equal(r[3]! & 0xf, NOTIMP)
      assert.equal((r[2]! >> 3) & 0xf, c.m.opcode, 'opcode echoed')
    })
  }
})
