// The agent's /readyz, /state and --zone mismatch as pure functions of what it holds.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { agentState, readiness, zonesMissed } from '../../../lib/agent/status.ts'
import type { Held } from '../../../lib/agent/status.ts'
import type { ReplicaView } from '../../../lib/gossip/api.ts'
import { buildCache } from '../../../lib/sinks/dns/cache.ts'

const VIEW: ReplicaView = {
  records: [{ name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 }],
  publishers: [{ id: 'ab', version: '1.0' }],
}
const held = (h: Partial<Held>): Held => ({
  view: undefined,
  heardLive: false,
  startedAt: 0,
  hosts: undefined,
  ...h,
})

test('readiness: a failing hosts file first, then the publisher timeout, then whether a view is held', () => {
  const failing = { path: '/etc/hosts', lastError: 'EROFS' }
  assert.deepEqual(readiness(held({ view: VIEW, heardLive: true, hosts: failing }), 0, 300), {
    ok: false,
    reason: 'hosts file /etc/hosts cannot be written: EROFS',
  })
  assert.match(
    readiness(held({ view: VIEW }), 300_000, 300).reason ?? '',
    /in 300 s since start \(serving the persisted replica\)/,
  )
  assert.deepEqual(readiness(held({ view: VIEW }), 299_999, 300), { ok: true })
  assert.deepEqual(readiness(held({ view: VIEW }), 10_000_000, 0), { ok: true }, '0: never')
  assert.deepEqual(readiness(held({ view: VIEW, heardLive: true }), 10_000_000, 300), { ok: true })
  assert.equal(readiness(held({}), 0, 0).reason, 'no verified replica yet (live or persisted)')
})

test('agentState: records with their TTL, publishers, peers, and each enabled sink', () => {
  const cache = buildCache([{ name: 'bad.c.k8s.local', type: 'A', values: ['300.1.1.1'], ttlSeconds: 60 }], {
    zones: ['c.k8s.local'],
    serial: 1,
  })
  const s = agentState(held({ view: VIEW, hosts: { path: '/etc/hosts' } }), 3, {
    listen: '127.0.0.1:53',
    cache,
  })
  assert.deepEqual(s.records, [
    { name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.1'], ttl: 60 },
  ])
  assert.deepEqual(s.publishers, [{ id: 'ab', version: '1.0' }])
  assert.equal(s.peers, 3)
  assert.deepEqual(s.sinks?.hosts, { path: '/etc/hosts' })
  assert.equal(s.sinks?.dns?.listen, '127.0.0.1:53')
  assert.match(s.sinks?.dns?.lastError ?? '', /^1 record\(s\) not served, e\.g\. bad\.c\.k8s\.local: /)
  assert.deepEqual(agentState(held({}), 0, undefined), { records: [], publishers: [], peers: 0, sinks: {} })
})

test('zonesMissed: the published domains only when names are published and none is in our zones', () => {
  assert.deepEqual(zonesMissed(VIEW, ['example.com']), ['k8s.local'])
  assert.equal(zonesMissed(VIEW, ['k8s.local']), undefined)
  assert.equal(zonesMissed({ records: [], publishers: VIEW.publishers }, ['example.com']), undefined)
})
