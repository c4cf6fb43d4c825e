import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import type { KubeApi } from '../../../lib/k8s/client.ts'
import { EventRecorder } from '../../../lib/k8s/events.ts'
import { createK8sMetrics } from '../../../lib/k8s/metrics.ts'
import { silentLogger } from '../../../lib/util/log.ts'

function setup(init: { burst?: number; ratePerSecond?: number } = {}) {
  const sent: { path: string; body: Record<string, unknown> }[] = []
  const api: KubeApi = {
    server: 'fake',
    get: () => Promise.reject(new Error('unused')),
    watch: () => Promise.reject(new Error('unused')),
    send: (_m, path, body) => {
      sent.push({ path, body: body as Record<string, unknown> })
      return Promise.resolve({})
    },
  }
  const clock = { t: 1_000_000, now: () => clock.t }
  const registry = new Registry()
  const rec = new EventRecorder(
    { instance: 'test', ...init },
    { api, log: silentLogger, metrics: createK8sMetrics(registry), clock },
  )
  return { sent, clock, rec, registry }
}

const svc = { kind: 'Service' as const, namespace: 'web', name: 'front', uid: 'u1' }

test('events: one per (object, reason, message) per window', async () => {
  const { sent, clock, rec } = setup()
  rec.record({ object: svc, reason: 'DNSInvalidName', message: 'bad name' })
  rec.record({ object: svc, reason: 'DNSInvalidName', message: 'bad name' })
  rec.record({ object: svc, reason: 'DNSInvalidName', message: 'another' })
  clock.t += 600_000
  rec.record({ object: svc, reason: 'DNSInvalidName', message: 'bad name' })
  await rec.flush()
  assert.equal(sent.length, 3)
  const first = sent[0]
  assert.equal(first?.path, '/api/v1/namespaces/web/events')
  assert.deepEqual(first?.body.involvedObject, {
    apiVersion: 'v1',
    kind: 'Service',
    name: 'front',
    namespace: 'web',
    uid: 'u1',
  })
  assert.equal(first?.body.type, 'Warning')
})

test('events: rate limit drops beyond the burst and refills over time', async () => {
  const { sent, clock, rec, registry } = setup({ burst: 3, ratePerSecond: 1 })
  for (let i = 0; i < 10; i++) rec.record({ object: svc, reason: 'R', message: `m${i}` })
  clock.t += 2000
  for (let i = 10; i < 15; i++) rec.record({ object: svc, reason: 'R', message: `m${i}` })
  await rec.flush()
  assert.equal(sent.length, 5)
  const text = await registry.metrics()
  assert.match(text, /dns_controller_kube_events_total\{result="rate-limited"\} 10/)
})

test('events: cluster-scoped objects (Nodes) report into default', async () => {
  const { sent, rec } = setup()
  rec.record({ object: { kind: 'Node', name: 'n1' }, reason: 'R', message: 'm' })
  await rec.flush()
  assert.equal(sent[0]?.path, '/api/v1/namespaces/default/events')
})
