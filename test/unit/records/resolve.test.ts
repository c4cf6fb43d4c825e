import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nodeRecords, podRecords, serviceRecords } from '../../../lib/records/build.ts'
import { resolveRecords } from '../../../lib/records/resolve.ts'
import type { OwnedRecords } from '../../../lib/records/resolve.ts'
import { mapNodeIndex } from '../../../lib/records/views.ts'
import { externalIP, internalIP, node, opts, pod, service } from './fixtures.ts'

const own = (v: { ref: OwnedRecords['ref'] }, r: { records: OwnedRecords['records'] }): OwnedRecords => ({
  ref: v.ref,
  records: r.records,
})

test('NodePort aliases resolve to every role=node worker, never control-plane nodes', () => {
  const o = opts()
  const w1 = node({ name: 'w1', addresses: [internalIP('10.0.0.2'), externalIP('54.0.0.2')] })
  const w2 = node({ name: 'w2', addresses: [internalIP('10.0.0.10'), externalIP('54.0.0.10')] })
  const cp = node({
    name: 'cp',
    role: 'control-plane',
    addresses: [internalIP('10.0.0.1'), externalIP('54.0.0.1')],
  })
  const svc = service({ type: 'NodePort', annotations: { external: 'np.foo.com' } })
  const got = resolveRecords([
    own(w1, nodeRecords(w1, o)),
    own(w2, nodeRecords(w2, o)),
    own(cp, nodeRecords(cp, o)),
    own(svc, serviceRecords(svc, o)),
  ])
  assert.deepEqual(got.records, [
    { name: 'np.foo.com', type: 'A', values: ['54.0.0.10', '54.0.0.2'], ttlSeconds: 60 },
  ])
  assert.deepEqual(got.problems, [])
})

test('one alias yields A and AAAA; values sorted as plain strings', () => {
  const o = opts()
  const n = node({
    name: 'my-node',
    addresses: [externalIP('54.0.0.9'), internalIP('fd00::1'), externalIP('54.0.0.10')],
  })
  const p = pod({ annotations: { external: 'E.foo.com' } })
  const got = resolveRecords([own(p, podRecords(p, mapNodeIndex([n]), o)), own(n, nodeRecords(n, o))])
  assert.deepEqual(got.records, [
    { name: 'e.foo.com', type: 'A', values: ['54.0.0.10', '54.0.0.9'], ttlSeconds: 60 },
    { name: 'e.foo.com', type: 'AAAA', values: ['fd00::1'], ttlSeconds: 60 },
  ])
})

test('alias to a missing node resolves to nothing and is a problem on the pointing object', () => {
  const p = pod({ name: 'orphan', annotations: { external: 'e.foo.com' }, nodeName: 'gone' })
  const got = resolveRecords([own(p, podRecords(p, mapNodeIndex([]), opts()))])
  assert.deepEqual(got.records, [])
  assert.deepEqual(got.problems, [
    { kind: 'unresolved-alias', object: p.ref, name: 'e.foo.com', target: 'node/gone/external' },
  ])
})

test('duplicates across sources are merged and de-duplicated', () => {
  const o = opts()
  const a = service({ name: 'a', annotations: { external: 'x.foo.com' }, lb: [{ ip: '1.2.3.4' }] })
  const b = service({
    name: 'b',
    annotations: { internal: 'x.foo.com,y.foo.com' },
    lb: [{ ip: '1.2.3.4' }, { ip: '1.2.3.5' }],
  })
  const p = pod({ annotations: { internal: 'x.foo.com' }, podIPs: ['1.2.3.4'] })
  const got = resolveRecords([
    own(a, serviceRecords(a, o)),
    own(b, serviceRecords(b, o)),
    own(p, podRecords(p, mapNodeIndex([]), o)),
  ])
  assert.deepEqual(got.records, [
    { name: 'x.foo.com', type: 'A', values: ['1.2.3.4', '1.2.3.5'], ttlSeconds: 60 },
    { name: 'y.foo.com', type: 'A', values: ['1.2.3.4', '1.2.3.5'], ttlSeconds: 60 },
  ])
})

test('a CNAME next to addresses is dropped with a problem; a lone CNAME stays', () => {
  const o = opts()
  const a = service({
    name: 'a',
    annotations: { external: 'x.foo.com,c.foo.com' },
    lb: [{ hostname: 'lb.example.net' }],
  })
  const b = service({ name: 'b', annotations: { external: 'x.foo.com' }, lb: [{ ip: '1.2.3.4' }] })
  const got = resolveRecords([own(a, serviceRecords(a, o)), own(b, serviceRecords(b, o))])
  assert.deepEqual(got.records, [
    { name: 'c.foo.com', type: 'CNAME', values: ['lb.example.net'], ttlSeconds: 60 },
    { name: 'x.foo.com', type: 'A', values: ['1.2.3.4'], ttlSeconds: 60 },
  ])
  assert.deepEqual(got.problems, [{ kind: 'cname-conflict', object: a.ref, name: 'x.foo.com' }])
})

test('output is sorted by name then type, whatever the input order', () => {
  const o = opts()
  const svcs = ['b', 'a', 'c'].map((n) =>
    service({
      name: n,
      annotations: { external: `${n}.foo.com` },
      lb: [{ ip: 'fd00::1' }, { ip: '10.0.0.1' }],
    }),
  )
  const got = resolveRecords(svcs.map((s) => own(s, serviceRecords(s, o))))
  assert.deepEqual(
    got.records.map((r) => `${r.name} ${r.type}`),
    ['a.foo.com A', 'a.foo.com AAAA', 'b.foo.com A', 'b.foo.com AAAA', 'c.foo.com A', 'c.foo.com AAAA'],
  )
})
