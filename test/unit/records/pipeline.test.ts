import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RecordPipeline } from '../../../lib/records/pipeline.ts'
import type { PipelineOptions } from '../../../lib/records/pipeline.ts'
import { externalIP, ingress, internalIP, node, opts, pod, service } from './fixtures.ts'

function pipeline(o: Partial<PipelineOptions> = {}): RecordPipeline {
  const p = new RecordPipeline({ ...opts(), watchIngress: true, ...o })
  return p
}

function syncAll(p: RecordPipeline): void {
  for (const k of p.kinds) p.markSynced(k)
}

test('a multi-IP hostNetwork pod is recomputed when its node appears, changes and goes', () => {
  const p = pipeline()
  syncAll(p)
  p.upsert(pod({ annotations: { internal: 'api.internal.c.local' }, podIPs: ['10.0.0.1', 'fd00::1'] }))
  assert.deepEqual(p.snapshot()?.records, [])
  p.upsert(node({ addresses: [internalIP('10.0.0.1')] }))
  assert.deepEqual(p.snapshot()?.records, [
    { name: 'api.internal.c.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 },
  ])
  p.upsert(node({ addresses: [internalIP('10.0.0.1'), internalIP('fd00::1')] }))
  assert.deepEqual(
    p.snapshot()?.records.map((r) => r.type),
    ['A', 'AAAA'],
  )
  p.remove('Node', 'my-node')
  assert.deepEqual(p.snapshot()?.records, [])
  p.remove('Pod', 'kube-system/somepod')
  p.upsert(node({ addresses: [internalIP('10.0.0.1')] }))
  assert.deepEqual(p.snapshot()?.records, [], 'a removed pod is no longer tracked')
})

test('NodePort with both annotations removes earlier records on update, as on relist', () => {
  const p = pipeline()
  syncAll(p)
  p.upsert(node({ name: 'w', addresses: [externalIP('54.0.0.1')] }))
  p.upsert(service({ type: 'NodePort', annotations: { external: 'np.foo.com' } }))
  assert.equal(p.snapshot()?.records.length, 1)
  const problems = p.upsert(
    service({ type: 'NodePort', annotations: { external: 'np.foo.com', internal: 'np2.foo.com' } }),
  )
  assert.deepEqual(
    problems.map((x) => x.kind),
    ['nodeport-both-annotations'],
  )
  assert.deepEqual(p.snapshot()?.records, [])
  assert.deepEqual(
    p.snapshot()?.problems.map((x) => x.kind),
    ['nodeport-both-annotations'],
  )
})

test('Ingresses are ignored without --watch-ingress, and that scope does not gate', () => {
  const p = pipeline({ watchIngress: false })
  assert.deepEqual(p.kinds, ['Node', 'Pod', 'Service'])
  syncAll(p)
  p.upsert(ingress({ hosts: ['a.foo.com'], lb: [{ ip: '1.2.3.4' }] }))
  assert.deepEqual(p.snapshot()?.records, [])
})

test('Ingress records with --watch-ingress; gating waits for the ingress scope', () => {
  const p = pipeline()
  for (const k of ['Node', 'Pod', 'Service'] as const) p.markSynced(k)
  p.upsert(ingress({ hosts: ['a.foo.com'], lb: [{ ip: '1.2.3.4' }] }))
  assert.equal(p.snapshot(), undefined)
  p.markSynced('Ingress')
  assert.deepEqual(p.snapshot()?.records, [
    { name: 'a.foo.com', type: 'A', values: ['1.2.3.4'], ttlSeconds: 60 },
  ])
})

test('a pod becoming not ready withdraws its records; --publish-not-ready keeps them', () => {
  for (const c of [
    { publishNotReady: false, want: 0 },
    { publishNotReady: true, want: 1 },
  ]) {
    const p = pipeline({ publishNotReady: c.publishNotReady })
    syncAll(p)
    p.upsert(pod({ annotations: { internal: 'i.foo.com' } }))
    p.upsert(pod({ annotations: { internal: 'i.foo.com' }, ready: false }))
    assert.equal(p.snapshot()?.records.length, c.want)
  }
})
