import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  apiExternalFromNode,
  apiExternalStatic,
  apiInternalRecords,
  checkApiserverOptions,
} from '../../../lib/records/apiserver.ts'
import type { ApiserverOptions } from '../../../lib/records/apiserver.ts'
import { RecordPipeline } from '../../../lib/records/pipeline.ts'
import { projectEndpointSlice } from '../../../lib/records/project.ts'
import type { EndpointSliceView } from '../../../lib/records/views.ts'
import { syncObjects } from '../../../lib/sources/objects.ts'
import { externalIP, internalIP, node, opts, pod } from './fixtures.ts'

const API: ApiserverOptions = { clusterName: 'c.local', externalAddresses: [] }
const ZONES = ['local']

function slice(
  s: { ns?: string; service?: string; name?: string; ready?: string[] } = {},
): EndpointSliceView {
  const ns = s.ns ?? 'default'
  const name = s.name ?? 'kubernetes'
  return {
    kind: 'EndpointSlice',
    ref: { kind: 'EndpointSlice', namespace: ns, name },
    key: `${ns}/${name}`,
    serviceName: s.service ?? 'kubernetes',
    readyAddresses: s.ready ?? ['10.0.0.1'],
  }
}

const lines = (r: { records: readonly { type: string; fqdn: string; value: string }[] }): string[] =>
  r.records.map((x) => `${x.fqdn} ${x.type} ${x.value}`)

test('api.internal: the ready addresses of default/kubernetes slices only', () => {
  const cases = [
    {
      name: 'IPv4 and IPv6',
      s: slice({ ready: ['10.0.0.1', 'fd00::1'] }),
      want: ['api.internal.c.local. A 10.0.0.1', 'api.internal.c.local. AAAA fd00::1'],
    },
    { name: 'another Service', s: slice({ service: 'web', name: 'web-abc' }), want: [] },
    { name: 'another namespace', s: slice({ ns: 'kube-system' }), want: [] },
    { name: 'no ready endpoint', s: slice({ ready: [] }), want: [] },
  ]
  for (const c of cases) assert.deepEqual(lines(apiInternalRecords(c.s, API, ZONES)), c.want, c.name)
  const bad = apiInternalRecords(slice({ ready: ['10.0.0.1', 'not-an-ip'] }), API, ZONES)
  assert.deepEqual(lines(bad), ['api.internal.c.local. A 10.0.0.1'])
  assert.deepEqual(
    bad.problems.map((p) => p.kind),
    ['invalid-address'],
  )
  assert.deepEqual(
    apiInternalRecords(slice(), API, ['example.com']).problems.map((p) => p.kind),
    ['outside-zones'],
  )
})

test('projection: not-ready endpoints are left out; an absent condition means ready', () => {
  const p = projectEndpointSlice({
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['10.0.0.1'], conditions: { ready: true } },
      { addresses: ['10.0.0.2'], conditions: { ready: false } },
      { addresses: ['10.0.0.3'] },
    ],
  })
  assert.ok(p.ok)
  assert.deepEqual(p.view.readyAddresses, ['10.0.0.1', '10.0.0.3'])
  assert.equal(p.view.serviceName, 'kubernetes')
  const bad = projectEndpointSlice({ kind: 'EndpointSlice', metadata: { name: 'x' }, endpoints: 'nope' })
  assert.equal(bad.ok, false)
})

test('api: control-plane ExternalIPs without --api-external-address; given addresses otherwise', () => {
  const cp = node({
    name: 'cp',
    role: 'control-plane',
    addresses: [internalIP('10.0.0.1'), externalIP('203.0.113.1')],
  })
  const master = node({ name: 'm', role: 'master', addresses: [externalIP('2001:db8::1')] })
  const worker = node({ name: 'w', role: 'node', addresses: [externalIP('203.0.113.9')] })
  assert.deepEqual(lines(apiExternalFromNode(cp, API, ZONES)), ['api.c.local. A 203.0.113.1'])
  assert.deepEqual(lines(apiExternalFromNode(master, API, ZONES)), ['api.c.local. AAAA 2001:db8::1'])
  assert.deepEqual(lines(apiExternalFromNode(worker, API, ZONES)), [])
  const withIps = { ...API, externalAddresses: ['198.51.100.1', '2001:db8::2'] }
  assert.deepEqual(
    lines(apiExternalFromNode(cp, withIps, ZONES)),
    [],
    'nodes do not count when addresses are given',
  )
  assert.deepEqual(lines(apiExternalStatic(withIps, ZONES)), [
    'api.c.local. A 198.51.100.1',
    'api.c.local. AAAA 2001:db8::2',
  ])
  assert.deepEqual(lines(apiExternalStatic({ ...API, externalAddresses: ['LB.Example.NET.'] }, ZONES)), [
    'api.c.local. CNAME lb.example.net',
  ])
})

