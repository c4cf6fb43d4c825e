import { test } from 'node:test'
import assert from 'node:assert/strict'
import { endpointSliceView, seedsFromSlices } from '../../../lib/k8s/gossip-seeds.ts'

function slice(fields: {
  service?: string
  addressType?: string
  endpoints?: unknown[]
  ports?: unknown[]
}): unknown {
  return {
    metadata: { name: 's-1', labels: { 'kubernetes.io/service-name': fields.service ?? 'agents' } },
    addressType: fields.addressType ?? 'IPv4',
    endpoints: fields.endpoints ?? [],
    ports: fields.ports ?? [],
  }
}

test('endpointSliceView keeps ready addresses of our Service only', () => {
  const cases = [
    {
      name: 'ready, unknown readiness, and not ready',
      obj: slice({
        endpoints: [
          { addresses: ['10.0.0.2'], conditions: { ready: true } },
          { addresses: ['10.0.0.1'] },
          { addresses: ['10.0.0.3'], conditions: { ready: false } },
        ],
        ports: [{ name: 'gossip', port: 3999, protocol: 'TCP' }],
      }),
      want: { addresses: ['10.0.0.1', '10.0.0.2'], ports: [{ name: 'gossip', port: 3999 }] },
    },
    { name: 'another service', obj: slice({ service: 'other' }), want: undefined },
    { name: 'FQDN slices', obj: slice({ addressType: 'FQDN' }), want: undefined },
    { name: 'not an object', obj: 'garbage', want: undefined },
    {
      name: 'malformed entries are skipped',
      obj: slice({
        endpoints: [null, { addresses: [7, '10.0.0.9'] }],
        ports: [{ port: 'x' }, { port: 53, protocol: 'UDP' }],
      }),
      want: { addresses: ['10.0.0.9'], ports: [] },
    },
  ]
  for (const c of cases) assert.deepEqual(endpointSliceView(c.obj, 'agents'), c.want, c.name)
})

test('seedsFromSlices picks ports by name, a lone port, or the listen port', () => {
  const listen = { primary: 3999, secondary: 4000 }
  const cases = [
    {
      name: 'named ports',
      slices: [
        {
          addresses: ['10.0.0.1'],
          ports: [
            { name: 'gossip', port: 5000 },
            { name: 'gossip-secondary', port: 5001 },
          ],
        },
      ],
      want: { primary: [{ host: '10.0.0.1', port: 5000 }], secondary: [{ host: '10.0.0.1', port: 5001 }] },
    },
    {
      name: 'a lone unnamed port is the primary one',
      slices: [{ addresses: ['10.0.0.1'], ports: [{ name: '', port: 6000 }] }],
      want: { primary: [{ host: '10.0.0.1', port: 6000 }], secondary: [{ host: '10.0.0.1', port: 4000 }] },
    },
    {
      name: 'no ports: our listen ports',
      slices: [{ addresses: ['10.0.0.1', '10.0.0.2'], ports: [] }],
      want: {
        primary: [
          { host: '10.0.0.1', port: 3999 },
          { host: '10.0.0.2', port: 3999 },
        ],
        secondary: [
          { host: '10.0.0.1', port: 4000 },
          { host: '10.0.0.2', port: 4000 },
        ],
      },
    },
  ]
  for (const c of cases) assert.deepEqual(seedsFromSlices(c.slices, listen), c.want, c.name)
  assert.deepEqual(
    seedsFromSlices([{ addresses: ['10.0.0.1'], ports: [] }], { primary: 1, secondary: undefined }).secondary,
    [],
  )
})
