/**
 * Two replicas running as a restricted user (only get/list/watch on the kinds they read, the
 * Lease, and Event creation): one publishes, the other takes over when the first stops, both
 * after a clean stop (Lease released) and after a crash (Lease left to expire). A user without
 * the role never opens the publishing gate.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { missingTestbin, startKube } from '../../harness/kube.ts'
import type { KubeCluster } from '../../harness/kube.ts'
import { eventually, startTestController } from './controller-harness.ts'
import type { TestController } from './controller-harness.ts'
import { EXTERNAL, lbService, lbStatus, must } from './objects.ts'

const skip = missingTestbin('etcd', 'kube-apiserver')
const TAKEOVER_MS = 15_000

/** What the chart grants: read the four kinds cluster-wide, write Events, and one Lease. */
async function grantControllerRole(kube: KubeCluster): Promise<void> {
  const rbac = '/apis/rbac.authorization.k8s.io/v1'
  await must(kube, 'POST', `${rbac}/clusterroles`, {
    metadata: { name: 'dns-controller' },
    rules: [
      { apiGroups: [''], resources: ['nodes', 'pods', 'services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: [''], resources: ['events'], verbs: ['create'] },
    ],
  })
  await must(kube, 'POST', `${rbac}/clusterrolebindings`, {
    metadata: { name: 'dns-controller' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'dns-controller' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dns-controllers' }],
  })
  await must(kube, 'POST', `${rbac}/namespaces/kube-system/roles`, {
    metadata: { name: 'dns-controller-lease' },
    rules: [
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
    ],
  })
  await must(kube, 'POST', `${rbac}/namespaces/kube-system/rolebindings`, {
    metadata: { name: 'dns-controller-lease' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dns-controller-lease' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'dns-controllers' }],
  })
}

describe('leader election and least privilege', { skip, timeout: 180_000 }, () => {
  let kube: KubeCluster
  const running: TestController[] = []
  const start = async (user: string) => {
    const c = await startTestController({
      kubeconfig: kube.kubeconfigFor(user),
      name: user,
      leaderElect: true,
    })
    running.push(c)
    return c
  }

  before(async () => {
    kube = await startKube({
      users: ['a', 'b', 'c']
        .map((n) => ({ name: `ctl-${n}`, groups: ['dns-controllers'] }))
        .concat([{ name: 'nobody', groups: [] }]),
    })
    await grantControllerRole(kube)
    const base = '/api/v1/namespaces/default/services'
    await must(
      kube,
      'POST',
      base,
      lbService('default', 'web', { [EXTERNAL]: 'web.example.local,bad_name!.example.local' }),
    )
    await must(kube, 'PATCH', `${base}/web/status`, lbStatus([{ ip: '10.8.0.1' }]))
  })
  after(async () => {
    for (const c of running) await c.stop()
    await kube?.stop()
  })

  test('one replica publishes; the other takes over within 15 s after a clean stop and after a crash', async () => {
    const a = await start('ctl-a')
    await a.publisher.waitFor((p) => p.records.length === 1, 30_000)
    const b = await start('ctl-b')
    await eventually('b synced', 20_000, () => b.controller.status().synced)
    // b asks for the Lease once per retry period (2 s). A follower that wrongly took it would
    // publish within the 50 ms debounce, so after two more attempts any such publish has happened.
    const lease = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/dns-controller'
    const tried = b.gets(lease)
    await eventually('b tried for the Lease twice more', 15_000, () => b.gets(lease) >= tried + 2)
    assert.equal(b.publisher.publications.length, 0, 'the follower publishes nothing')
    assert.equal(b.controller.ready().ok, true, 'a synced follower is ready')

    // The leader also wrote the Event for the bad name (Events: create is enough).
    const events = (await must(kube, 'GET', '/api/v1/namespaces/default/events')) as {
      items: { reason: string }[]
    }
    assert.ok(events.items.some((e) => e.reason === 'DNSInvalidName'))

    let t0 = Date.now()
    await a.stop() // clean: releases the Lease
    await b.publisher.waitFor((p) => p.records.length === 1, TAKEOVER_MS)
    const cleanMs = Date.now() - t0
    const c = await start('ctl-c')
    await eventually('c synced', 20_000, () => c.controller.status().synced)
    t0 = Date.now()
    await b.stop({ release: false }) // a crash: the Lease must expire first
    await c.publisher.waitFor((p) => p.records.length === 1, TAKEOVER_MS)
    const crashMs = Date.now() - t0
    process.stderr.write(`# takeover after a clean stop ${cleanMs} ms, after a crash ${crashMs} ms\n`)
    assert.deepEqual(c.publisher.lines(), ['web.example.local A 10.8.0.1'])
  })

  test('without the role nothing is listed, so nothing is published', async () => {
    const n = await startTestController({ kubeconfig: kube.kubeconfigFor('nobody'), name: 'nobody' })
    running.push(n)
    await eventually(
      '403s counted',
      10_000,
      async () => (await n.metric('dns_controller_watch_errors_total')) >= 3,
    )
    assert.equal(n.publisher.publications.length, 0)
    assert.match(n.controller.ready().reason ?? '', /waiting for the first list/)
    assert.match(n.controller.sourceStatus()[0]?.lastError ?? '', /403/)
  })
})
