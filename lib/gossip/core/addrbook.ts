/**
 * The addresses a node knows, and which one to dial next (membership.ts keeps the active view).
 *
 * Addresses in `hello` and `peers` frames are not authenticated, so the book assumes a peer may lie:
 * - every learned address remembers the peer it came through (its source); one source holds at most
 *   `maxAddrsPerSource` slots, and a full book evicts from the largest source, so a peer spamming
 *   addresses only churns its own slots;
 * - an address is `reached` once we dialled it and a connection came up. Reached addresses are
 *   dialled first, and peer exchange passes on only first-hand addresses (membership.ts `sample`);
 * - dials to addresses never reached are rate limited (`unreachedDialsPerSec`, `unreachedDialsBurst`);
 * - the caller bounds how many of its outbound connections come through one source.
 *
 * Seeds are configured and never forgotten. While the node has no peer at all, a failed seed is
 * retried after at most `isolatedSeedRetryCapMs` (jittered) instead of the long backoff: nodes start
 * in any order, and a node started before its seeds must join as soon as one answers.
 */
import type { Millis } from '../../util/clock.ts'
import type { Rng } from '../../util/random.ts'
import { backoffMs } from '../../util/backoff.ts'
import type { GossipConfig } from './config.ts'
import type { Addr, PeerId } from './types.ts'
import { Bucket } from './bucket.ts'

/** Source of a seed: configured, not learned from any peer. */
export const SEED: PeerId = ''

interface Entry {
  failures: number
  nextDialAt: Millis
  readonly source: PeerId
  reached: boolean
}

export interface PickOptions {
  /** Addresses not to dial now (in flight, connected, ours). */
  readonly busy: (a: Addr) => boolean
  /** Sources that already have their share of our outbound connections. */
  readonly full: (source: PeerId) => boolean
  /** The node has too few peers of its own choosing: reached addresses, then seeds, first. */
  readonly anchor: boolean
  /** Rotation: an address never reached first (rate limit allowing), no seeds. */
  readonly explore?: boolean
}

export class AddrBook {
  private readonly seeds = new Map<Addr, Entry>()
  private readonly learned = new Map<Addr, Entry>()
  private readonly perSource = new Map<PeerId, Set<Addr>>()
  private self = new Set<Addr>()
  private readonly unreachedDials: Bucket
  private readonly cfg: GossipConfig
  private readonly rng: Rng

  constructor(cfg: GossipConfig, rng: Rng) {
    this.cfg = cfg
    this.rng = rng
    this.unreachedDials = new Bucket(cfg.unreachedDialsPerSec, cfg.unreachedDialsBurst, 0)
  }

  get size(): number {
    return this.learned.size
  }

  get ownAddrs(): readonly Addr[] {
    return [...this.self]
  }

  isSelf(a: Addr): boolean {
    return this.self.has(a)
  }

  setSelf(addrs: readonly Addr[]): void {
    this.self = new Set(addrs)
    for (const a of addrs) this.forget(a)
  }

  /** An address that turned out to be ours (a seed list that includes this node). */
  addSelf(a: Addr): void {
    this.self.add(a)
    this.forget(a)
  }

  setSeeds(addrs: readonly Addr[]): void {
    const next = new Set(addrs)
    for (const a of this.seeds.keys()) if (!next.has(a)) this.seeds.delete(a)
    for (const a of next)
      if (!this.seeds.has(a)) this.seeds.set(a, { failures: 0, nextDialAt: 0, source: SEED, reached: false })
  }

  sourceOf(a: Addr): PeerId | undefined {
    return this.get(a)?.source
  }

  /** Remembers addresses `source` told us about (its hello, or peer exchange). */
  learn(addrs: readonly Addr[], source: PeerId): void {
    for (const a of addrs) {
      if (this.self.has(a) || this.seeds.has(a) || this.learned.has(a)) continue
      const mine = this.perSource.get(source)
      if (mine !== undefined && mine.size >= this.cfg.maxAddrsPerSource) this.evictFrom(mine)
      else if (this.learned.size >= this.cfg.passiveViewMax) this.evictFromLargest()
      this.learned.set(a, { failures: 0, nextDialAt: 0, source, reached: false })
      let set = this.perSource.get(source)
      if (set === undefined) this.perSource.set(source, (set = new Set()))
      set.add(a)
    }
  }

  /** We dialled `a` and a connection came up. */
  reached(a: Addr): void {
    const e = this.get(a)
    if (e === undefined) return
    e.reached = true
    e.failures = 0
  }

  resetFailures(a: Addr): void {
    const e = this.get(a)
    if (e) e.failures = 0
  }

