import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nodeRecords, roleAlias } from '../../../lib/records/build.ts'
import { nodeRole } from '../../../lib/records/project.ts'
import { externalIP, internalIP, node, opts } from './fixtures.ts'

// kOps' own test case
test('kOps case: role alias naming', () => {
  assert.equal(roleAlias('node', 'external'), 'node/role=node/external')
  assert.equal(roleAlias('node', 'internal'), 'node/role=node/internal')
})

for (const c of [
  {
    name: 'master wins over everything',
    labels: {
      'node-role.kubernetes.io/node': '',
      'node-role.kubernetes.io/control-plane': '',
      'node-role.kubernetes.io/master': '',
    },
    role: 'master',
  },
  {
    name: 'control-plane before node',
    labels: { 'node-role.kubernetes.io/node': '', 'node-role.kubernetes.io/control-plane': '' },
    role: 'control-plane',
  },
  {
    name: 'node before api-server',
    labels: { 'node-role.kubernetes.io/api-server': '', 'node-role.kubernetes.io/node': '' },
    role: 'node',
  },
  {
    name: 'api-server → apiserver',
    labels: { 'node-role.kubernetes.io/api-server': '', 'kubernetes.io/role': 'x' },
    role: 'apiserver',
  },
  { name: 'legacy kubernetes.io/role', labels: { 'kubernetes.io/role': 'spot' }, role: 'spot' },
  { name: 'empty legacy label → node', labels: { 'kubernetes.io/role': '' }, role: 'node' },
  { name: 'no labels → node', labels: {}, role: 'node' },
  {
    name: 'value of a role label does not matter',
    labels: { 'node-role.kubernetes.io/control-plane': 'true' },
    role: 'control-plane',
  },
]) {
  test(`nodeRole: ${c.name}`, () => assert.equal(nodeRole(c.labels), c.role))
}

const addresses = [
  internalIP('10.0.0.1'),
  internalIP('fd00::1'),
  externalIP('54.0.0.1'),
  externalIP('2001:db8::1'),
  { type: 'Hostname', address: 'ip-10-0-0-1' },
  { type: 'InternalDNS', address: 'ip-10-0-0-1.ec2.internal' },
]

const t = (fqdn: string, type: 'A' | 'AAAA', value: string) => ({ type, fqdn, value, aliasTarget: true })

for (const c of [
  {
    name: '--internal-ipv4',
    options: { internalIPv4: true, internalIPv6: false },
    want: [
      t('node/n1/internal', 'A', '10.0.0.1'),
      t('node/role=node/internal', 'A', '10.0.0.1'),
      t('node/n1/external', 'AAAA', 'fd00::1'),
      t('node/role=node/internal', 'AAAA', 'fd00::1'),
      t('node/n1/external', 'A', '54.0.0.1'),
      t('node/role=node/external', 'A', '54.0.0.1'),
      t('node/n1/external', 'AAAA', '2001:db8::1'),
      t('node/role=node/external', 'AAAA', '2001:db8::1'),
    ],
  },
  {
    name: '--internal-ipv6',
    options: { internalIPv4: false, internalIPv6: true },
    want: [
      t('node/role=node/internal', 'A', '10.0.0.1'),
      t('node/n1/internal', 'AAAA', 'fd00::1'),
      t('node/n1/external', 'AAAA', 'fd00::1'),
      t('node/role=node/internal', 'AAAA', 'fd00::1'),
      t('node/n1/external', 'A', '54.0.0.1'),
      t('node/role=node/external', 'A', '54.0.0.1'),
      t('node/n1/external', 'AAAA', '2001:db8::1'),
      t('node/role=node/external', 'AAAA', '2001:db8::1'),
    ],
  },
]) {
  test(`nodeRecords ${c.name}: alias targets only, IPv6 InternalIPs count as external, no Hostname targets`, () => {
    const got = nodeRecords(node({ name: 'n1', addresses }), opts(c.options))
    const key = (r: { fqdn: string; type: string; value: string }) => `${r.fqdn} ${r.type} ${r.value}`
    assert.deepEqual([...got.records].map(key).sort(), c.want.map(key).sort())
    assert.ok(got.records.every((r) => r.aliasTarget === true))
    assert.deepEqual(got.problems, [])
  })
}

test('nodeRecords: role from the view; ipv4-mapped InternalIP is IPv4; bad address is a problem', () => {
  const got = nodeRecords(
    node({
      name: 'cp',
      role: 'control-plane',
      addresses: [internalIP('::ffff:10.0.0.9'), externalIP('bogus')],
    }),
    opts(),
  )
  assert.deepEqual(got.records, [
    t('node/cp/internal', 'A', '10.0.0.9'),
    t('node/role=control-plane/internal', 'A', '10.0.0.9'),
  ])
  assert.deepEqual(
    got.problems.map((p) => p.kind),
    ['invalid-address'],
  )
})
