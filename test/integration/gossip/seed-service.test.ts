/**
 * `--gossip-seed-service`: an agent finds its seeds from a Service's EndpointSlices through a real
 * kube-apiserver, with a namespaced read-only Role and nothing else, and follows changes.
 */
import { test } from 'node:test'
import { KubeConfig } from '@kubernetes/client-node'
import { Registry } from 'prom-client'
import { createKubeApi } from '../../../lib/k8s/client.ts'
import { createK8sMetrics } from '../../../lib/k8s/metrics.ts'
import { createServiceSeedSource } from '../../../lib/k8s/gossip-seeds.ts'
import type { SeedSource } from '../../../lib/gossip/node.ts'
import { randomRng } from '../../../lib/util/random.ts'
import type { HostPort } from '../../../lib/util/hostport.ts'
import { memoryLogger } from '../../../lib/util/log.ts'
import { missingTestbin, startKube } from '../../harness/kube.ts'
import type { TestNode } from '../../helpers/gossip.ts'
import { newPsk, newSigner, records, startNode, versionOf, waitFor } from '../../helpers/gossip.ts'

const NS = 'kube-system'
const STAND_IN = '192.0.2.10'

/** Rewrites the stand-in address to loopback; everything else is the real seed source. */
function onLoopback(src: SeedSource): SeedSource {
  const local = (hps: readonly HostPort[]): HostPort[] =>
    hps.map((hp) => (hp.host === STAND_IN ? { host: '127.0.0.1', port: hp.port } : hp))
  return {
    start: () => src.start(),
    stop: () => src.stop(),
    subscribe: (l) => src.subscribe((s) => l({ primary: local(s.primary), secondary: local(s.secondary) })),
  }
}

function endpointSlice(name: string, port: number, ready: boolean): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: NS, labels: { 'kubernetes.io/service-name': 'dns-controller-gossip' } },
    addressType: 'IPv4',
    // The API refuses loopback addresses in EndpointSlices; the test maps this documentation
    // address (TEST-NET-1) to 127.0.0.1 where the nodes listen.
    endpoints: [{ addresses: [STAND_IN], conditions: { ready } }],
    ports: [{ name: 'gossip', port, protocol: 'TCP' }],
  }
}

test(
  'an agent joins through the seed Service with namespaced read-only RBAC and follows its changes',
  { timeout: 180_000, skip: missingTestbin('etcd', 'kube-apiserver') },
  async (t) => {
    // Hooks run in order: the nodes (and their watch) stop before the API server does.
    const nodes: TestNode[] = []
    t.after(async () => {
      await Promise.all(nodes.map((n) => n.node.stop()))
    })
    const kube = await startKube({ users: [{ name: 'agent', groups: [] }] })
    t.after(() => kube.stop())
    const rbac = [
      [
        `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles`,
        {
          metadata: { name: 'gossip-seeds' },
          rules: [
            {
              apiGroups: ['discovery.k8s.io'],
              resources: ['endpointslices'],
              verbs: ['get', 'list', 'watch'],
            },
          ],
        },
      ],
      [
        `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`,
        {
          metadata: { name: 'gossip-seeds' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'gossip-seeds' },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'agent' }],
        },
      ],
    ] as const
    for (const [path, body] of rbac) {
      const res = await kube.request('POST', path, body)
      if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`)
    }

    const psk = newPsk()
    const signer = newSigner()
    const first = await startNode({ psk, trusted: [signer.publicKey], signer })
    nodes.push(first)
    const slicePath = `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`
    const created = await kube.request('POST', slicePath, endpointSlice('seeds-a', first.addr.port, true))
    if (created.status >= 300)
      throw new Error(`POST slice: ${created.status} ${JSON.stringify(created.body)}`)

    const log = memoryLogger()
    t.after(() => {
      if (process.env.DEBUG_SEEDS !== undefined) for (const l of log.lines) console.log(l)
    })
    const kc = new KubeConfig()
    kc.loadFromFile(kube.kubeconfigFor('agent'))
    const seedSource = createServiceSeedSource(
      { namespace: NS, name: 'dns-controller-gossip', listen: { primary: 3999, secondary: undefined } },
      {
        api: createKubeApi(kc),
        log,
        metrics: createK8sMetrics(new Registry()),
        rng: randomRng(),
      },
    )
    const agent = await startNode({ psk, trusted: [signer.publicKey], seedSource: onLoopback(seedSource) })
    nodes.push(agent)
    const v1 = await first.node.publish(records(2))
    await waitFor(
      'the agent has v1 through the seed Service',
      () => versionOf(agent.node, signer.id) === v1.version,
      30_000,
    )

    // The Service moves: the old endpoint is gone, a new publisher answers elsewhere. The agent
    // drops its connection to the old one and must find the new one through the watch.
    const second = await startNode({ psk, trusted: [signer.publicKey] })
    nodes.push(second)
    await kube.request('DELETE', `${slicePath}/seeds-a`)
    await first.node.stop()
    await kube.request('POST', slicePath, endpointSlice('seeds-b', second.addr.port, true))
    await waitFor(
      'the agent connects to the new seed',
      () => agent.node.peerCount() > 0 && second.node.peerCount() > 0,
      30_000,
    )
  },
)
