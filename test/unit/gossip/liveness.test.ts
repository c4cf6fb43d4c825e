import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Liveness } from '../../../lib/gossip/core/liveness.ts'

const cfg = { intervalMs: 1000, timeoutMs: 300 }

test('liveness: a peer silent for a whole interval is probed at the next check; one heard from is not', () => {
  const l = new Liveness(cfg)
  l.heard('quiet', 0)
  l.heard('chatty', 0)
  assert.equal(l.nextDeadline(), 1000)
  l.heard('chatty', 900)
  assert.deepEqual(l.decide(1000), { probe: ['quiet'], close: [] })
  // The probe's timeout is now the next deadline; the check after it one interval on.
  assert.equal(l.nextDeadline(), 1300)
})

test('liveness: an unanswered probe closes the connection at its timeout; a late answer changes nothing', () => {
  const l = new Liveness(cfg)
  l.heard('p', 0)
  l.decide(1000)
  assert.deepEqual(l.decide(1299), { probe: [], close: [] })
  assert.deepEqual(l.decide(1300), { probe: [], close: ['p'] })
  assert.equal(l.probed('p', true, 1400), false)
})

test('liveness: a failed probe closes at once; an answered one keeps the peer and restarts its clock', () => {
  const l = new Liveness(cfg)
  l.heard('bad', 0)
  l.heard('good', 0)
  assert.deepEqual(l.decide(1000).probe, ['bad', 'good'])
  assert.equal(l.probed('bad', false, 1100), true)
  assert.equal(l.probed('good', true, 1100), false)
  // Until its peer-down arrives, a closed peer is probed again (a close that did not happen is retried).
  assert.deepEqual(l.decide(2000), { probe: ['bad'], close: [] })
  l.forget('bad')
  assert.deepEqual(l.decide(3000).probe, ['good'])
})

test('liveness: a forgotten peer is never probed; with no peers there is no deadline', () => {
  const l = new Liveness(cfg)
  l.heard('p', 0)
  l.forget('p')
  assert.deepEqual(l.decide(1000), { probe: [], close: [] })
  assert.equal(l.nextDeadline(), undefined)
})

test('liveness: interval 0 turns probing off', () => {
  const l = new Liveness({ intervalMs: 0, timeoutMs: 300 })
  l.heard('p', 0)
  assert.equal(l.nextDeadline(), undefined)
  assert.deepEqual(l.decide(1e9), { probe: [], close: [] })
})

test('liveness: a wall clock stepped back does not spare a silent peer', () => {
  const l = new Liveness(cfg)
  l.heard('p', 10_000)
  // The clock jumps back 5 s: the check still comes one interval after the peer was last heard.
  assert.deepEqual(l.decide(5_000), { probe: [], close: [] })
  assert.equal(l.nextDeadline(), 6_000)
  assert.deepEqual(l.decide(6_000), { probe: ['p'], close: [] })
})
