/**
 * Each kind on a real kube-apiserver: create, update and delete change the published snapshot as
 * the records rules say (docs/records.md, with our Ready rule for Pods); a bad name
 * becomes an Event on its object; --watch-namespace limits Pods/Services/Ingresses.
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { missingTestbin, startKube } from '../../harness/kube.ts'
import type { KubeCluster } from '../../harness/kube.ts'
import { eventually, startTestController } from './controller-harness.ts'
import type { TestController } from './controller-harness.ts'
import {
  EXTERNAL,
  INTERNAL,
  hostPod,
  ingress,
  lbService,
  lbStatus,
  must,
  node,
  nodePortService,
  nodeStatus,
  podStatus,
} from './objects.ts'

const WAIT_MS = 10_000
const skip = missingTestbin('etcd', 'kube-apiserver')

describe('controller on a real API: records per kind', { skip, timeout: 240_000 }, () => {
  let kube: KubeCluster
  let ctl: TestController
  const has = (line: string) => () => ctl.publisher.lines().includes(line)
  const lacks = (prefix: string) => () => ctl.publisher.lines().every((l) => !l.startsWith(prefix))

  before(async () => {
    kube = await startKube()
    ctl = await startTestController({ kubeconfig: kube.kubeconfigPath })
    await ctl.publisher.waitFor(() => true, 30_000) // the first publish (empty) after every kind listed
  })
  after(async () => {
    await ctl?.stop()
    await kube?.stop()
  })

  test('LoadBalancer Service: records follow status and annotations, and go with the object', async () => {
    const base = '/api/v1/namespaces/default/services'
    await must(kube, 'POST', base, lbService('default', 'web', { [EXTERNAL]: 'web.example.local' }))
    await must(kube, 'PATCH', `${base}/web/status`, lbStatus([{ ip: '10.1.0.1' }]))
    await eventually('web A 10.1.0.1', WAIT_MS, has('web.example.local A 10.1.0.1'))
    await must(
      kube,
      'PATCH',
      `${base}/web/status`,
      lbStatus([{ ip: '10.1.0.2' }, { hostname: 'lb.example.com' }]),
    )
    await eventually('web A 10.1.0.2', WAIT_MS, has('web.example.local A 10.1.0.2'))
    await must(kube, 'PATCH', `${base}/web`, {
      metadata: { annotations: { [EXTERNAL]: 'www.example.local' } },
    })
    await eventually(
      'renamed',
      WAIT_MS,
      () => has('www.example.local A 10.1.0.2')() && lacks('web.example.local')(),
    )
    await must(kube, 'DELETE', `${base}/web`)
    await eventually('web gone', WAIT_MS, lacks('www.example.local'))
  })

  test('Node + NodePort Service: the alias follows the node addresses and goes with the node', async () => {
    await must(kube, 'POST', '/api/v1/nodes', node('n1'))
    await must(
      kube,
      'PATCH',
      '/api/v1/nodes/n1/status',
      nodeStatus([{ type: 'InternalIP', address: '10.2.0.1' }]),
    )
    const base = '/api/v1/namespaces/default/services'
    await must(kube, 'POST', base, nodePortService('default', 'np', { [INTERNAL]: 'np.example.local' }))
    await eventually('np A 10.2.0.1', WAIT_MS, has('np.example.local A 10.2.0.1'))
    await must(
      kube,
      'PATCH',
      '/api/v1/nodes/n1/status',
      nodeStatus([{ type: 'InternalIP', address: '10.2.0.9' }]),
    )
    await eventually('np A 10.2.0.9', WAIT_MS, has('np.example.local A 10.2.0.9'))
    await must(kube, 'DELETE', '/api/v1/nodes/n1')
    await eventually('np gone with its node', WAIT_MS, lacks('np.example.local'))
    await must(kube, 'DELETE', `${base}/np`)
  })

  test('hostNetwork Pod: published while Ready, withdrawn when not Ready or terminating', async () => {
    const base = '/api/v1/namespaces/default/pods'
    await must(kube, 'POST', base, hostPod('default', 'p1', 'n2', { [INTERNAL]: 'pod.example.local' }))
    await must(kube, 'PATCH', `${base}/p1/status`, podStatus('10.4.0.1', true))
    await eventually('pod A 10.4.0.1', WAIT_MS, has('pod.example.local A 10.4.0.1'))
    await must(kube, 'PATCH', `${base}/p1/status`, podStatus('10.4.0.1', false))
    await eventually('not ready: gone', WAIT_MS, lacks('pod.example.local'))
    await must(kube, 'PATCH', `${base}/p1/status`, podStatus('10.4.0.2', true))
    await eventually('ready again', WAIT_MS, has('pod.example.local A 10.4.0.2'))
    // Without a kubelet a graceful delete only marks the Pod terminating: that alone withdraws it.
    await must(kube, 'DELETE', `${base}/p1`)
    await eventually('terminating: gone', WAIT_MS, lacks('pod.example.local'))
    await must(kube, 'DELETE', `${base}/p1?gracePeriodSeconds=0`)
  })

  test('Ingress: hosts × load-balancer targets', async () => {
    const base = '/apis/networking.k8s.io/v1/namespaces/default/ingresses'
    await must(kube, 'POST', base, ingress('default', 'ing', 'app.example.local', 'web'))
    await must(kube, 'PATCH', `${base}/ing/status`, lbStatus([{ ip: '10.3.0.1' }]))
    await eventually('app A 10.3.0.1', WAIT_MS, has('app.example.local A 10.3.0.1'))
    await must(kube, 'DELETE', `${base}/ing`)
    await eventually('app gone', WAIT_MS, lacks('app.example.local'))
  })

  test('a bad name is skipped, counted, and reported as an Event on its object', async () => {
    const base = '/api/v1/namespaces/default/services'
    await must(
      kube,
      'POST',
      base,
      lbService('default', 'bad', { [EXTERNAL]: 'bad_name!.example.local,ok.example.local' }),
    )
    await must(kube, 'PATCH', `${base}/bad/status`, lbStatus([{ ip: '10.5.0.1' }]))
    await eventually('the good name', WAIT_MS, has('ok.example.local A 10.5.0.1'))
    let reasons: string[] = []
    await eventually('an Event', WAIT_MS, async () => {
      const list = (await must(
        kube,
        'GET',
        '/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3Dbad',
      )) as {
        items: { reason: string; involvedObject: { kind: string } }[]
      }
      reasons = list.items.map((e) => `${e.involvedObject.kind}/${e.reason}`)
      return reasons.length > 0
    })
    assert.deepEqual(reasons, ['Service/DNSInvalidName'])
    assert.equal(await ctl.metric('dns_controller_problems_total', { kind: 'invalid-name' }), 1)
    await must(kube, 'DELETE', `${base}/bad`)
  })

  test('--watch-namespace (client-node path): Services elsewhere are ignored; Nodes stay cluster-wide', async () => {
    await must(kube, 'POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'team-a' },
    })
    const scoped = await startTestController({
      kubeconfig: kube.kubeconfigPath,
      name: 'scoped',
      watchNamespace: 'team-a',
      viaLibrary: true,
    })
    try {
      for (const ns of ['team-a', 'default']) {
        await must(
          kube,
          'POST',
          `/api/v1/namespaces/${ns}/services`,
          lbService(ns, 'svc', { [EXTERNAL]: `${ns}.example.local` }),
        )
        await must(
          kube,
          'PATCH',
          `/api/v1/namespaces/${ns}/services/svc/status`,
          lbStatus([{ ip: '10.6.0.1' }]),
        )
      }
      await eventually('team-a published', WAIT_MS, () =>
        scoped.publisher.lines().includes('team-a.example.local A 10.6.0.1'),
      )
      await eventually(
        'default seen by the unscoped controller',
        WAIT_MS,
        has('default.example.local A 10.6.0.1'),
      )
      assert.ok(scoped.publisher.lines().every((l) => !l.startsWith('default.example.local')))
      assert.equal(scoped.controller.sourceStatus().find((s) => s.kind === 'Node')?.synced, true)
    } finally {
      await scoped.stop()
    }
  })

  test('--cluster-name: api.internal from default/kubernetes EndpointSlices, api from control-plane ExternalIPs; they take precedence over annotations', async () => {
    const cl = await startTestController({
      kubeconfig: kube.kubeconfigPath,
      name: 'cluster',
      cluster: { name: 'c1.k8s.local', externalAddresses: [] },
    })
    try {
      await must(kube, 'POST', '/api/v1/nodes', node('cp1', { 'node-role.kubernetes.io/control-plane': '' }))
      await must(
        kube,
        'PATCH',
        '/api/v1/nodes/cp1/status',
        nodeStatus([
          { type: 'InternalIP', address: '10.9.0.1' },
          { type: 'ExternalIP', address: '203.0.113.9' },
        ]),
      )
      await must(kube, 'POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', {
        metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
        addressType: 'IPv4',
        ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
        endpoints: [
          { addresses: ['10.9.0.1'], conditions: { ready: true } },
          { addresses: ['10.9.0.2'], conditions: { ready: false } },
        ],
      })
      const lines = () => cl.publisher.lines()
      await eventually('both names', WAIT_MS, () =>
        ['api.internal.c1.k8s.local A 10.9.0.1', 'api.c1.k8s.local A 203.0.113.9'].every((l) =>
          lines().includes(l),
        ),
      )
      // A kOps-style annotated apiserver pod names the same record: the slice's value stands while
      // it has a ready address (docs/records.md), the annotation's when it has none.
      await must(
        kube,
        'POST',
        '/api/v1/namespaces/default/pods',
        hostPod('default', 'apiserver', 'cp1', {
          [INTERNAL]: 'api.internal.c1.k8s.local,apiserver-pod.c1.k8s.local',
        }),
      )
      await must(
        kube,
        'PATCH',
        '/api/v1/namespaces/default/pods/apiserver/status',
        podStatus('10.9.0.3', true),
      )
      await eventually('the pod is published', WAIT_MS, () =>
        lines().includes('apiserver-pod.c1.k8s.local A 10.9.0.3'),
      )
      assert.ok(lines().includes('api.internal.c1.k8s.local A 10.9.0.1'), lines().join('\n'))
      await must(kube, 'PUT', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes', {
        metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
        addressType: 'IPv4',
        ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
        endpoints: [{ addresses: ['10.9.0.1'], conditions: { ready: false } }],
      })
      await eventually('the annotation stands in', WAIT_MS, () =>
        lines().includes('api.internal.c1.k8s.local A 10.9.0.3'),
      )
    } finally {
      await cl.stop()
    }
  })
})
