/**
 * The scale scenarios, shared by the sim tests (modest sizes) and bench/sim.ts (10,000
 * nodes). Each returns its measurements; callers check them against targets.
 */
import type { GossipConfig } from '../../lib/gossip/core/types.ts'
import type { ResolvedRecord } from '../../lib/records/types.ts'
import { Sim, exampleRecords } from './sim.ts'

export interface ScenarioOptions {
  readonly seed: number
  readonly nodes: number
  readonly config: GossipConfig
  readonly loss?: number
  /** Virtual time to let membership settle before measuring. @default 20000 */
  readonly warmupMs?: number
  /** Records per snapshot. @default 50 */
  readonly records?: number
}

function newSim(o: ScenarioOptions, publishers = 1): Sim {
  return new Sim({ seed: o.seed, nodes: o.nodes, config: o.config, loss: o.loss ?? 0, publishers })
}

/** The version string node `i` holds for publisher 0, or undefined. */
function versionAt(sim: Sim, i: number, publisher = 0): string | undefined {
  const id = Buffer.from(sim.signers[publisher]?.publicKey ?? []).toString('hex')
  return sim.nodes[i]?.core.replica().publishers.find((p) => p.id === id)?.version
}

function publishedVersion(sim: Sim, publisher = 0): string {
  return versionAt(sim, publisher, publisher) ?? ''
}

/** Alive nodes whose replica does not hold `version` of `publisher` (or not exactly `records`). */
export function missing(
  sim: Sim,
  version: string,
  publisher = 0,
  records?: readonly ResolvedRecord[],
): number {
  let n = 0
  const want = records ? JSON.stringify(records) : undefined
  for (const node of sim.nodes) {
    if (!node.alive) continue
    if (versionAt(sim, node.idx, publisher) !== version) n++
    else if (want !== undefined && JSON.stringify(node.core.replica().records) !== want) n++
  }
  return n
}

export interface Propagation {
  readonly nodes: number
  readonly publishes: number
  /** Worst, over the publishes, of the virtual ms until the last node held the version (Infinity if never). */
  readonly fullMs: number
  /** Over every (node, publish) pair. */
  readonly p50Ms: number
  readonly p99Ms: number
  readonly idleBytesPerNodePerSec: number
  readonly idleFramesPerNodePerSec: number
  readonly realVerifies: number
  readonly events: number
  readonly sim: Sim
}

/**
 * Warm up; publish `publishes` versions 3 s apart (the first a full snapshot nobody has, the later
 * ones one-record deltas) and time each to every node; then measure an idle window.
 */
export function propagation(
  o: ScenarioOptions & { readonly idleWindowMs?: number; readonly publishes?: number },
): Propagation {
  const sim = newSim(o)
  sim.runFor(o.warmupMs ?? 20_000)
  const publishes = o.publishes ?? 3
  const all: number[] = []
  let worst = 0
  for (let k = 0; k < publishes; k++) {
    sim.publish(0, exampleRecords((o.records ?? 50) + k))
    const version = publishedVersion(sim)
    const start = sim.now
    const reached = new Map<number, number>([[0, start]])
    sim.onChange = (i, view, now) => {
      if (!reached.has(i) && view.publishers[0]?.version === version) reached.set(i, now)
    }
    sim.runUntil(start + 10_000, () => reached.size === o.nodes)
    sim.onChange = undefined
    const times = [...reached.values()].map((t) => t - start)
    all.push(...times)
    worst = reached.size === o.nodes ? Math.max(worst, ...times) : Infinity
    sim.runUntil(start + 3_000)
  }
  all.sort((a, b) => a - b)
  const at = (q: number): number => all[Math.min(all.length - 1, Math.floor(all.length * q))] ?? Infinity
  // Idle: let stragglers finish, then count what everyone sends while nothing changes.
  sim.runFor(2_000)
  const bytes0 = sim.nodes.reduce((a, n) => a + n.bytesOut, 0)
  const frames0 = sim.nodes.reduce((a, n) => a + n.framesOut, 0)
  const windowMs = o.idleWindowMs ?? 10_000
  sim.runFor(windowMs)
  const bytes = sim.nodes.reduce((a, n) => a + n.bytesOut, 0) - bytes0
  const frames = sim.nodes.reduce((a, n) => a + n.framesOut, 0) - frames0
  return {
    nodes: o.nodes,
    publishes,
    fullMs: worst,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    idleBytesPerNodePerSec: bytes / o.nodes / (windowMs / 1000),
    idleFramesPerNodePerSec: frames / o.nodes / (windowMs / 1000),
    realVerifies: sim.verifier.real(),
    events: sim.events,
    sim,
  }
}

export interface PartitionResult {
  /** Nodes on the far side holding the new versions when the partition ended (should be 0). */
  readonly leakedDuringPartition: number
  /** Virtual ms from heal until every node held both sides' new versions (Infinity if never). */
  readonly healMs: number
}

