import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLogLimiter } from '../../../lib/util/log-limiter.ts'

test('one line per key per interval, then the count of those held back', () => {
  let now = 0
  const l = createLogLimiter({ now: () => now }, 60_000, 2)
  assert.deepEqual(l.take('a'), { suppressed: 0 })
  assert.equal(l.take('a'), undefined)
  assert.equal(l.take('a'), undefined)
  assert.deepEqual(l.take('b'), { suppressed: 0 })
  now = 60_000
  assert.deepEqual(l.take('a'), { suppressed: 2 })
  // a third key evicts the oldest (b), which then logs again at once
  assert.deepEqual(l.take('c'), { suppressed: 0 })
  assert.deepEqual(l.take('b'), { suppressed: 0 })
})
