/**
 * Membership under attack and under any start order, on the real core in the simulator (virtual
 * clock): sybils trying to eclipse a node, a peer spamming made-up addresses, and a node started up
 * to 60 s before its only seed. SIM_SEED=… replays a run.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GOSSIP_DEFAULTS } from '../../lib/gossip/core/config.ts'
import { addressSpam, joinOrder, sybilEclipse } from './attacks.ts'
import { simSeed } from './sim.ts'

const seed = simSeed(20261202)
const config = GOSSIP_DEFAULTS
console.log(`sim seed ${seed} (SIM_SEED=${seed} replays)`)

test('sim: either side started up to 60 s before the other, the agent holds the records < 2 s after both are up', () => {
  const worst: string[] = []
  for (const first of ['controller', 'agent'] as const)
    for (const gapMs of [3_000, 20_000, 60_000])
      for (let k = 0; k < 5; k++) {
        const r = joinOrder({ seed: seed + k, config, first, gapMs })
        worst.push(`${first}-first gap=${gapMs}: ${r.afterBothUpMs.toFixed(0)} ms`)
        assert.ok(r.afterBothUpMs < 2_000, worst.at(-1))
      }
  console.log(worst.join('\n'))
})

test('sim: 16 sybils dialling a node and withholding snapshots delay none of five edits by more than 1 s', () => {
  for (let k = 0; k < 3; k++) {
    const r = sybilEclipse({ seed: seed + k, config })
    console.log(
      `eclipse seed=${seed + k} delays_ms=${r.delaysMs.join(',')} sybil_peers=${r.sybilPeers.join(',')}`,
    )
    assert.ok(Math.max(...r.delaysMs) < 1_000, `delays ${r.delaysMs.join(', ')} ms`)
  }
})

test('sim: a peer spamming made-up addresses gets at most the unreached-dial rate, and they do not spread', () => {
  for (let k = 0; k < 2; k++) {
    const r = addressSpam({ seed: seed + k, config })
    console.log(`address spam seed=${seed + k} ${JSON.stringify(r)}`)
    // The burst lets a few more through in the first second.
    const bound = config.unreachedDialsPerSec + config.unreachedDialsBurst / 15
    assert.ok(r.victimFakeDialsPerSec <= bound, `${r.victimFakeDialsPerSec} dials/s`)
    assert.equal(r.spreadTo, 0)
    assert.ok(r.victimDelayMs < 1_000, `victim got the next version after ${r.victimDelayMs} ms`)
  }
})
