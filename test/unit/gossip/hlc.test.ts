import { test } from 'node:test'
import assert from 'node:assert/strict'
import {
  compareVersion,
  formatVersion,
  nextVersion,
  parseVersion,
  tooFarAhead,
} from '../../../lib/gossip/core/hlc.ts'
import type { Version } from '../../../lib/gossip/core/types.ts'
import { seededRng } from '../../../lib/util/random.ts'

test('nextVersion follows the wall clock when it moves forward', () => {
  assert.deepEqual(nextVersion(undefined, 1000), { wallMs: 1000, counter: 0 })
  assert.deepEqual(nextVersion({ wallMs: 1000, counter: 3 }, 1001), { wallMs: 1001, counter: 0 })
})

test('nextVersion never goes backwards when the clock stalls or steps back', () => {
  const cases: { name: string; last: Version; nowMs: number; want: Version }[] = [
    {
      name: 'same millisecond',
      last: { wallMs: 1000, counter: 0 },
      nowMs: 1000,
      want: { wallMs: 1000, counter: 1 },
    },
    {
      name: 'clock stepped back',
      last: { wallMs: 5000, counter: 2 },
      nowMs: 10,
      want: { wallMs: 5000, counter: 3 },
    },
    { name: 'negative clock', last: { wallMs: 5, counter: 0 }, nowMs: -100, want: { wallMs: 5, counter: 1 } },
  ]
  for (const c of cases) assert.deepEqual(nextVersion(c.last, c.nowMs), c.want, c.name)
})

test('a restarted publisher with a persisted version and a skewed clock stays monotonic', () => {
  const seed = 4242
  console.log(`hlc seed ${seed}`)
  const rng = seededRng(seed)
  let persisted: Version | undefined
  let prev: Version | undefined
  let wall = 1_000_000
  for (let run = 0; run < 50; run++) {
    // Each "process run" starts from what the last one persisted; the clock may jump ±1 h.
    let last = persisted
    wall += Math.round((rng.float() - 0.5) * 7_200_000)
    for (let i = 0; i < 20; i++) {
      wall += rng.int(3) // sometimes the same ms
      const v = nextVersion(last, wall)
      if (prev)
        assert.ok(compareVersion(v, prev) > 0, `run ${run}: ${formatVersion(v)} after ${formatVersion(prev)}`)
      prev = last = persisted = v
    }
  }
})

test('versions print and parse', () => {
  const v = { wallMs: 1_763_700_000_123, counter: 7 }
  assert.equal(formatVersion(v), '1763700000123.7')
  assert.deepEqual(parseVersion(formatVersion(v)), v)
  for (const s of ['', '1', '1.', 'a.b', '1.2.3', '99999999999999999.0'])
    assert.equal(parseVersion(s), undefined, s)
})

test('nextVersion saturates instead of overflowing the varint range', () => {
  const MAX = Number.MAX_SAFE_INTEGER
  const cases = [
    {
      name: 'counter at the maximum: next millisecond',
      last: { wallMs: 5, counter: MAX },
      want: { wallMs: 6, counter: 0 },
    },
    {
      name: 'both at the maximum: stays',
      last: { wallMs: MAX, counter: MAX },
      want: { wallMs: MAX, counter: MAX },
    },
    { name: 'wall at the maximum', last: { wallMs: MAX, counter: 7 }, want: { wallMs: MAX, counter: 8 } },
    { name: 'a clock beyond the range', last: undefined, nowMs: 2 ** 60, want: { wallMs: MAX, counter: 0 } },
  ]
  for (const c of cases) {
    const v = nextVersion(c.last, c.nowMs ?? 0)
    assert.deepEqual(v, c.want, c.name)
    assert.ok(Number.isSafeInteger(v.wallMs) && Number.isSafeInteger(v.counter), c.name)
  }
})

test('tooFarAhead: more than the bound ahead of the local clock', () => {
  assert.equal(tooFarAhead({ wallMs: 1000 + 500, counter: 9 }, 1000, 500), false)
  assert.equal(tooFarAhead({ wallMs: 1000 + 501, counter: 0 }, 1000, 500), true)
  assert.equal(tooFarAhead({ wallMs: 0, counter: Number.MAX_SAFE_INTEGER }, 1000, 500), false)
})
