import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import { applyDelta, computeDelta } from '../../../lib/gossip/core/delta.ts'
import { canonicalRecords } from '../../../lib/gossip/core/snapshot.ts'
import type { Snapshot } from '../../../lib/gossip/core/snapshot.ts'
import { decodeFrame, encodeFrame } from '../../../lib/gossip/core/wire.ts'
import { seededRng } from '../../../lib/util/random.ts'
import type { Rng } from '../../../lib/util/random.ts'
import type { ResolvedRecord } from '../../../lib/records/types.ts'

const types = ['A', 'AAAA', 'CNAME'] as const

function randomRecords(rng: Rng): ResolvedRecord[] {
  const out: ResolvedRecord[] = []
  const value = { A: '10.0.0.', AAAA: 'fd00::', CNAME: 't.example.n' } as const
  for (let i = 0; i < rng.int(30); i++) {
    const type = types[rng.int(3)] as ResolvedRecord['type']
    out.push({
      name: `n${rng.int(20)}.example`,
      type,
      values: Array.from({ length: 1 + rng.int(3) }, () => `${value[type]}${rng.int(5)}`),
      ttlSeconds: 30 + rng.int(2) * 30,
    })
  }
  // Drop duplicate keys, then canonicalise as a publisher would.
  const seen = new Set<string>()
  const unique = out.filter((r) => !seen.has(`${r.type} ${r.name}`) && seen.add(`${r.type} ${r.name}`))
  const c = canonicalRecords(unique, GOSSIP_DEFAULTS)
  assert.ok(c.ok)
  return c.value
}

const snap = (records: ResolvedRecord[], wallMs: number): Snapshot => ({
  publisher: new Uint8Array(32),
  version: { wallMs, counter: 0 },
  records,
  signature: new Uint8Array(64).fill(wallMs & 255),
})

test('delta: base + delta rebuilds exactly the new snapshot, also through the wire (property, seeded)', () => {
  const seed = Number(process.env['DELTA_SEED'] ?? 9001)
  console.log(`delta seed ${seed} (DELTA_SEED=${seed} replays)`)
  const rng = seededRng(seed)
  for (let i = 0; i < 500; i++) {
    const prev = snap(randomRecords(rng), 1)
    const next = snap(randomRecords(rng), 2)
    const d = computeDelta(prev, next)
    const wire = decodeFrame(encodeFrame({ kind: 'delta', delta: d }))
    assert.ok(wire.ok && wire.value.kind === 'delta')
    const rebuilt = applyDelta(prev.records, wire.value.delta, GOSSIP_DEFAULTS)
    assert.ok(rebuilt.ok)
    assert.deepEqual(rebuilt.value, next.records, `case ${i}`)
  }
})

test('delta: an unchanged snapshot gives an empty delta; a one-record change carries one record', () => {
  const rs = [
    { name: 'a', type: 'A' as const, values: ['1'], ttlSeconds: 60 },
    { name: 'b', type: 'A' as const, values: ['2'], ttlSeconds: 60 },
  ]
  const same = computeDelta(snap(rs, 1), snap(rs, 2))
  assert.deepEqual([same.removed, same.upserted], [[], []])
  const changed = computeDelta(snap(rs, 1), snap([rs[0]!, { ...rs[1]!, values: ['3'] }], 2))
  assert.deepEqual(changed.upserted, [{ name: 'b', type: 'A', values: ['3'], ttlSeconds: 60 }])
  assert.deepEqual(changed.removed, [])
})
