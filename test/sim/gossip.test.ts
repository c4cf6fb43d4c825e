/**
 * Scale behaviour of the gossip core in the deterministic simulator, at sizes that fit `npm test`
 * (bench/sim.ts runs the same scenarios at 10,000 nodes). Every run prints its seed; SIM_SEED=…
 * replays it exactly.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GOSSIP_DEFAULTS } from '../../lib/gossip/core/config.ts'
import { churn, partitionHeal, propagation } from './scenarios.ts'
import { simSeed } from './sim.ts'

const seed = simSeed(20261121)
const config = GOSSIP_DEFAULTS
console.log(`sim seed ${seed} (SIM_SEED=${seed} replays)`)

test('sim: one publish reaches 100 % of 1000 nodes (1-10 ms latency, 1 % loss) within 1.5 s; idle cost is small', () => {
  const r = propagation({ seed, nodes: 1000, config, loss: 0.01, warmupMs: 15_000, idleWindowMs: 5_000 })
  console.log(
    `propagation nodes=1000 full_ms=${r.fullMs.toFixed(0)} p50_ms=${r.p50Ms.toFixed(0)} p99_ms=${r.p99Ms.toFixed(0)} idle_bytes_per_node_s=${r.idleBytesPerNodePerSec.toFixed(0)}`,
  )
  assert.ok(r.fullMs < 1500, `full propagation took ${r.fullMs} ms`)
  assert.ok(r.idleBytesPerNodePerSec < 1024, `idle ${r.idleBytesPerNodePerSec} B/node/s`)
})

test('sim: a 50/50 partition leaks nothing and heals within 3 sync intervals (500 nodes)', () => {
  const r = partitionHeal({ seed, nodes: 500, config, loss: 0.01, warmupMs: 10_000, partitionMs: 10_000 })
  console.log(`partition nodes=500 leaked=${r.leakedDuringPartition} heal_ms=${r.healMs}`)
  assert.equal(r.leakedDuringPartition, 0)
  assert.ok(r.healMs <= 3 * config.syncIntervalMs, `healed after ${r.healMs} ms`)
})

test('sim: a 5-minute partition of a small cluster (20 nodes) still heals within 3 sync intervals', () => {
  const r = partitionHeal({ seed, nodes: 20, config, loss: 0.01, warmupMs: 10_000, partitionMs: 300_000 })
  console.log(`long partition nodes=20 leaked=${r.leakedDuringPartition} heal_ms=${r.healMs}`)
  assert.equal(r.leakedDuringPartition, 0)
  assert.ok(r.healMs <= 3 * config.syncIntervalMs, `healed after ${r.healMs} ms`)
})

test('sim: 10 % churn per minute loses nothing (300 nodes, a version every 10 s)', () => {
  const r = churn({
    seed,
    nodes: 300,
    config,
    loss: 0.01,
    warmupMs: 10_000,
    durationMs: 60_000,
    ratePerMin: 0.1,
  })
  console.log(`churn nodes=300 replaced=${r.killed} versions=${r.versions} missing_at_end=${r.missingAtEnd}`)
  assert.ok(r.killed >= 29)
  assert.equal(r.missingAtEnd, 0)
})

test('sim: a seed replays a run exactly', () => {
  const run = (): string => {
    const r = propagation({
      seed,
      nodes: 200,
      config,
      loss: 0.01,
      warmupMs: 5_000,
      idleWindowMs: 2_000,
      publishes: 1,
    })
    return JSON.stringify([r.fullMs, r.p99Ms, r.events, r.idleBytesPerNodePerSec])
  }
  assert.equal(run(), run())
})
