import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  projectByKind,
  projectIngress,
  projectNode,
  projectPod,
  projectService,
} from '../../../lib/records/project.ts'
import { EXT, INT } from './fixtures.ts'

const readyPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'kube-apiserver-cp',
    namespace: 'kube-system',
    uid: 'u1',
    annotations: { [INT]: 'api.internal.c.k8s.local', other: 'x' },
  },
  spec: { hostNetwork: true, nodeName: 'cp', containers: [{ name: 'x' }] },
  status: {
    podIP: '10.0.0.1',
    podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }],
    conditions: [{ type: 'Ready', status: 'True' }],
  },
}

test('projectPod keeps only what records need', () => {
  const got = projectPod(readyPod)
  assert.deepEqual(got, {
    ok: true,
    view: {
      kind: 'Pod',
      ref: { kind: 'Pod', namespace: 'kube-system', name: 'kube-apiserver-cp', uid: 'u1' },
      key: 'kube-system/kube-apiserver-cp',
      annotations: { internal: 'api.internal.c.k8s.local' },
      hostNetwork: true,
      nodeName: 'cp',
      podIPs: ['10.0.0.1', 'fd00::1'],
      ready: true,
    },
  })
})

for (const c of [
  { name: 'no Ready condition', patch: { status: { podIP: '10.0.0.1' } }, ready: false },
  {
    name: 'Ready False',
    patch: { status: { conditions: [{ type: 'Ready', status: 'False' }] } },
    ready: false,
  },
  {
    name: 'terminating (string timestamp, as in YAML)',
    patch: { metadata: { ...readyPod.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } },
    ready: false,
  },
  {
    name: 'terminating (Date, as from @kubernetes/client-node)',
    patch: { metadata: { ...readyPod.metadata, deletionTimestamp: new Date(0) } },
    ready: false,
  },
]) {
  test(`projectPod readiness: ${c.name}`, () => {
    const got = projectPod({ ...readyPod, ...c.patch })
    assert.ok(got.ok)
    assert.equal(got.view.ready, c.ready)
  })
}

test('projectPod falls back to status.podIP; namespace defaults to default', () => {
  const got = projectPod({ kind: 'Pod', metadata: { name: 'p' }, status: { podIP: '10.1.1.1' } })
  assert.ok(got.ok)
  assert.deepEqual(got.view.podIPs, ['10.1.1.1'])
  assert.equal(got.view.key, 'default/p')
  assert.equal(got.view.hostNetwork, false)
})

test('projectService: type defaults to ClusterIP; LB entries kept', () => {
  const got = projectService({
    metadata: { name: 's', namespace: 'n', annotations: { [EXT]: 'a.local' } },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'x.elb', ipMode: 'VIP' }] } },
  })
  assert.deepEqual(got.ok && got.view, {
    kind: 'Service',
    ref: { kind: 'Service', namespace: 'n', name: 's' },
    key: 'n/s',
    annotations: { external: 'a.local' },
    type: 'LoadBalancer',
    loadBalancer: [{ ip: '1.2.3.4' }, { hostname: 'x.elb' }],
  })
  const plain = projectService({ metadata: { name: 's' } })
  assert.equal(plain.ok && plain.view.type, 'ClusterIP')
})

test('projectNode: role and addresses; nodes are not namespaced', () => {
  const got = projectNode({
    metadata: { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } },
    status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
  })
  assert.deepEqual(got.ok && got.view, {
    kind: 'Node',
    ref: { kind: 'Node', name: 'n1' },
    key: 'n1',
    role: 'control-plane',
    addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
  })
})

test('projectIngress: empty hosts skipped', () => {
  const got = projectIngress({
    metadata: { name: 'i', namespace: 'n' },
    spec: { rules: [{ host: 'a.local' }, {}, { host: '' }] },
  })
  assert.deepEqual(got.ok && got.view.hosts, ['a.local'])
})

for (const c of [
  { name: 'not an object', input: 'str', reason: /not an object/ },
  { name: 'no name', input: { metadata: {} }, reason: /metadata.name/ },
  {
    name: 'annotation not a string',
    input: { metadata: { name: 'x', annotations: { [INT]: 5 } } },
    reason: /is not a string/,
  },
  {
    name: 'podIPs not a list',
    input: { metadata: { name: 'x' }, status: { podIPs: 'a' } },
    reason: /status.podIPs is not a list/,
  },
  {
    name: 'hostNetwork not a boolean',
    input: { metadata: { name: 'x' }, spec: { hostNetwork: 'yes' } },
    reason: /hostNetwork/,
  },
]) {
  test(`projectPod malformed: ${c.name} → invalid-object problem`, () => {
    const got = projectPod(c.input)
    assert.equal(got.ok, false)
    if (!got.ok) {
      assert.equal(got.problem.kind, 'invalid-object')
      assert.match(got.problem.kind === 'invalid-object' ? got.problem.reason : '', c.reason)
    }
  })
}

test('projectByKind dispatches on kind and skips other kinds', () => {
  assert.equal(projectByKind({ kind: 'ConfigMap', metadata: { name: 'x' } }), undefined)
  assert.equal(projectByKind({ kind: 'toString', metadata: { name: 'x' } }), undefined)
  assert.equal(projectByKind({ kind: 'Node', metadata: { name: 'x' } })?.ok, true)
})