/**
 * Two publishers, one on each side (even / odd nodes). Split 50/50, each side publishes a new
 * version, keep the partition `partitionMs` (long enough for cross connections to die), heal.
 */
export function partitionHeal(o: ScenarioOptions & { readonly partitionMs?: number }): PartitionResult {
  const sim = newSim(o, 2)
  sim.runFor(o.warmupMs ?? 20_000)
  sim.publish(0, exampleRecords(o.records ?? 50, 1))
  sim.publish(1, exampleRecords(o.records ?? 50, 2))
  sim.runFor(3_000)
  sim.partition((i) => i % 2)
  sim.runFor(1_000)
  sim.publish(0, exampleRecords(o.records ?? 50, 3))
  sim.publish(1, exampleRecords(o.records ?? 50, 4))
  const v0 = publishedVersion(sim, 0)
  const v1 = publishedVersion(sim, 1)
  sim.runFor(o.partitionMs ?? 30_000)
  let leaked = 0
  for (const n of sim.alive) {
    if (n.idx % 2 === 1 && versionAt(sim, n.idx, 0) === v0) leaked++
    if (n.idx % 2 === 0 && versionAt(sim, n.idx, 1) === v1) leaked++
  }
  sim.heal()
  const healStart = sim.now
  const done = (): boolean => missing(sim, v0, 0) === 0 && missing(sim, v1, 1) === 0
  // Check every 50 ms of virtual time (checking after every event would dominate the run).
  while (!done() && sim.now - healStart < 60_000) sim.runFor(50)
  return { leakedDuringPartition: leaked, healMs: done() ? sim.now - healStart : Infinity }
}

export interface ChurnResult {
  readonly killed: number
  readonly started: number
  /** Alive nodes at the end missing the last version or any of its records (must be 0). */
  readonly missingAtEnd: number
  readonly versions: number
}

/**
 * `ratePerMin` of the non-seed nodes are replaced every minute (killed; a new node with a new
 * identity starts), while the publisher publishes a new version every `publishEveryMs`.
 */
export function churn(
  o: ScenarioOptions & {
    readonly ratePerMin?: number
    readonly durationMs?: number
    readonly publishEveryMs?: number
  },
): ChurnResult {
  const sim = newSim(o)
  sim.runFor(o.warmupMs ?? 20_000)
  const duration = o.durationMs ?? 120_000
  const killEvery = 60_000 / Math.max(1, Math.round((o.ratePerMin ?? 0.1) * o.nodes))
  const publishEvery = o.publishEveryMs ?? 10_000
  const end = sim.now + duration
  let nextKill = sim.now + killEvery
  let nextPublish = sim.now
  let killed = 0
  let versions = 0
  let records = exampleRecords(o.records ?? 50)
  while (sim.now < end) {
    const t = Math.min(nextKill, nextPublish, end)
    sim.runUntil(t)
    if (t === nextPublish) {
      records = exampleRecords(o.records ?? 50, ++versions)
      sim.publish(0, records)
      nextPublish += publishEvery
    }
    if (t === nextKill) {
      const victims = sim.alive.filter((n) => n.idx >= 3)
      const v = victims[sim.rng.int(victims.length)]
      if (v) {
        sim.kill(v.idx)
        sim.spawn()
        killed++
      }
      nextKill += killEvery
    }
  }
  sim.runFor(3 * o.config.syncIntervalMs)
  const version = publishedVersion(sim)
  // The publisher's own replica holds the canonical form of `records`.
  const canonical = sim.nodes[0]?.core.replica().records ?? []
  if (canonical.length !== records.length) throw new Error('publisher lost its own records')
  return { killed, started: killed, missingAtEnd: missing(sim, version, 0, canonical), versions }
}

export interface FrozenResult {
  /** Live nodes that had the frozen node as a peer when it froze. */
  readonly peersAtFreeze: number
  /** Virtual ms from the freeze until no live node counted it as a peer (Infinity if never). */
  readonly droppedAfterMs: number
}

/**
 * One node's process hangs (SIGSTOP): its connections stay up, it sends and answers nothing. Its
 * peers must notice on their own (core/liveness.ts) and drop it.
 */
export function frozenPeer(
  o: ScenarioOptions & { readonly livenessIntervalMs: number; readonly limitMs: number },
): FrozenResult {
  const sim = new Sim({
    seed: o.seed,
    nodes: o.nodes,
    config: o.config,
    loss: o.loss ?? 0,
    livenessIntervalMs: o.livenessIntervalMs,
  })
  sim.runFor(o.warmupMs ?? 20_000)
  const frozen = sim.nodes[o.nodes - 1] as (typeof sim.nodes)[number]
  const holders = (): number =>
    sim.alive.filter((n) => n !== frozen && n.core.peers().includes(frozen.id)).length
  const peersAtFreeze = holders()
  sim.freeze(frozen.idx)
  const start = sim.now
  while (holders() > 0 && sim.now - start < o.limitMs) sim.runFor(100)
  return { peersAtFreeze, droppedAfterMs: holders() === 0 ? sim.now - start : Infinity }
}