test('checkApiserverOptions: bad names, names outside the zones, a hostname with other values', () => {
  const cases = [
    { name: 'fine', o: API, zones: ZONES, want: undefined },
    { name: 'invalid', o: { ...API, clusterName: 'a..b' }, zones: ZONES, want: /not make a valid DNS name/ },
    { name: 'outside', o: API, zones: ['example.com'], want: /outside the permitted zones/ },
    {
      name: 'hostname plus IP',
      o: { ...API, externalAddresses: ['lb.example.net', '1.2.3.4'] },
      zones: ZONES,
      want: /must be the only value/,
    },
    {
      name: 'garbage',
      o: { ...API, externalAddresses: ['-x-'] },
      zones: ZONES,
      want: /neither an IP nor a valid hostname/,
    },
  ]
  for (const c of cases) {
    const got = checkApiserverOptions(c.o, c.zones)
    if (c.want === undefined) assert.equal(got, undefined, c.name)
    else assert.match(got ?? '', c.want, c.name)
  }
})

function pipeline(api: ApiserverOptions | 'off' = API): RecordPipeline {
  return new RecordPipeline({
    ...opts({ zones: ZONES }),
    watchIngress: false,
    ...(api === 'off' ? {} : { apiserver: api }),
  })
}

const show = (p: RecordPipeline): string[] =>
  (p.snapshot()?.records ?? []).map((r) => `${r.name} ${r.type} ${r.values.join(',')}`)

test('pipeline: no annotations at all → api.internal and api from the slice and the control-plane node', () => {
  const p = pipeline()
  assert.deepEqual(p.kinds, ['Node', 'Pod', 'Service', 'EndpointSlice'])
  p.upsert(
    node({
      name: 'cp',
      role: 'control-plane',
      addresses: [internalIP('10.0.0.1'), externalIP('203.0.113.1')],
    }),
  )
  p.upsert(slice({ ready: ['10.0.0.1'] }))
  for (const k of ['Node', 'Pod', 'Service'] as const) p.markSynced(k)
  assert.equal(p.snapshot(), undefined, 'the EndpointSlice scope gates publishing too')
  p.markSynced('EndpointSlice')
  assert.deepEqual(show(p), ['api.c.local A 203.0.113.1', 'api.internal.c.local A 10.0.0.1'])
  // The apiserver stops being ready, then advertises another address; the node goes.
  p.upsert(slice({ ready: [] }))
  assert.deepEqual(show(p), ['api.c.local A 203.0.113.1'])
  p.upsert(slice({ ready: ['10.0.0.2'] }))
  assert.deepEqual(show(p), ['api.c.local A 203.0.113.1', 'api.internal.c.local A 10.0.0.2'])
  p.remove('Node', 'cp')
  assert.deepEqual(show(p), ['api.internal.c.local A 10.0.0.2'])
})

test('pipeline: with kOps annotations the slice wins for its name while it has an address', () => {
  const p = pipeline()
  p.upsert(node({ name: 'cp', role: 'control-plane', addresses: [internalIP('10.0.0.1')] }))
  p.upsert(
    pod({
      name: 'kube-apiserver-cp',
      nodeName: 'cp',
      annotations: { internal: 'api.internal.c.local' },
      podIPs: ['10.0.0.1'],
    }),
  )
  p.upsert(
    pod({ name: 'other', nodeName: 'cp', annotations: { internal: 'other.c.local' }, podIPs: ['10.0.0.1'] }),
  )
  p.upsert(slice({ ready: ['10.0.0.9'] }))
  for (const k of p.kinds) p.markSynced(k)
  assert.deepEqual(show(p), ['api.internal.c.local A 10.0.0.9', 'other.c.local A 10.0.0.1'])
  p.upsert(slice({ ready: [] }))
  assert.deepEqual(
    show(p),
    ['api.internal.c.local A 10.0.0.1', 'other.c.local A 10.0.0.1'],
    'annotations stand in',
  )
})

test('pipeline: a static --api-external-address CNAME replaces annotation addresses for api.NAME', () => {
  const p = pipeline({ ...API, externalAddresses: ['lb.example.net'] })
  p.upsert(node({ name: 'cp', role: 'control-plane', addresses: [externalIP('203.0.113.1')] }))
  p.upsert(
    pod({
      name: 'kube-apiserver-cp',
      nodeName: 'cp',
      annotations: { external: 'api.c.local' },
      podIPs: ['10.0.0.1'],
    }),
  )
  for (const k of p.kinds) p.markSynced(k)
  assert.deepEqual(show(p), ['api.c.local CNAME lb.example.net'])
  assert.deepEqual(p.snapshot()?.problems, [])
})

test('without --cluster-name EndpointSlices make nothing and gate nothing; with it, manifests feed them', () => {
  const off = pipeline('off')
  assert.deepEqual(off.kinds, ['Node', 'Pod', 'Service'])
  const objects = [
    {
      kind: 'EndpointSlice',
      metadata: {
        name: 'kubernetes',
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': 'kubernetes' },
      },
      endpoints: [{ addresses: ['10.0.0.5'] }],
    },
  ]
  assert.deepEqual(syncObjects(off, objects), { used: 0, skipped: 1 })
  assert.deepEqual(show(off), [])
  const on = pipeline()
  assert.deepEqual(syncObjects(on, objects, { watchNamespace: 'kube-system' }), { used: 1, skipped: 0 })
  assert.deepEqual(show(on), ['api.internal.c.local A 10.0.0.5'])
  syncObjects(on, [])
  assert.deepEqual(show(on), [], 'relist: a slice gone from the file is gone')
})
