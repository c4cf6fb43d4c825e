import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RecordPipeline } from '../../../lib/records/pipeline.ts'
import { syncObjects } from '../../../lib/sources/objects.ts'
import { renderObjects } from '../../../lib/render.ts'
import { ANNOTATION_INTERNAL } from '../../../lib/records/types.ts'

const opts = {
  zones: ['local'],
  internalIPv4: true,
  internalIPv6: false,
  publishNotReady: false,
  watchIngress: true,
}

const hostPod = (ns: string, name: string, ip: string, host = `${name}.local`) => ({
  kind: 'Pod',
  metadata: { name, namespace: ns, annotations: { [ANNOTATION_INTERNAL]: host } },
  spec: { hostNetwork: true, nodeName: 'n1' },
  status: { podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
})

test('renderObjects: namespace filter applies to pods, not nodes; other kinds skipped', () => {
  const got = renderObjects(
    [
      hostPod('a', 'p1', '10.0.0.1'),
      hostPod('b', 'p2', '10.0.0.2'),
      { kind: 'ConfigMap', metadata: { name: 'c' } },
      { kind: 'Node', metadata: { name: 'n1' } },
    ],
    opts,
    { watchNamespace: 'a' },
  )
  assert.deepEqual(got.records, [{ name: 'p1.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 }])
  assert.equal(got.used, 2)
  assert.equal(got.skipped, 2)
})

test('syncObjects reconciles like a relist: objects gone from the input lose their records', () => {
  const p = new RecordPipeline(opts)
  syncObjects(p, [hostPod('a', 'p1', '10.0.0.1'), hostPod('a', 'p2', '10.0.0.2')])
  assert.equal(p.snapshot()?.records.length, 2)
  syncObjects(p, [hostPod('a', 'p2', '10.0.0.2')])
  assert.deepEqual(
    p.snapshot()?.records.map((r) => r.name),
    ['p2.local'],
  )
})

test('a malformed object is a problem and its earlier records go', () => {
  const p = new RecordPipeline(opts)
  syncObjects(p, [hostPod('a', 'p1', '10.0.0.1')])
  const broken = { ...hostPod('a', 'p1', '10.0.0.1'), spec: { hostNetwork: 'yes' } }
  syncObjects(p, [broken])
  const snap = p.snapshot()
  assert.deepEqual(snap?.records, [])
  assert.deepEqual(
    snap?.problems.map((x) => x.kind),
    ['invalid-object'],
  )
  syncObjects(p, [])
  assert.deepEqual(p.snapshot()?.problems, [], 'the problem goes with the object')
})
