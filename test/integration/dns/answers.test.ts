// Every answer rule of the DNS sink, checked with dig against a real server on 127.0.0.1.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { dig } from './dig.ts'
import { startFixture } from './fixture.ts'
import type { DnsServer } from '../../../lib/sinks/dns/server.ts'

const SOA = 'c.k8s.local. 5 IN SOA localhost. hostmaster.c.k8s.local. 7 60 10 3600 5'

describe('dns answers (dig)', { timeout: 60_000 }, () => {
  let server: DnsServer
  let port = 0
  before(async () => {
    ;({ server, port } = await startFixture())
  })
  after(() => server.close())

  const cases = [
    {
      name: 'A with two addresses, authoritative',
      args: ['api.internal.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: ['api.internal.c.k8s.local. 60 IN A 10.0.0.1', 'api.internal.c.k8s.local. 60 IN A 10.0.0.2'],
      authority: [],
    },
    {
      name: 'AAAA',
      args: ['api.internal.c.k8s.local', 'AAAA'],
      status: 'NOERROR',
      answer: ['api.internal.c.k8s.local. 60 IN AAAA fd00::1'],
      authority: [],
    },
    {
      name: 'mixed case is matched and echoed in question and answer',
      args: ['API.Internal.C.K8S.local', 'A'],
      status: 'NOERROR',
      answer: ['API.Internal.C.K8S.local. 60 IN A 10.0.0.1', 'API.Internal.C.K8S.local. 60 IN A 10.0.0.2'],
      authority: [],
    },
    {
      name: 'CNAME chased inside our data, the chain in the answer',
      args: ['twice.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: [
        'twice.c.k8s.local. 30 IN CNAME alias.c.k8s.local.',
        'alias.c.k8s.local. 30 IN CNAME api.internal.c.k8s.local.',
        'api.internal.c.k8s.local. 60 IN A 10.0.0.1',
        'api.internal.c.k8s.local. 60 IN A 10.0.0.2',
      ],
      authority: [],
    },
    {
      name: 'CNAME query returns the CNAME only',
      args: ['alias.c.k8s.local', 'CNAME'],
      status: 'NOERROR',
      answer: ['alias.c.k8s.local. 30 IN CNAME api.internal.c.k8s.local.'],
      authority: [],
    },
    {
      name: 'CNAME leaving our zones: the chain only, for the resolver to follow',
      args: ['away.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: ['away.c.k8s.local. 30 IN CNAME www.example.org.'],
      authority: [],
    },
    {
      name: 'CNAME to a missing name in our zone: NXDOMAIN with the chain and SOA',
      args: ['dangling.c.k8s.local', 'A'],
      status: 'NXDOMAIN',
      answer: ['dangling.c.k8s.local. 30 IN CNAME missing.c.k8s.local.'],
      authority: [SOA],
    },
    {
      name: 'SOA at the apex',
      args: ['c.k8s.local', 'SOA'],
      status: 'NOERROR',
      answer: [SOA],
      authority: [],
    },
    {
      name: 'NS at the apex',
      args: ['c.k8s.local', 'NS'],
      status: 'NOERROR',
      answer: ['c.k8s.local. 60 IN NS localhost.'],
      authority: [],
    },
    {
      name: 'unknown name: NXDOMAIN with SOA in authority',
      args: ['nope.c.k8s.local', 'A'],
      status: 'NXDOMAIN',
      answer: [],
      authority: [SOA],
    },
    {
      name: 'known name, missing type: NODATA with SOA',
      args: ['www.example.test', 'AAAA'],
      status: 'NOERROR',
      answer: [],
      authority: ['example.test. 5 IN SOA localhost. hostmaster.example.test. 7 60 10 3600 5'],
    },
    {
      name: 'empty non-terminal: NODATA, not NXDOMAIN',
      args: ['internal.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: [],
      authority: [SOA],
    },
    {
      name: 'other types at a name: NODATA',
      args: ['api.internal.c.k8s.local', 'MX'],
      status: 'NOERROR',
      answer: [],
      authority: [SOA],
    },
    {
      name: 'ANY answered minimally with one RRset (RFC 8482)',
      args: ['api.internal.c.k8s.local', 'ANY'],
      status: 'NOERROR',
      answer: ['api.internal.c.k8s.local. 60 IN A 10.0.0.1', 'api.internal.c.k8s.local. 60 IN A 10.0.0.2'],
      authority: [],
    },
    {
      name: 'outside our zones (even when the replica has the name): REFUSED, not authoritative',
      args: ['outside.example.org', 'A'],
      status: 'REFUSED',
      answer: [],
      authority: [],
    },
    {
      name: 'class CH: REFUSED',
      args: ['-c', 'CH', 'version.bind', 'TXT'],
      status: 'REFUSED',
      answer: [],
      authority: [],
    },
    {
      name: 'opcode other than QUERY: NOTIMP',
      args: ['+opcode=status', 'api.internal.c.k8s.local', 'A'],
      status: 'NOTIMP',
      answer: [],
      authority: [],
    },
    {
      name: 'over TCP',
      args: ['+tcp', 'www.example.test', 'A'],
      status: 'NOERROR',
      answer: ['www.example.test. 60 IN A 192.0.2.10'],
      authority: [],
    },
    {
      name: 'wildcard: a name below its parent gets its records, owned by the query name',
      args: ['foo.apps.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: ['foo.apps.c.k8s.local. 60 IN A 10.2.0.1'],
      authority: [],
    },
    {
      name: 'wildcard: also several labels below the closest encloser',
      args: ['a.b.apps.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: ['a.b.apps.c.k8s.local. 60 IN A 10.2.0.1'],
      authority: [],
    },
    {
      name: 'wildcard: an existing name is answered from its own records',
      args: ['exists.apps.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: ['exists.apps.c.k8s.local. 60 IN A 10.2.0.9'],
      authority: [],
    },
    {
      name: 'wildcard: below an existing name the closest encloser has no wildcard: NXDOMAIN',
      args: ['x.exists.apps.c.k8s.local', 'A'],
      status: 'NXDOMAIN',
      answer: [],
      authority: [SOA],
    },
    {
      name: 'wildcard: a type it lacks is NODATA',
      args: ['foo.apps.c.k8s.local', 'AAAA'],
      status: 'NOERROR',
      answer: [],
      authority: [SOA],
    },
    {
      name: 'wildcard: its parent is an empty non-terminal (NODATA), not covered',
      args: ['apps.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: [],
      authority: [SOA],
    },
    {
      name: 'wildcard: the literal owner name matches itself',
      args: ['*.apps.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: ['*.apps.c.k8s.local. 60 IN A 10.2.0.1'],
      authority: [],
    },
    {
      name: 'wildcard CNAME: answered alone, for the resolver to follow',
      args: ['x.web.c.k8s.local', 'A'],
      status: 'NOERROR',
      answer: ['x.web.c.k8s.local. 30 IN CNAME api.internal.c.k8s.local.'],
      authority: [],
    },
  ]
  for (const c of cases) {
    test(c.name, async () => {
      const r = await dig(port, ...c.args)
      assert.equal(r.status, c.status, r.raw)
      assert.deepEqual(r.answer, c.answer, r.raw)
      assert.deepEqual(r.authority, c.authority, r.raw)
      const authoritative = !['REFUSED', 'NOTIMP'].includes(c.status)
      assert.equal(r.flags.includes('aa'), authoritative, r.raw)
    })
  }

  test('question case is echoed in the question section', async () => {
    const r = await dig(port, 'WwW.ExAmPlE.TeSt', 'A')
    assert.match(r.question, /^WwW\.ExAmPlE\.TeSt\.\s+IN\s+A$/, r.raw)
  })

  test('EDNS0: OPT echoed with our payload size, absent without EDNS, DO copied', async () => {
    const withEdns = await dig(port, '+bufsize=4096', 'www.example.test', 'A')
    assert.deepEqual(withEdns.edns, { version: 0, flags: [], udp: 1232 }, withEdns.raw)
    const noEdns = await dig(port, '+noedns', 'www.example.test', 'A')
    assert.equal(noEdns.edns, undefined, noEdns.raw)
    assert.equal(noEdns.status, 'NOERROR')
    const dnssec = await dig(port, '+dnssec', 'www.example.test', 'A')
    assert.deepEqual(dnssec.edns?.flags, ['do'], dnssec.raw)
  })

  test('EDNS version 1: BADVERS', async () => {
    const r = await dig(port, '+edns=1', '+noednsnegotiation', 'www.example.test', 'A')
    assert.equal(r.status, 'BADVERS', r.raw)
    assert.equal(r.edns?.version, 0, r.raw)
  })

  // A TSIG record sends the query down the slow path; the server ignores the signature (dig warns
  // that the answer is unsigned, which is not what these cases check).
  const TSIG = ['-y', 'hmac-sha256:k1:c2VjcmV0c2VjcmV0c2VjcmV0']
  for (const via of [
    { name: 'fast path', args: [] },
    { name: 'slow path (TSIG)', args: TSIG },
  ]) {
    test(`a label holding a dot stays one label (${via.name}): NXDOMAIN, question as sent`, async () => {
      const r = await dig(port, ...via.args, 'api\\.internal.c.k8s.local', 'A')
      assert.equal(r.status, 'NXDOMAIN', r.raw)
      assert.match(r.question, /^api\\\.internal\.c\.k8s\.local\.\s+IN\s+A$/, r.raw)
      assert.deepEqual(r.answer, [], r.raw)
    })
  }

  test('slow path (TSIG): the question case is echoed and the name answered', async () => {
    const r = await dig(port, ...TSIG, 'API.Internal.c.k8s.local', 'A')
    assert.equal(r.status, 'NOERROR', r.raw)
    assert.match(r.question, /^API\.Internal\.c\.k8s\.local\.\s+IN\s+A$/, r.raw)
    assert.equal(r.answer.length, 2, r.raw)
  })

  test('unknown opcode without a question: NOTIMP, not FORMERR', async () => {
    const r = await dig(port, '+header-only', '+opcode=3')
    assert.equal(r.status, 'NOTIMP', r.raw)
  })

  const truncation = [
    { name: 'no EDNS: 512 bytes, TC set', args: ['+noedns', '+ignore'], tc: true, answers: 0 },
    { name: 'EDNS payload 700 honoured: TC set', args: ['+bufsize=700', '+ignore'], tc: true, answers: 0 },
    { name: 'EDNS payload 1232: fits', args: ['+bufsize=1232', '+ignore'], tc: false, answers: 60 },
    { name: 'TCP: no limit', args: ['+tcp', '+noedns'], tc: false, answers: 60 },
    { name: 'dig retries a truncated answer over TCP', args: ['+noedns'], tc: false, answers: 60 },
  ]
  for (const c of truncation) {
    test(`truncation: ${c.name}`, async () => {
      const r = await dig(port, ...c.args, 'big.c.k8s.local', 'A')
      assert.equal(r.flags.includes('tc'), c.tc, r.raw)
      assert.equal(r.answer.length, c.answers, r.raw)
    })
  }

  test('TCP: several pipelined queries on one connection', async () => {
    const r = await dig(
      port,
      '+tcp',
      '+keepopen',
      'www.example.test',
      'A',
      'api.internal.c.k8s.local',
      'AAAA',
    )
    assert.match(r.raw, /www\.example\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.10/)
    assert.match(r.raw, /api\.internal\.c\.k8s\.local\.\s+60\s+IN\s+AAAA\s+fd00::1/)
  })
})
