/**
 * Failure detection (core/liveness.ts) in the simulator: the real driver on every node probes
 * peers that went silent and closes the connection of one that does not answer.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GOSSIP_DEFAULTS } from '../../lib/gossip/core/config.ts'
import { frozenPeer } from './scenarios.ts'
import { simSeed } from './sim.ts'

const seed = simSeed(20261203)
const config = GOSSIP_DEFAULTS
console.log(`sim seed ${seed} (SIM_SEED=${seed} replays)`)

test('sim: a frozen node (connections up, silent) is dropped by all its peers within two liveness intervals plus the probe timeout', () => {
  const livenessIntervalMs = 5_000
  const bound = 2 * livenessIntervalMs + config.dialTimeoutMs
  const r = frozenPeer({ seed, nodes: 30, config, loss: 0.01, livenessIntervalMs, limitMs: 4 * bound })
  console.log(`frozen peer nodes=30 peers_at_freeze=${r.peersAtFreeze} dropped_after_ms=${r.droppedAfterMs}`)
  assert.ok(r.peersAtFreeze >= 3, `only ${r.peersAtFreeze} peers held the node when it froze`)
  assert.ok(r.droppedAfterMs <= bound, `dropped after ${r.droppedAfterMs} ms > ${bound} ms`)
})
