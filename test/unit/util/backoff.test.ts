import { test } from 'node:test'
import assert from 'node:assert/strict'
import { backoffMs } from '../../../lib/util/backoff.ts'
import { seededRng } from '../../../lib/util/random.ts'

test('backoff grows with failures and stays within [base, cap]', () => {
  const rng = seededRng(7)
  for (let f = 0; f < 40; f++) {
    const d = backoffMs(f, rng, 100, 5000)
    assert.ok(d >= 100 && d <= 5000, `failures=${f} delay=${d}`)
  }
  const maxAt = (f: number): number =>
    Math.max(...Array.from({ length: 200 }, () => backoffMs(f, rng, 100, 1e9)))
  assert.ok(maxAt(6) > maxAt(1))
})
