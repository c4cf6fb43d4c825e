import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { GossipMetrics } from '../../../lib/gossip/metrics.ts'

test('gossip metrics: every counter is a field and registered; gauges read the sample at scrape time', async () => {
  const registry = new Registry()
  let publishers = 1
  const m = new GossipMetrics(registry, () => ({
    peers: { kaaaa: 3 },
    publishers,
    versions: [{ id: 'p1', version: '1700000000000.2' }],
    msSinceSync: undefined,
  }))
  m.frames.inc({ direction: 'in', kind: 'digest' })
  m.dials.inc({ network: 'kaaaa', result: 'ok' }, 2)
  m.replicaChanges.inc()
  publishers = 2
  const text = await registry.metrics()
  for (const line of [
    'dns_controller_gossip_frames_total{direction="in",kind="digest"} 1',
    'dns_controller_gossip_dials_total{network="kaaaa",result="ok"} 2',
    'dns_controller_gossip_replica_changes_total 1',
    'dns_controller_gossip_peers{network="kaaaa"} 3',
    'dns_controller_gossip_publishers 2',
    'dns_controller_gossip_publisher_version_timestamp_seconds{publisher="p1"} 1700000000',
    'dns_controller_gossip_seconds_since_last_sync -1',
  ])
    assert.ok(text.includes(`${line}\n`), line)
  const names = (await registry.getMetricsAsJSON()).map((x) => x.name)
  assert.equal(names.length, 13)
  for (const n of ['bytes', 'dropped', 'sendDropped', 'refused', 'livenessProbes', 'coreErrors'] as const)
    assert.ok(m[n] !== undefined, n)
})
