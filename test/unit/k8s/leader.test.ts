import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mayAcquire, microTime } from '../../../lib/k8s/leader.ts'

test('mayAcquire follows client-go: free, own, or unchanged for the lease duration', () => {
  const rec = (holder: string) => ({ holder, leaseDurationSeconds: 10, transitions: 0 })
  const cases = [
    { name: 'no lease seen yet', observed: undefined, now: 0, ok: true },
    { name: 'released (no holder)', observed: { record: rec(''), observedAt: 1000 }, now: 1000, ok: true },
    { name: 'our own', observed: { record: rec('me'), observedAt: 1000 }, now: 1000, ok: true },
    {
      name: 'another holder, fresh',
      observed: { record: rec('other'), observedAt: 1000 },
      now: 10_999,
      ok: false,
    },
    {
      name: 'another holder, expired',
      observed: { record: rec('other'), observedAt: 1000 },
      now: 11_000,
      ok: true,
    },
  ]
  for (const c of cases) assert.equal(mayAcquire(c.now, 'me', c.observed), c.ok, c.name)
})

test('microTime has exactly six fractional digits (the API rejects fewer)', () => {
  assert.equal(microTime(Date.UTC(2026, 10, 21, 6, 0, 0, 123)), '2026-11-21T06:00:00.123000Z')
})
