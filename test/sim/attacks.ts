/**
 * Hostile-peer and start-order scenarios for the simulator (the membership hardening of issue 15):
 * sybils that try to eclipse one node, a peer spamming fake addresses, and a node started long
 * before its only seed. Each returns what it measured; the tests and bench/RESULTS.md use them.
 */
import type { GossipConfig } from '../../lib/gossip/core/types.ts'
import { encodeFrame } from '../../lib/gossip/core/wire.ts'
import { Sim, exampleRecords } from './sim.ts'

function versionAt(sim: Sim, i: number): string | undefined {
  return sim.nodes[i]?.core.replica().publishers[0]?.version
}

/** Runs until node `i` holds `version` or `limitMs` passes; the virtual ms it took (Infinity if never). */
function timeTo(sim: Sim, i: number, version: string, limitMs: number): number {
  const start = sim.now
  while (versionAt(sim, i) !== version && sim.now - start < limitMs) sim.runFor(10)
  return versionAt(sim, i) === version ? sim.now - start : Infinity
}

export interface EclipseOptions {
  readonly seed: number
  readonly config: GossipConfig
  /** Honest nodes (node 0 publishes, nodes 0-2 are the seeds). @default 30 */
  readonly honest?: number
  /** @default 16 */
  readonly sybils?: number
  /** Edits published during the attack, `editEveryMs` apart. @default 5 */
  readonly edits?: number
  readonly editEveryMs?: number
}

export interface EclipseResult {
  /** Per edit: virtual ms from the publish until the victim held it. */
  readonly delaysMs: readonly number[]
  /** Victim's active peers that are sybils, sampled just before each edit. */
  readonly sybilPeers: readonly number[]
}

/**
 * `sybils` identities that hold the network key join one victim and withhold every snapshot: each
 * one redials the victim within 200 ms whenever it is dropped, and every second tells it the
 * addresses of all the sybils. The publisher then publishes `edits` versions.
 */
export function sybilEclipse(o: EclipseOptions): EclipseResult {
  const honest = o.honest ?? 30
  const count = o.sybils ?? 16
  const victim = honest - 1
  const sim = new Sim({
    seed: o.seed,
    nodes: honest,
    config: o.config,
    seedsOf: (i) => (i < honest ? ['sim:0', 'sim:1', 'sim:2'] : []),
  })
  sim.runFor(20_000)
  const sybils = Array.from({ length: count }, () => sim.spawn())
  for (const s of sybils) sim.sybils.add(s)
  const addrs = encodeFrame({ kind: 'peers', addrs: sybils.map((s) => sim.net.addr(s)) })
  let nextPeers = sim.now
  const attackFor = (ms: number): void => {
    const end = sim.now + ms
    while (sim.now < end) {
      for (const s of sybils) if (!sim.connected(s, victim)) sim.dialNow(s, victim)
      if (sim.now >= nextPeers) {
        for (const s of sybils) sim.sendRaw(s, victim, addrs)
        nextPeers = sim.now + 1000
      }
      sim.runFor(Math.min(200, ms))
    }
  }
  attackFor(10_000)
  const delaysMs: number[] = []
  const sybilPeers: number[] = []
  for (let k = 0; k < (o.edits ?? 5); k++) {
    const peers = sim.nodes[victim]?.core.peers() ?? []
    sybilPeers.push(peers.filter((p) => sim.indexOf(p) >= honest).length)
    sim.publish(0, exampleRecords(20, k + 1))
    const version = versionAt(sim, 0) as string
    const start = sim.now
    const reached = (): boolean => versionAt(sim, victim) === version
    while (!reached() && sim.now - start < 60_000) attackFor(10)
    delaysMs.push(reached() ? sim.now - start : Infinity)
    attackFor(Math.max(0, start + (o.editEveryMs ?? 5_000) - sim.now))
  }
  return { delaysMs, sybilPeers }
}

export interface SpamResult {
  /** Dials per second by the victim to addresses the spammer made up, during the spam. */
  readonly victimFakeDialsPerSec: number
  /** Honest nodes other than the victim that dialled a made-up address (spread by peer exchange). */
  readonly spreadTo: number
  /** The victim still got a new version, virtual ms after its publish. */
  readonly victimDelayMs: number
}

/**
 * One peer holding the network key connects to a victim and sends it `peers` frames of made-up
 * addresses as fast as the victim's rate limit lets through (100 frames of 32 a second, about 48,000
 * addresses in 15 s; the trial sent 68,000).
 */
export function addressSpam(o: { seed: number; config: GossipConfig; honest?: number }): SpamResult {
  // A small cluster, as in the trial: its nodes sit below activeViewTarget and keep dialling.
  const honest = o.honest ?? 8
  const victim = honest - 1
  const sim = new Sim({
    seed: o.seed,
    nodes: honest,
    config: o.config,
    seedsOf: (i) => (i < honest ? ['sim:0', 'sim:1', 'sim:2'] : []),
  })
  sim.runFor(20_000)
  const spammer = sim.spawn()
  sim.sybils.add(spammer)
  const fakeDials = new Map<number, number>()
  sim.net.onDial = (node, addr) => {
    if (addr.startsWith('sim:fake/')) fakeDials.set(node, (fakeDials.get(node) ?? 0) + 1)
  }
  const durationMs = 15_000
  let n = 0
  const start = sim.now
  while (sim.now - start < durationMs) {
    if (!sim.connected(spammer, victim)) sim.dialNow(spammer, victim)
    for (let f = 0; f < 10; f++) {
      const addrs = Array.from({ length: 32 }, () => `sim:fake/${n++}`)
      sim.sendRaw(spammer, victim, encodeFrame({ kind: 'peers', addrs }))
    }
    sim.runFor(100)
  }
  const victimFakeDialsPerSec = (fakeDials.get(victim) ?? 0) / (durationMs / 1000)
  // Give peer exchange a few rotations to carry the fakes further, then check the victim still follows.
  sim.runFor(60_000)
  sim.publish(0, exampleRecords(20, 7))
  const victimDelayMs = timeTo(sim, victim, versionAt(sim, 0) as string, 30_000)
  let spreadTo = 0
  for (const [node, dials] of fakeDials) if (node !== victim && dials > 0) spreadTo++
  return { victimFakeDialsPerSec, spreadTo, victimDelayMs }
}

export interface JoinOrderResult {
  /** Virtual ms from the later node's start until the agent held the published version. */
  readonly afterBothUpMs: number
}

/**
 * A controller (node 0, publishes at its start) and one agent; the one started first has the other
 * as its only seed (so it is the one that must keep retrying), the later one has no seed.
 */
export function joinOrder(o: {
  seed: number
  config: GossipConfig
  first: 'controller' | 'agent'
  gapMs: number
}): JoinOrderResult {
  const early = o.first === 'controller' ? 0 : 1
  const sim = new Sim({
    seed: o.seed,
    nodes: 0,
    config: o.config,
    publishers: 1,
    seedsOf: (i) => (i === early ? [`sim:${1 - i}`] : []),
  })
  // Node 0 must exist first (it holds the publisher key); it starts when its listen-addrs input runs.
  const controllerAt = o.first === 'controller' ? 0 : o.gapMs
  sim.spawn(controllerAt)
  sim.spawn(o.gapMs - controllerAt)
  sim.runUntil(controllerAt + 0.001)
  sim.publish(0, exampleRecords(5))
  const version = versionAt(sim, 0) as string
  if (sim.now < o.gapMs) sim.runUntil(o.gapMs)
  const t = timeTo(sim, 1, version, 120_000)
  return { afterBothUpMs: t }
}
