import { test } from 'node:test'
import assert from 'node:assert/strict'
import { signedMessage } from '../../../lib/gossip/core/snapshot.ts'
import type { Snapshot } from '../../../lib/gossip/core/snapshot.ts'
import { Replica } from '../../../lib/gossip/core/replica.ts'
import { seededRng, shuffle } from '../../../lib/util/random.ts'
import type { Signer } from '../../../lib/gossip/core/types.ts'
import { publisherA, publisherB, rec } from './helpers.ts'

function snap(s: Signer, wallMs: number, counter: number, records: Snapshot['records']): Snapshot {
  const version = { wallMs, counter }
  return {
    publisher: s.publicKey,
    version,
    records,
    signature: s.sign(signedMessage(s.publicKey, version, records)),
  }
}

/** Delivers snapshots in the given order, keeping only what the merge rule accepts. */
function apply(order: readonly Snapshot[]): Replica {
  const r = new Replica([publisherA.publicKey, publisherB.publicKey])
  for (const s of order) if (r.newness(Buffer.from(s.publisher).toString('hex'), s) > 0) r.accept(s)
  return r
}

test('merge: the same view in any delivery order, and idempotent (property, seeded)', () => {
  const seed = Number(process.env['MERGE_SEED'] ?? 77)
  console.log(`merge seed ${seed} (MERGE_SEED=${seed} replays)`)
  const rng = seededRng(seed)
  for (let round = 0; round < 40; round++) {
    const all: Snapshot[] = []
    for (const p of [publisherA, publisherB])
      for (let i = 0; i < 1 + rng.int(5); i++) {
        const n = rng.int(4)
        const recs = Array.from({ length: n }, (_, k) => rec(`n${k}.example`, [`10.0.${rng.int(3)}.${k}`]))
        // Same wall time now and then, so ties and counters are exercised.
        all.push(snap(p, 1000 + rng.int(3), rng.int(2), recs))
      }
    const want = apply(all).view()
    for (let k = 0; k < 5; k++) {
      const order = shuffle(rng, all)
      assert.deepEqual(apply(order).view(), want, `round ${round} order ${k}`)
      assert.deepEqual(apply([...order, ...order]).view(), want, `round ${round} twice`)
    }
  }
})

test('merge: equal versions break ties by signature, the same way everywhere', () => {
  const a = snap(publisherA, 1000, 0, [rec('x.example', ['10.0.0.1'])])
  const b = snap(publisherA, 1000, 0, [rec('x.example', ['10.0.0.2'])])
  assert.deepEqual(apply([a, b]).view(), apply([b, a]).view())
})

test('view: two publishers naming the same (name, type) get the union of values and the lowest TTL', () => {
  const a = snap(publisherA, 1, 0, [
    { ...rec('api.example', ['10.0.0.1']), ttlSeconds: 60 },
    rec('only-a', ['1.1.1.1']),
  ])
  const b = snap(publisherB, 1, 0, [{ ...rec('api.example', ['10.0.0.2', '10.0.0.1']), ttlSeconds: 30 }])
  const v = apply([a, b]).view()
  assert.deepEqual(v.records, [
    { name: 'api.example', type: 'A', ttlSeconds: 30, values: ['10.0.0.1', '10.0.0.2'] },
    { name: 'only-a', type: 'A', ttlSeconds: 60, values: ['1.1.1.1'] },
  ])
  assert.equal(v.publishers.length, 2)
})
