import { test } from 'node:test'
import assert from 'node:assert/strict'
import { backoffMs, seededRng, shuffle } from '../../../lib/util/clock.ts'

test('seededRng replays the same sequence for the same seed', () => {
  const a = seededRng(42)
  const b = seededRng(42)
  const xs = Array.from({ length: 5 }, () => a.float())
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.float()),
  )
  assert.ok(xs.every((x) => x >= 0 && x < 1))
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => seededRng(43).float()),
  )
})

test('shuffle is a permutation and leaves its input alone', () => {
  const input = [1, 2, 3, 4, 5, 6, 7, 8]
  const out = shuffle(seededRng(1), input)
  assert.deepEqual([...out].sort(), input)
  assert.deepEqual(input, [1, 2, 3, 4, 5, 6, 7, 8])
})

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
