import { test } from 'node:test'
import assert from 'node:assert/strict'
import { podRecords } from '../../../lib/records/build.ts'
import { mapNodeIndex } from '../../../lib/records/views.ts'
import { F6_NODE, node, internalIP, opts, pod } from './fixtures.ts'

const none = mapNodeIndex([])

test('kOps case: several pod IPs → those equal to node InternalIPs, in pod-IP order, external alias first', () => {
  const got = podRecords(
    pod({
      annotations: { internal: 'internal.a.foo.com,internal.b.foo.com', external: 'a.foo.com' },
      podIPs: ['10.0.0.1', 'fd00:1234:5678:abcd::1', '2001:db8:0:0:0:ff00:42:8329', '54.100.0.1'],
    }),
    mapNodeIndex([F6_NODE]),
    opts(),
  )
  assert.deepEqual(got.records, [
    { type: '_alias', fqdn: 'a.foo.com.', value: 'node/my-node/external' },
    { type: 'A', fqdn: 'internal.a.foo.com.', value: '10.0.0.1' },
    { type: 'AAAA', fqdn: 'internal.a.foo.com.', value: 'fd00:1234:5678:abcd::1' },
    { type: 'A', fqdn: 'internal.b.foo.com.', value: '10.0.0.1' },
    { type: 'AAAA', fqdn: 'internal.b.foo.com.', value: 'fd00:1234:5678:abcd::1' },
  ])
  assert.deepEqual(got.problems, [])
})

test('kOps case: one pod IP → used as is, with no Node known at all', () => {
  const got = podRecords(
    pod({
      annotations: { internal: 'internal.a.foo.com,internal.b.foo.com' },
      podIPs: ['fd00:1234:5678:abcd::1'],
    }),
    none,
    opts(),
  )
  assert.deepEqual(got.records, [
    { type: 'AAAA', fqdn: 'internal.a.foo.com.', value: 'fd00:1234:5678:abcd::1' },
    { type: 'AAAA', fqdn: 'internal.b.foo.com.', value: 'fd00:1234:5678:abcd::1' },
  ])
})

const cases = [
  {
    name: 'several IPs, node unknown → no internal records',
    pod: { annotations: { internal: 'i.foo.com' }, podIPs: ['10.0.0.1', 'fd00::1'] },
    nodes: none,
    want: [],
  },
  {
    name: 'no pod IPs yet → nothing',
    pod: { annotations: { internal: 'i.foo.com' }, podIPs: [] },
    nodes: mapNodeIndex([F6_NODE]),
    want: [],
  },
  {
    name: 'not scheduled → nothing',
    pod: { annotations: { internal: 'i.foo.com' }, nodeName: undefined },
    nodes: none,
    want: [],
  },
  {
    name: 'not ready → nothing',
    pod: { annotations: { internal: 'i.foo.com' }, ready: false },
    nodes: none,
    want: [],
  },
  {
    name: 'not ready with --publish-not-ready → published',
    pod: { annotations: { internal: 'i.foo.com' }, ready: false },
    nodes: none,
    options: { publishNotReady: true },
    want: [{ type: 'A', fqdn: 'i.foo.com.', value: '10.0.0.1' }],
  },
  {
    name: 'internal-ipv4/6 flags do not filter pod IPs',
    pod: { annotations: { internal: 'i.foo.com' }, podIPs: ['10.0.0.1', 'fd00::1'] },
    nodes: mapNodeIndex([node({ addresses: [internalIP('10.0.0.1'), internalIP('fd00::1')] })]),
    options: { internalIPv4: false, internalIPv6: true },
    want: [
      { type: 'A', fqdn: 'i.foo.com.', value: '10.0.0.1' },
      { type: 'AAAA', fqdn: 'i.foo.com.', value: 'fd00::1' },
    ],
  },
  {
    name: 'ipv4-mapped single pod IP → A',
    pod: { annotations: { internal: 'i.foo.com' }, podIPs: ['::ffff:10.1.2.3'] },
    nodes: none,
    want: [{ type: 'A', fqdn: 'i.foo.com.', value: '10.1.2.3' }],
  },
  {
    name: 'external only → alias even when the node is unknown',
    pod: { annotations: { external: 'e.foo.com' } },
    nodes: none,
    want: [{ type: '_alias', fqdn: 'e.foo.com.', value: 'node/my-node/external' }],
  },
] as const

for (const c of cases) {
  test(`podRecords: ${c.name}`, () => {
    const got = podRecords(
      pod({ ...c.pod, podIPs: 'podIPs' in c.pod ? [...c.pod.podIPs] : ['10.0.0.1'] }),
      c.nodes,
      opts('options' in c ? c.options : {}),
    )
    assert.deepEqual(got.records, c.want)
    assert.deepEqual(got.problems, [])
  })
}

test('terminating pods (not ready) stop publishing', () => {
  const got = podRecords(pod({ annotations: { internal: 'i.foo.com' }, ready: false }), none, opts())
  assert.deepEqual(got, { records: [], problems: [] })
})

test('annotated pod without hostNetwork → problem, no records', () => {
  const got = podRecords(pod({ annotations: { internal: 'i.foo.com' }, hostNetwork: false }), none, opts())
  assert.deepEqual(got.records, [])
  assert.deepEqual(
    got.problems.map((p) => p.kind),
    ['pod-not-host-network'],
  )
})

test('un-annotated pod without hostNetwork → silent', () => {
  assert.deepEqual(podRecords(pod({ hostNetwork: false }), none, opts()), { records: [], problems: [] })
})

test('bad names are problems, good ones still publish', () => {
  const got = podRecords(
    pod({ annotations: { internal: 'ok.foo.com, ,-bad.foo.com,x.nope.org' } }),
    none,
    opts(),
  )
  assert.deepEqual(got.records, [{ type: 'A', fqdn: 'ok.foo.com.', value: '10.0.0.1' }])
  assert.deepEqual(
    got.problems.map((p) => p.kind),
    ['empty-token', 'invalid-name', 'outside-zones'],
  )
})

test('an unparsable single pod IP is a problem', () => {
  const got = podRecords(pod({ annotations: { internal: 'i.foo.com' }, podIPs: ['garbage'] }), none, opts())
  assert.deepEqual(got.records, [])
  assert.deepEqual(
    got.problems.map((p) => p.kind),
    ['invalid-address'],
  )
})
