import { test } from 'node:test'
import assert from 'node:assert/strict'
import { serviceRecords } from '../../../lib/records/build.ts'
import type { DnsRecord } from '../../../lib/records/types.ts'
import { EXT, INT, opts, service } from './fixtures.ts'

const cases: {
  name: string
  svc: Parameters<typeof service>[0]
  records: DnsRecord[]
  problems?: string[]
}[] = [
  { name: 'no annotations: nothing', svc: { lb: [{ ip: '1.2.3.4' }] }, records: [] },
  {
    name: 'empty annotations: nothing',
    svc: { annotations: { external: ' ', internal: '' }, lb: [{ ip: '1.2.3.4' }] },
    records: [],
  },
  {
    name: 'LoadBalancer ip → A, external then internal',
    svc: { annotations: { internal: 'i.foo.com', external: 'e.foo.com' }, lb: [{ ip: '1.2.3.4' }] },
    records: [
      { type: 'A', fqdn: 'e.foo.com.', value: '1.2.3.4' },
      { type: 'A', fqdn: 'i.foo.com.', value: '1.2.3.4' },
    ],
  },
  {
    name: 'LoadBalancer hostname → CNAME, ip → AAAA, entry with both gives both',
    svc: {
      annotations: { external: 'a.foo.com' },
      lb: [{ hostname: 'LB-1.elb.Amazonaws.com.', ip: 'fd00::5' }, { ip: '::ffff:1.2.3.4' }],
    },
    records: [
      { type: 'CNAME', fqdn: 'a.foo.com.', value: 'lb-1.elb.amazonaws.com' },
      { type: 'AAAA', fqdn: 'a.foo.com.', value: 'fd00::5' },
      { type: 'A', fqdn: 'a.foo.com.', value: '1.2.3.4' },
    ],
  },
  {
    name: 'LoadBalancer without ingress yet: nothing',
    svc: { annotations: { external: 'a.foo.com' } },
    records: [],
  },
  {
    name: 'LoadBalancer with a bad ip: problem, other entries kept',
    svc: { annotations: { external: 'a.foo.com' }, lb: [{ ip: 'not-an-ip' }, { ip: '1.2.3.4' }] },
    records: [{ type: 'A', fqdn: 'a.foo.com.', value: '1.2.3.4' }],
    problems: ['invalid-address'],
  },
  {
    name: 'NodePort external → alias to role=node external',
    svc: { type: 'NodePort', annotations: { external: 'a.foo.com,b.foo.com' } },
    records: [
      { type: '_alias', fqdn: 'a.foo.com.', value: 'node/role=node/external' },
      { type: '_alias', fqdn: 'b.foo.com.', value: 'node/role=node/external' },
    ],
  },
  {
    name: 'NodePort internal → alias to role=node internal',
    svc: { type: 'NodePort', annotations: { internal: 'a.foo.com' } },
    records: [{ type: '_alias', fqdn: 'a.foo.com.', value: 'node/role=node/internal' }],
  },
  {
    name: 'NodePort with both annotations: problem, no records',
    svc: { type: 'NodePort', annotations: { internal: 'a.foo.com', external: 'b.foo.com' } },
    records: [],
    problems: ['nodeport-both-annotations'],
  },
  {
    name: 'ClusterIP annotated: problem, no records',
    svc: { type: 'ClusterIP', annotations: { external: 'a.foo.com' } },
    records: [],
    problems: ['unsupported-service-type'],
  },
  {
    name: 'ExternalName annotated: problem',
    svc: { type: 'ExternalName', annotations: { internal: 'a.foo.com' } },
    records: [],
    problems: ['unsupported-service-type'],
  },
  { name: 'ClusterIP without annotations: silent', svc: { type: 'ClusterIP' }, records: [] },
  {
    name: 'empty tokens skipped, bad and out-of-zone names are problems, never records',
    svc: {
      annotations: { external: 'A.Foo.com,, bad_name.foo.com ,app.other.org,' },
      lb: [{ ip: '1.2.3.4' }],
    },
    records: [{ type: 'A', fqdn: 'a.foo.com.', value: '1.2.3.4' }],
    problems: ['empty-token', 'invalid-name', 'outside-zones', 'empty-token'],
  },
]

for (const c of cases) {
  test(`serviceRecords: ${c.name}`, () => {
    const got = serviceRecords(service(c.svc), opts())
    assert.deepEqual(got.records, c.records)
    assert.deepEqual(
      got.problems.map((p) => p.kind),
      c.problems ?? [],
    )
  })
}

test('problems carry the object and the annotation', () => {
  const got = serviceRecords(
    service({
      name: 'web',
      ns: 'shop',
      annotations: { internal: 'x.elsewhere.net' },
      lb: [{ ip: '1.2.3.4' }],
    }),
    opts(),
  )
  assert.deepEqual(got.problems, [
    {
      kind: 'outside-zones',
      object: { kind: 'Service', namespace: 'shop', name: 'web' },
      source: INT,
      name: 'x.elsewhere.net',
      zones: ['local', 'foo.com', 'example.com'],
    },
  ])
  void EXT
})
