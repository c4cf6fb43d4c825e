/**
 * Gossip at scale, in the deterministic simulator (the real core, real Ed25519). Not in npm test.
 *
 *   node bench/sim.ts                      # full run: 100 … 10,000 nodes
 *   BENCH_MAX_NODES=1000 node bench/sim.ts # quick
 *   SIM_SEED=123 node bench/sim.ts         # replay a seed
 *
 * Targets (issue 3): 10,000 nodes, 1-10 ms latency, 1 % message loss:
 * - one new version reaches 100 % of nodes in < 1.5 s of simulated time;
 * - idle bytes per node per second < 1 KB and flat from 100 to 10,000 nodes;
 * - a 50/50 partition heals within 3 sync intervals after it ends;
 * - 10 % churn per minute loses nothing.
 * Exits 1 when a target is missed.
 */
import { execFileSync } from 'node:child_process'
import os from 'node:os'
import { GOSSIP_DEFAULTS } from '../lib/gossip/core/config.ts'
import { churn, partitionHeal, propagation } from '../test/sim/scenarios.ts'
import { simSeed } from '../test/sim/sim.ts'

const seed = simSeed(20261121)
const maxNodes = Number(process.env['BENCH_MAX_NODES'] ?? 10_000)
const sizes = [100, 300, 1000, 3000, 10_000].filter((n) => n <= maxNodes)
const big = sizes.at(-1) ?? 100
const config = GOSSIP_DEFAULTS
const loss = 0.01
/** Rough libp2p framing per frame on the wire (length prefix, yamux header, noise tag, TCP/IP share). */
const WIRE_OVERHEAD_BYTES_PER_FRAME = 80

let commit = 'unknown'
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim()
} catch {
  // not a git checkout
}
console.log(
  `# gossip-sim commit=${commit} node=${process.version} cpus=${os.cpus().length} seed=${seed} ` +
    `sizes=${sizes.join(',')} latency_ms=1-10 loss=${loss} fanout=${config.fanout} sync_ms=${config.syncIntervalMs} ` +
    `active=${config.activeViewTarget}-${config.activeViewMax} records=50`,
)

const failures: string[] = []
const check = (ok: boolean, what: string): void => {
  console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`)
  if (!ok) failures.push(what)
}
const wallSince = (t: number): string => ((performance.now() - t) / 1000).toFixed(1)

console.log(
  '\n## propagation: 3 versions 3 s apart (a full snapshot, then one-record deltas); then 10 s idle',
)
console.log('# full_ms: worst of the 3 until the last node had it; p50/p99 over all (node, version) pairs')
console.log(
  'nodes full_ms p50_ms p99_ms idle_bytes_per_node_s idle_frames_per_node_s idle_wire_bytes_est real_verifies events wall_s',
)
const rows: { nodes: number; full: number; idle: number }[] = []
for (const nodes of sizes) {
  const t = performance.now()
  const r = propagation({ seed, nodes, config, loss })
  const wire = r.idleBytesPerNodePerSec + r.idleFramesPerNodePerSec * WIRE_OVERHEAD_BYTES_PER_FRAME
  console.log(
    [
      nodes,
      r.fullMs.toFixed(0),
      r.p50Ms.toFixed(0),
      r.p99Ms.toFixed(0),
      r.idleBytesPerNodePerSec.toFixed(1),
      r.idleFramesPerNodePerSec.toFixed(2),
      wire.toFixed(0),
      r.realVerifies,
      r.events,
      wallSince(t),
    ].join(' '),
  )
  rows.push({ nodes, full: r.fullMs, idle: r.idleBytesPerNodePerSec })
}
const first = rows[0]
const last = rows.at(-1)
if (first && last) {
  const idles = rows.map((r) => r.idle)
  console.log(
    `ratio idle_bytes_per_node_s ${last.nodes}/${first.nodes} = ${(last.idle / first.idle).toFixed(2)}`,
  )
  check(last.full < 1500, `100 % of ${last.nodes} nodes in ${last.full.toFixed(0)} ms < 1500 ms`)
  check(
    Math.max(...idles) < 1024,
    `idle payload ${Math.max(...idles).toFixed(0)} B/node/s < 1024 at every size`,
  )
  check(
    Math.max(...idles) / Math.min(...idles) < 1.25,
    `idle cost flat: max/min over ${rows.length} sizes = ${(Math.max(...idles) / Math.min(...idles)).toFixed(2)} < 1.25`,
  )
}

console.log(`\n## 50/50 partition (30 s, two publishers, one per side), then heal; nodes=${big}`)
{
  const t = performance.now()
  const r = partitionHeal({ seed, nodes: big, config, loss })
  console.log(`leaked_during_partition=${r.leakedDuringPartition} heal_ms=${r.healMs} wall_s=${wallSince(t)}`)
  check(r.leakedDuringPartition === 0, 'nothing crosses the partition')
  check(
    r.healMs <= 3 * config.syncIntervalMs,
    `healed in ${r.healMs} ms <= 3 sync intervals (${3 * config.syncIntervalMs} ms)`,
  )
}

console.log(`\n## churn: 10 % of nodes replaced per minute for 3 min, a new version every 10 s; nodes=${big}`)
{
  const t = performance.now()
  const r = churn({ seed, nodes: big, config, loss, ratePerMin: 0.1, durationMs: 180_000 })
  console.log(
    `replaced=${r.killed} versions=${r.versions} missing_at_end=${r.missingAtEnd} wall_s=${wallSince(t)}`,
  )
  check(
    r.missingAtEnd === 0,
    `every live node holds the last version and all its records (${r.killed} replaced)`,
  )
}

console.log(failures.length === 0 ? '\nall targets met' : `\n${failures.length} target(s) missed`)
process.exitCode = failures.length === 0 ? 0 : 1
