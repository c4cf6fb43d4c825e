// Forwarding, cache swaps, malformed input and metrics of the DNS server.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { execFile } from 'node:child_process'
import { connect } from 'node:net'
import { once } from 'node:events'
import { dig } from './dig.ts'
import { RECORDS, startFixture } from './fixture.ts'
import { buildCache } from '../../../lib/sinks/dns/cache.ts'
import { framed, query } from './packets.ts'
import { udpExchange } from './udp.ts'

test('names outside our zones are forwarded to --upstream (UDP and TCP)', { timeout: 30_000 }, async (t) => {
  const upstream = await startFixture({ zones: ['example.org'] })
  t.after(() => upstream.server.close())
  const { server, port } = await startFixture({ upstreams: [{ host: '127.0.0.1', port: upstream.port }] })
  t.after(() => server.close())
  for (const proto of ['+notcp', '+tcp']) {
    const r = await dig(port, proto, 'Outside.Example.org', 'A')
    assert.equal(r.status, 'NOERROR', r.raw)
    assert.deepEqual(r.answer, ['Outside.Example.org. 60 IN A 192.0.2.99'], r.raw)
  }
  // Our own zones are still answered by us.
  assert.equal((await dig(port, 'www.example.test', 'A')).answer.length, 1)
})

test('a dead upstream gives SERVFAIL after the timeout', { timeout: 30_000 }, async (t) => {
  const sink = createSocket('udp4')
  sink.bind(0, '127.0.0.1')
  await once(sink, 'listening')
  t.after(() => sink.close())
  const { server, port } = await startFixture({
    upstreams: [{ host: '127.0.0.1', port: sink.address().port }],
    upstreamTimeoutMs: 300,
  })
  t.after(() => server.close())
  const r = await dig(port, 'www.example.org', 'A')
  assert.equal(r.status, 'SERVFAIL', r.raw)
})

test('a new cache is served at once after a swap', { timeout: 30_000 }, async (t) => {
  const { server, port } = await startFixture()
  t.after(() => server.close())
  assert.equal((await dig(port, 'new.c.k8s.local', 'A')).status, 'NXDOMAIN')
  server.setCache(
    buildCache([...RECORDS, { name: 'new.c.k8s.local', type: 'A', values: ['10.9.0.1'], ttlSeconds: 60 }], {
      zones: ['c.k8s.local'],
      serial: 8,
    }),
  )
  const r = await dig(port, 'new.c.k8s.local', 'A')
  assert.deepEqual(r.answer, ['new.c.k8s.local. 60 IN A 10.9.0.1'], r.raw)
})

test(
  'malformed queries: FORMERR or dropped, counted, and the next query is answered',
  { timeout: 30_000 },
  async (t) => {
    const { server, port, registry } = await startFixture()
    t.after(() => server.close())
    const noQuestion = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0])
    const formerr = await udpExchange(port, noQuestion)
    assert.ok(formerr !== undefined)
    assert.equal(formerr.readUInt16BE(0), 0x1234)
    assert.equal(formerr[3]! & 0xf, 1, 'FORMERR')
    // Cut inside the question: FORMERR too.
    const cut = Buffer.from([0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x77, 0x77])
    assert.equal(((await udpExchange(port, cut))?.[3] ?? 0) & 0xf, 1)
    // Too short for a header, and a response: no answer.
    assert.equal(await udpExchange(port, Buffer.from([1, 2, 3])), undefined)
    const response = Buffer.from(noQuestion)
    response[2] = 0x81
    assert.equal(await udpExchange(port, response), undefined)
    // TCP: a 3-byte frame and an empty one (both short), then a valid query.
    const sock = connect(port, '127.0.0.1')
    t.after(() => sock.destroy())
    await once(sock, 'connect')
    sock.write(Buffer.from([0, 3, 1, 2, 3, 0, 0]))
    sock.write(framed(query('www.example.test', 1, 0x5151)))
    const [answer] = (await once(sock, 'data')) as [Buffer]
    assert.equal(answer.readUInt16BE(2), 0x5151, 'the answer to the valid query, on the same connection')
    assert.equal(answer[5]! & 0xf, 0, 'NOERROR')
    assert.equal((await dig(port, 'www.example.test', 'A')).status, 'NOERROR')
    const text = await registry.metrics()
    assert.match(text, /dns_controller_dns_dropped_total\{reason="short"\} 3/)
    assert.match(text, /dns_controller_dns_dropped_total\{reason="response"\} 1/)
    assert.match(text, /dns_controller_dns_queries_total\{transport="udp",qtype="other",rcode="FORMERR"\} 2/)
    assert.match(text, /dns_controller_dns_queries_total\{transport="udp",qtype="A",rcode="NOERROR"\} 1/)
    assert.match(text, /dns_controller_dns_queries_total\{transport="tcp",qtype="A",rcode="NOERROR"\} 1/)
  },
)

test('a TCP client that never reads its answers is cut off', { timeout: 30_000 }, async (t) => {
  // 4000 addresses: every answer is ~64 KB, so a few hundred unread ones fill the socket buffers.
  const huge = Array.from({ length: 4000 }, (_, i) => `10.3.${i >> 8}.${i & 255}`)
  const { server, port, registry } = await startFixture({
    records: [{ name: 'huge.c.k8s.local', type: 'A', values: huge, ttlSeconds: 60 }],
  })
  t.after(() => server.close())
  const sock = connect(port, '127.0.0.1')
  sock.on('error', () => {})
  t.after(() => sock.destroy())
  await once(sock, 'connect')
  sock.pause() // never read: answers pile up on the server
  const q = Buffer.concat(Array.from({ length: 50 }, () => framed(query('huge.c.k8s.local', 1, 1))))
  const cutOff = async (): Promise<boolean> =>
    /dns_controller_dns_dropped_total\{reason="tcp-backlog"\} 1/.test(await registry.metrics())
  const deadline = Date.now() + 20_000
  while (!(await cutOff())) {
    assert.ok(Date.now() < deadline, 'the connection was never cut off')
    // once() rejects on 'error' (ECONNRESET once the server has cut us off): that is expected.
    if (!sock.destroyed && !sock.write(q))
      await Promise.race([once(sock, 'drain').catch(() => {}), new Promise((r) => setTimeout(r, 50))])
  }
})

test(
  'an IPv6 listener answers over UDP and TCP (replies go back to v6 literals)',
  { timeout: 30_000 },
  async (t) => {
    const { server, port } = await startFixture({ listen: { host: '::1', port: 0 } })
    t.after(() => server.close())
    for (const proto of ['+notcp', '+tcp']) {
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          'dig',
          ['@::1', '-p', String(port), '+norec', '+tries=1', '+time=2', proto, 'www.example.test', 'A'],
          { timeout: 10_000 },
          (err, stdout) => (err !== null ? reject(err) : resolve(stdout)),
        ),
      )
      assert.match(out, /status: NOERROR/, out)
      assert.match(out, /www\.example\.test\.\s+\d+\s+IN\s+A\s+/, out)
    }
  },
)
