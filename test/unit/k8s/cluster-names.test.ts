import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clusterRecords, sliceProjection } from '../../../lib/k8s/cluster-names.ts'
import { clusterNamesFromArgs } from '../../../cmd/flags/cluster.ts'

const line = (r: { type: string; fqdn: string; value: string }) => `${r.fqdn} ${r.type} ${r.value}`

test('cluster names: api.internal from ready slice addresses, api from external addresses or control-plane nodes', () => {
  const cases = [
    {
      name: 'no external addresses: alias to control-plane ExternalIPs',
      slices: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.1', 'fd00::1'] }],
      external: [],
      want: [
        'api.internal.c.k8s.local. A 10.0.0.1',
        'api.internal.c.k8s.local. A 10.0.0.2',
        'api.internal.c.k8s.local. AAAA fd00::1',
        'api.c.k8s.local. _alias node/role=control-plane/external',
      ],
    },
    {
      name: 'external IPs',
      slices: [],
      external: ['203.0.113.1', '2001:db8::1'],
      want: ['api.c.k8s.local. A 203.0.113.1', 'api.c.k8s.local. AAAA 2001:db8::1'],
    },
    {
      name: 'external hostname',
      slices: [],
      external: ['lb.example.com'],
      want: ['api.c.k8s.local. CNAME lb.example.com'],
    },
  ]
  for (const c of cases)
    assert.deepEqual(clusterRecords('c.k8s.local', c.slices, c.external).map(line), c.want, c.name)
})

test('cluster names: EndpointSlice projection keeps ready IPs only', () => {
  const slice = {
    metadata: { name: 'kubernetes' },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.0.0.1'], conditions: { ready: true } },
      { addresses: ['10.0.0.2'] },
      { addresses: ['10.0.0.3'], conditions: { ready: false } },
      { addresses: ['not-an-ip'] },
    ],
  }
  assert.equal(sliceProjection.key(slice), 'kubernetes')
  assert.deepEqual(sliceProjection.view(slice), { addresses: ['10.0.0.1', '10.0.0.2'] })
  assert.equal(sliceProjection.view({ ...slice, addressType: 'FQDN' }), undefined)
})

test('cluster name flags: validated once, errors name the flag', () => {
  const zones = ['local']
  const cases = [
    { name: 'off', args: {}, want: undefined },
    {
      name: 'on',
      args: { 'cluster-name': 'C.k8s.local.' },
      want: { name: 'c.k8s.local', externalAddresses: [] },
    },
    {
      name: 'external without name',
      args: { 'api-external-address': ['1.2.3.4'] },
      error: /--api-external-address: needs --cluster-name/,
    },
    {
      name: 'outside zones',
      args: { 'cluster-name': 'c.example.com' },
      error: /--cluster-name: api.c.example.com is outside/,
    },
    {
      name: 'invalid',
      args: { 'cluster-name': 'bad_name.local' },
      error: /--cluster-name: "bad_name.local"/,
    },
    {
      name: 'CNAME not alone',
      args: { 'cluster-name': 'c.local', 'api-external-address': 'lb.example.com,1.2.3.4' },
      error: /must be the only value/,
    },
    {
      name: 'with --from',
      args: { 'cluster-name': 'c.local' },
      from: true,
      error: /--cluster-name: needs a cluster/,
    },
  ]
  for (const c of cases) {
    const run = () => clusterNamesFromArgs(c.args, zones, c.from ?? false)
    if (c.error !== undefined) assert.throws(run, c.error, c.name)
    else assert.deepEqual(run(), c.want, c.name)
  }
})
