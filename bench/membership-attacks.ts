/**
 * Membership under attack and start order, in the deterministic simulator (the real core): the
 * figures behind bench/results/membership.md. Not in npm test (test/sim/membership-attacks.test.ts
 * checks the same scenarios with fewer seeds). Takes a few seconds.
 *
 *   node bench/membership-attacks.ts          # 10 seeds per scenario
 *   SIM_SEED=123 node bench/membership-attacks.ts
 *
 * - eclipse: 30 honest nodes; 16 sybils holding the network key dial one victim (redialling within
 *   200 ms), send it all their addresses every second, and withhold every snapshot. 10 s later the
 *   publisher makes 5 edits 5 s apart: ms until the victim holds each.
 * - address spam: 8 honest nodes; one peer sends the victim 100 peers frames of 32 made-up addresses
 *   a second for 15 s: the victim's dials to them per second, and honest nodes that dialled one.
 * - join order: a controller and an agent, the first one started has the other as its only seed,
 *   3 / 20 / 60 s apart: ms from the later start until the agent holds the records.
 */
import { execFileSync } from 'node:child_process'
import { GOSSIP_DEFAULTS } from '../lib/gossip/core/config.ts'
import { addressSpam, joinOrder, sybilEclipse } from '../test/sim/attacks.ts'
import { simSeed } from '../test/sim/sim.ts'

const seed = simSeed(1)
const runs = 10
const config = GOSSIP_DEFAULTS
let commit = 'unknown'
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
} catch {
  // not a git checkout
}
console.log(`# membership-attacks commit=${commit} node=${process.version} seed=${seed} runs=${runs}`)

const pct = (xs: number[], q: number): number => {
  const s = xs.slice().sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? NaN
}
const fmt = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : 'never')

const delays: number[] = []
let worstRun = 0
for (let k = 0; k < runs; k++) {
  const r = sybilEclipse({ seed: seed + k, config })
  delays.push(...r.delaysMs)
  worstRun = Math.max(worstRun, ...r.delaysMs)
}
const delayed = delays.filter((d) => d >= 1000).length
console.log(
  `eclipse edits=${delays.length} p50_ms=${fmt(pct(delays, 0.5))} max_ms=${fmt(worstRun)} delayed_over_1s=${delayed}`,
)

const spam = Array.from({ length: runs }, (_, k) => addressSpam({ seed: seed + k, config }))
console.log(
  `address-spam victim_fake_dials_per_s max=${Math.max(...spam.map((s) => s.victimFakeDialsPerSec)).toFixed(1)} ` +
    `honest_nodes_dialling_fakes max=${Math.max(...spam.map((s) => s.spreadTo))} ` +
    `victim_next_version_ms max=${fmt(Math.max(...spam.map((s) => s.victimDelayMs)))}`,
)

for (const first of ['controller', 'agent'] as const)
  for (const gapMs of [3_000, 20_000, 60_000]) {
    const t = Array.from(
      { length: runs },
      (_, k) => joinOrder({ seed: seed + k, config, first, gapMs }).afterBothUpMs,
    )
    console.log(
      `join ${first}-first gap_s=${gapMs / 1000} p50_ms=${fmt(pct(t, 0.5))} max_ms=${fmt(Math.max(...t))}`,
    )
  }
