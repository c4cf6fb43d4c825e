import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DesiredRecords } from '../../../lib/records/desired.ts'
import type { DnsRecord } from '../../../lib/records/types.ts'

const a = (fqdn: string, value: string): DnsRecord => ({ type: 'A', fqdn, value })

test('snapshot is undefined until every scope is synced', () => {
  const d = new DesiredRecords()
  const pods = d.createScope('pod', 'Pod')
  const svcs = d.createScope('service', 'Service')
  pods.replace('ns/p', [a('p.local.', '10.0.0.1')])
  assert.equal(d.snapshot(), undefined)
  pods.markSynced()
  assert.equal(d.snapshot(), undefined)
  svcs.markSynced()
  assert.deepEqual(d.snapshot()?.records, [
    { name: 'p.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 },
  ])
})

test('a duplicate scope name is a bug', () => {
  const d = new DesiredRecords()
  d.createScope('pod', 'Pod')
  assert.throws(() => d.createScope('pod', 'Pod'))
})

test('identical replaces are ignored; real changes bump the version', () => {
  const d = new DesiredRecords()
  const s = d.createScope('pod', 'Pod')
  s.replace('ns/p', [a('p.local.', '10.0.0.1')])
  const v1 = d.version
  s.replace('ns/p', [a('p.local.', '10.0.0.1')])
  assert.equal(d.version, v1)
  s.replace('ns/p', [a('p.local.', '10.0.0.2')])
  assert.equal(d.version, v1 + 1)
  s.replace('ns/other', [])
  assert.equal(d.version, v1 + 1, 'deleting a missing key is no change')
  s.replace('ns/p', [])
  assert.equal(d.version, v1 + 2)
  assert.deepEqual([...s.keys()], [])
})

// kOps' own test case: list equality is element-wise, in order.
for (const c of [
  { name: '[a,b,c] = [a,b,c]', old: ['a', 'b', 'c'], next: ['a', 'b', 'c'], changed: false },
  { name: '[a,b,c] ≠ [x,y,z]', old: ['a', 'b', 'c'], next: ['x', 'y', 'z'], changed: true },
  { name: '[a,b] ≠ [a,b,c]', old: ['a', 'b'], next: ['a', 'b', 'c'], changed: true },
  { name: '["","",""] = ["","",""]', old: ['', '', ''], next: ['', '', ''], changed: false },
  { name: 'order matters', old: ['a', 'b'], next: ['b', 'a'], changed: true },
]) {
  test(`kOps case: replace equality: ${c.name}`, () => {
    const d = new DesiredRecords()
    const s = d.createScope('x', 'Service')
    s.replace(
      'k',
      c.old.map((v) => a('n.local.', v)),
    )
    const v = d.version
    s.replace(
      'k',
      c.next.map((v) => a('n.local.', v)),
    )
    assert.equal(d.version !== v, c.changed)
  })
}

test('snapshot is cached while nothing changes and carries per-object problems', () => {
  const d = new DesiredRecords()
  const s = d.createScope('service', 'Service')
  s.markSynced()
  const problem = {
    kind: 'nodeport-both-annotations',
    object: { kind: 'Service', namespace: 'ns', name: 'x' },
  } as const
  s.replace('ns/x', [], { problems: [problem] })
  const first = d.snapshot()
  assert.deepEqual(first?.problems, [problem])
  assert.equal(d.snapshot(), first)
  assert.deepEqual([...s.keys()], ['ns/x'], 'problem-only keys are listed so a relist clears them')
  s.replace('ns/x', [])
  assert.deepEqual(d.snapshot()?.problems, [])
})

test('resolution problems name the object derived from the key', () => {
  const d = new DesiredRecords()
  const s = d.createScope('pod', 'Pod')
  s.markSynced()
  s.replace('kube-system/p', [{ type: '_alias', fqdn: 'p.local.', value: 'node/n/external' }])
  assert.deepEqual(d.snapshot()?.problems, [
    {
      kind: 'unresolved-alias',
      object: { kind: 'Pod', namespace: 'kube-system', name: 'p' },
      name: 'p.local',
      target: 'node/n/external',
    },
  ])
})

test('repeating the same problems keeps the cached snapshot', () => {
  const d = new DesiredRecords()
  const s = d.createScope('service', 'Service')
  s.markSynced()
  const problem = {
    kind: 'pod-not-host-network',
    object: { kind: 'Pod', namespace: 'ns', name: 'x' },
  } as const
  s.replace('ns/x', [], { problems: [problem] })
  const first = d.snapshot()
  s.replace('ns/x', [], { problems: [{ ...problem }] })
  assert.equal(d.snapshot(), first)
  s.replace('ns/x', [], { problems: [] })
  assert.notEqual(d.snapshot(), first)
})