  /** A dial failed or a connection was lost. `isolated`: the node has no peer left. */
  fail(a: Addr, now: Millis, isolated: boolean): void {
    const e = this.get(a)
    if (e === undefined) return
    e.failures++
    const seed = e.source === SEED && this.seeds.has(a)
    const cap = seed && isolated ? this.cfg.isolatedSeedRetryCapMs : this.cfg.dialBackoffCapMs
    e.nextDialAt = now + backoffMs(e.failures, this.rng, this.cfg.dialBackoffBaseMs, cap)
    if (!seed && e.failures >= this.cfg.maxDialFailures) this.forget(a)
  }

  /** The node just lost its last peer: no seed waits longer than the isolated cap from now. */
  isolated(now: Millis): void {
    for (const e of this.seeds.values()) {
      const soon =
        now + backoffMs(e.failures, this.rng, this.cfg.dialBackoffBaseMs, this.cfg.isolatedSeedRetryCapMs)
      e.nextDialAt = Math.min(e.nextDialAt, soon)
    }
  }

  clockSteppedBack(backMs: Millis): void {
    for (const from of [this.learned, this.seeds]) for (const e of from.values()) e.nextDialAt -= backMs
  }

  /** Addresses we have reached ourselves (for peer exchange). */
  reachedAddrs(): Addr[] {
    const out: Addr[] = []
    for (const from of [this.seeds, this.learned]) for (const [a, e] of from) if (e.reached) out.push(a)
    return out
  }

  /**
   * The next address to dial, or undefined. Reached learned addresses first (for an anchor, then
   * seeds), one random source at a time so that no source outweighs the others by volume; then
   * addresses never reached, while the rate limit allows; seeds last.
   */
  pick(now: Millis, o: PickOptions): Addr | undefined {
    const seeds: Addr[] = []
    for (const [a, e] of this.seeds) if (e.nextDialAt <= now && !o.busy(a)) seeds.push(a)
    const reached = new Map<PeerId, Addr[]>()
    const unreached = new Map<PeerId, Addr[]>()
    for (const [a, e] of this.learned) {
      if (e.nextDialAt > now || o.busy(a) || o.full(e.source)) continue
      const into = e.reached ? reached : unreached
      const list = into.get(e.source)
      if (list === undefined) into.set(e.source, [a])
      else list.push(a)
    }
    const tryUnreached = (): Addr | undefined =>
      unreached.size > 0 && this.unreachedDials.take(1, now) ? this.bySource(unreached) : undefined
    if (o.explore === true) return tryUnreached() ?? this.bySource(reached)
    return (
      this.bySource(reached) ??
      (o.anchor ? this.any(seeds) : undefined) ??
      tryUnreached() ??
      (o.anchor ? undefined : this.any(seeds))
    )
  }

  /** The earliest time `pick` may return something: a backoff ending, or an unreached-dial token. */
  nextDue(now: Millis, busy: (a: Addr) => boolean, full: (s: PeerId) => boolean): Millis | undefined {
    let t = Infinity
    for (const [a, e] of this.seeds) if (!busy(a)) t = Math.min(t, e.nextDialAt)
    const wait = this.unreachedDials.waitMs(1, now)
    for (const [a, e] of this.learned)
      if (!busy(a) && !full(e.source))
        t = Math.min(t, e.reached ? e.nextDialAt : Math.max(e.nextDialAt, now + wait))
    return t === Infinity ? undefined : t
  }

  private get(a: Addr): Entry | undefined {
    return this.seeds.get(a) ?? this.learned.get(a)
  }

  private forget(a: Addr): void {
    const e = this.learned.get(a)
    if (e === undefined) return
    this.learned.delete(a)
    const set = this.perSource.get(e.source)
    set?.delete(a)
    if (set?.size === 0) this.perSource.delete(e.source)
  }

  /** Drops one of `set`'s addresses, preferring one never reached. */
  private evictFrom(set: ReadonlySet<Addr>): void {
    const all = [...set]
    const unreached = all.filter((a) => this.learned.get(a)?.reached === false)
    const from = unreached.length > 0 ? unreached : all
    const victim = from[this.rng.int(from.length)]
    if (victim !== undefined) this.forget(victim)
  }

  private evictFromLargest(): void {
    let largest: Set<Addr> | undefined
    for (const set of this.perSource.values())
      if (largest === undefined || set.size > largest.size) largest = set
    if (largest !== undefined) this.evictFrom(largest)
  }

  private any(xs: readonly Addr[]): Addr | undefined {
    return xs.length === 0 ? undefined : xs[this.rng.int(xs.length)]
  }

  private bySource(pool: ReadonlyMap<PeerId, Addr[]>): Addr | undefined {
    const lists = [...pool.values()]
    const list = lists[this.rng.int(lists.length)]
    return list === undefined ? undefined : this.any(list)
  }
}
