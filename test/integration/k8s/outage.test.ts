/**
 * kube-apiserver stopped for DNSC_OUTAGE_SECONDS (default 60, as in CI) and restarted: no record
 * changes meanwhile (watchers keep their last good state; nothing emptied is published), and the
 * same controller recovers by itself. Set DNSC_OUTAGE_SECONDS=10 for a quicker local run.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { missingTestbin, startKube } from '../../harness/kube.ts'
import type { KubeCluster } from '../../harness/kube.ts'
import { eventually, startTestController } from './controller-harness.ts'
import type { TestController } from './controller-harness.ts'
import { EXTERNAL, lbService, lbStatus, must } from './objects.ts'

const OUTAGE_S = Number(process.env.DNSC_OUTAGE_SECONDS ?? '60')
const skip = missingTestbin('etcd', 'kube-apiserver')

describe('controller survives an API outage', { skip, timeout: 120_000 + OUTAGE_S * 1000 }, () => {
  let kube: KubeCluster
  let ctl: TestController

  before(async () => {
    kube = await startKube()
    ctl = await startTestController({ kubeconfig: kube.kubeconfigPath, leaderElect: true })
  })
  after(async () => {
    await ctl?.stop()
    await kube?.stop()
  })

  test(`${OUTAGE_S} s without kube-apiserver: records unchanged, then recovery without a restart`, async () => {
    const base = '/api/v1/namespaces/default/services'
    for (const name of ['a', 'b']) {
      await must(kube, 'POST', base, lbService('default', name, { [EXTERNAL]: `${name}.example.local` }))
      await must(kube, 'PATCH', `${base}/${name}/status`, lbStatus([{ ip: '10.7.0.1' }]))
    }
    await eventually('both published', 20_000, () => ctl.publisher.lines().length === 2)
    const before = ctl.publisher.lines()
    const from = ctl.publisher.publications.length

    await kube.stopApiserver()
    const outageEnds = Date.now() + OUTAGE_S * 1000
    await eventually(
      'watchers notice',
      15_000,
      async () => (await ctl.metric('dns_controller_watch_errors_total')) > 0,
    )
    while (Date.now() < outageEnds) await new Promise((r) => setTimeout(r, 500))
    for (const p of ctl.publisher.publications.slice(from))
      assert.deepEqual(p.records.map((r) => `${r.name} ${r.type} ${r.values.join(',')}`).sort(), before)
    assert.equal(ctl.controller.healthy().ok, true, 'an outage is no reason for a liveness restart')

    await kube.startApiserver()
    const restartedAt = Date.now()
    await must(kube, 'DELETE', `${base}/b`)
    await must(kube, 'POST', base, lbService('default', 'c', { [EXTERNAL]: 'c.example.local' }))
    await must(kube, 'PATCH', `${base}/c/status`, lbStatus([{ ip: '10.7.0.3' }]))
    await eventually('changes after the outage published', 30_000, () => {
      const l = ctl.publisher.lines()
      return l.includes('c.example.local A 10.7.0.3') && !l.some((x) => x.startsWith('b.example.local'))
    })
    const recoveryMs = Date.now() - restartedAt
    process.stderr.write(
      `# outage ${OUTAGE_S} s; changes published ${recoveryMs} ms after kube-apiserver was back\n`,
    )
    assert.ok(recoveryMs < 30_000)
  })
})
