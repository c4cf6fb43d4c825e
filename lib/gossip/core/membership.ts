/**
 * Membership: a bounded partial view of the cluster (in the spirit of HyParView, simplified).
 *
 * - active: connected peers, at most `activeViewMax`. Below `activeViewTarget` the node dials.
 * - passive: addresses learned from hellos and peer exchange, at most `passiveViewMax`, random
 *   eviction; a learned address that fails `maxDialFailures` times in a row is forgotten.
 * - seeds: configured addresses, never forgotten; dialled when the node is isolated or knows no one
 *   else. Every address has its own jittered exponential backoff (`backoffMs`), so the node retries
 *   forever without hammering.
 * - A full node still accepts a newcomer and evicts a random other peer (after telling it some
 *   addresses): joins always succeed, and the overlay stays random.
 * - Rotation: every `rotateIntervalMs` (jittered) a node near `activeViewMax` drops one random peer
 *   and dials one random passive address. The overlay keeps mixing, so the two sides of a healed
 *   partition find each other again without any global knowledge.
 *
 * No node ever holds a connection to every other node; costs per node do not grow with the cluster.
 */
import type { Millis, Rng } from '../../util/clock.ts'
import { backoffMs } from '../../util/clock.ts'
import type { GossipConfig } from './config.ts'
import type { Action, Addr, PeerId } from './types.ts'
import { encodeFrame } from './wire.ts'

/** `k` random elements of `xs` in random order (partial Fisher–Yates; reorders `xs`). */
function pickK<T>(rng: Rng, xs: T[], k: number): T[] {
  const n = Math.min(k, xs.length)
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(xs.length - i)
    const tmp = xs[i] as T
    xs[i] = xs[j] as T
    xs[j] = tmp
  }
  return xs.length === n ? xs : xs.slice(0, n)
}

interface AddrState {
  failures: number
  nextDialAt: Millis
}

class Bucket {
  private tokens: number
  private last: Millis
  private readonly rate: number
  private readonly burst: number

  constructor(rate: number, burst: number, now: Millis) {
    this.rate = rate
    this.burst = burst
    this.tokens = burst
    this.last = now
  }

  take(n: number, now: Millis): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (this.rate * Math.max(0, now - this.last)) / 1000)
    this.last = now
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }
}

export interface PeerState {
  readonly id: PeerId
  /** Listen addresses the peer announced in its hello. */
  addrs: readonly Addr[]
  readonly dialed: Addr | undefined
  readonly frames: Bucket
  readonly bytes: Bucket
  /** Full snapshots sent to this peer on request (want or digest): publisher id → signature key, time. */
  readonly answered: Map<string, { readonly key: string; readonly at: Millis }>
}

export class Membership {
  readonly active = new Map<PeerId, PeerState>()
  private readonly passive = new Map<Addr, AddrState>()
  private readonly seeds = new Map<Addr, AddrState>()
  private readonly dialing = new Map<Addr, Millis>()
  private readonly owner = new Map<Addr, PeerId>()
  private selfAddrs: ReadonlySet<Addr> = new Set()
  private readonly cfg: GossipConfig
  private readonly rng: Rng

  constructor(cfg: GossipConfig, rng: Rng) {
    this.cfg = cfg
    this.rng = rng
  }

  get passiveSize(): number {
    return this.passive.size
  }

  get dialsInFlight(): number {
    return this.dialing.size
  }

  setSeeds(addrs: readonly Addr[]): void {
    const next = new Set(addrs)
    for (const a of this.seeds.keys()) if (!next.has(a)) this.seeds.delete(a)
    for (const a of next) if (!this.seeds.has(a)) this.seeds.set(a, { failures: 0, nextDialAt: 0 })
  }

  setListenAddrs(addrs: readonly Addr[]): void {
    this.selfAddrs = new Set(addrs)
    for (const a of addrs) this.passive.delete(a)
  }

  ownAddrs(): readonly Addr[] {
    return [...this.selfAddrs]
  }

  /** Remembers addresses for later dials (hello, peer exchange). */
  learn(addrs: readonly Addr[]): void {
    for (const a of addrs) {
      if (this.selfAddrs.has(a) || this.seeds.has(a) || this.passive.has(a)) continue
      if (this.passive.size >= this.cfg.passiveViewMax) {
        const keys = [...this.passive.keys()]
        this.passive.delete(keys[this.rng.int(keys.length)] as Addr)
      }
      this.passive.set(a, { failures: 0, nextDialAt: 0 })
    }
  }

  /** The peer's hello: its own listen addresses. */
  announce(peer: PeerId, addrs: readonly Addr[]): void {
    const st = this.active.get(peer)
    if (st === undefined) return
    for (const a of st.addrs) if (this.owner.get(a) === peer) this.owner.delete(a)
    st.addrs = addrs.slice(0, this.cfg.maxAddrsPerFrame)
    for (const a of st.addrs) this.owner.set(a, peer)
    this.learn(st.addrs)
    for (const a of st.addrs) this.resetFailures(a)
  }

  private state(a: Addr): AddrState | undefined {
    return this.seeds.get(a) ?? this.passive.get(a)
  }

  private resetFailures(a: Addr): void {
    const st = this.state(a)
    if (st) st.failures = 0
  }

  private fail(a: Addr, now: Millis): void {
    const st = this.state(a)
    if (st === undefined) return
    st.failures++
    st.nextDialAt =
      now + backoffMs(st.failures, this.rng, this.cfg.dialBackoffBaseMs, this.cfg.dialBackoffCapMs)
    if (!this.seeds.has(a) && st.failures >= this.cfg.maxDialFailures) this.passive.delete(a)
  }

  /** Returns false when the connection is to ourselves (the caller hangs up). */
  peerUp(now: Millis, peer: PeerId, dialed: Addr | undefined, self: PeerId, out: Action[]): boolean {
    if (dialed !== undefined) this.dialing.delete(dialed)
    if (peer === self) {
      if (dialed !== undefined) {
        // We dialled one of our own addresses (a seed list that includes this node): never again.
        this.selfAddrs = new Set([...this.selfAddrs, dialed])
        this.passive.delete(dialed)
      }
      return false
    }
    if (dialed !== undefined) {
      this.resetFailures(dialed)
      this.owner.set(dialed, peer)
    }
    if (this.active.has(peer)) return true
    const c = this.cfg
    this.active.set(peer, {
      id: peer,
      addrs: [],
      dialed,
      frames: new Bucket(c.peerFramesPerSec, c.peerFramesBurst, now),
      bytes: new Bucket(c.peerBytesPerSec, c.peerBytesBurst, now),
      answered: new Map(),
    })
    while (this.active.size > c.activeViewMax) this.evictRandom(out, peer)
    return true
  }

  peerDown(now: Millis, peer: PeerId): void {
    const st = this.active.get(peer)
    if (st === undefined) return
    this.active.delete(peer)
    for (const a of st.addrs) if (this.owner.get(a) === peer) this.owner.delete(a)
    if (st.dialed !== undefined && this.owner.get(st.dialed) === peer) this.owner.delete(st.dialed)
    // A lost connection backs off its addresses a little, so a peer that sheds us is not redialled at once.
    for (const a of new Set([...st.addrs, ...(st.dialed === undefined ? [] : [st.dialed])])) this.fail(a, now)
  }

  dialFailed(now: Millis, addr: Addr): void {
    if (!this.dialing.delete(addr)) return
    this.fail(addr, now)
  }

  /** Per-peer rate limits on received frames and bytes. */
  allow(peer: PeerId, bytes: number, now: Millis): boolean {
    const st = this.active.get(peer)
    if (st === undefined) return false
    return st.frames.take(1, now) && st.bytes.take(bytes, now)
  }

  /**
   * Whether to answer a peer's request (want, or a digest showing it behind) with this snapshot.
   * The same snapshot goes to the same peer at most once per half `syncIntervalMs`: a peer replaying
   * wants or stale digests cannot turn a small frame into a stream of large ones.
   */
  mayAnswer(peer: PeerId, publisher: string, key: string, now: Millis): boolean {
    const st = this.active.get(peer)
    if (st === undefined) return false
    const last = st.answered.get(publisher)
    if (last && last.key === key && now - last.at < this.cfg.syncIntervalMs / 2) return false
    st.answered.set(publisher, { key, at: now })
    return true
  }

  /** Up to `k` random active peers other than `except`. */
  randomPeers(k: number, except?: PeerId): PeerId[] {
    const ids: PeerId[] = []
    for (const p of this.active.keys()) if (p !== except) ids.push(p)
    return pickK(this.rng, ids, k)
  }

  /** Addresses to hand out in peer exchange: ours, active peers', passive ones. */
  sample(): Addr[] {
    const pool = new Set<Addr>(this.selfAddrs)
    for (const p of this.active.values()) for (const a of p.addrs) pool.add(a)
    for (const a of this.passive.keys()) pool.add(a)
    return pickK(this.rng, [...pool], this.cfg.peerExchangeSize)
  }

  private evictRandom(out: Action[], keep: PeerId): void {
    const victim = this.randomPeers(1, keep)[0]
    if (victim === undefined) return
    out.push({ type: 'send', to: victim, bytes: encodeFrame({ kind: 'peers', addrs: this.sample() }) })
    out.push({ type: 'hang-up', peer: victim })
    // Its address stays known; it was healthy. Forget the connection now (peer-down may follow).
    const st = this.active.get(victim)
    this.active.delete(victim)
    if (st) for (const a of [...st.addrs, ...(st.dialed ? [st.dialed] : [])]) this.owner.delete(a)
  }

  private eligible(now: Millis, from: Map<Addr, AddrState>): Addr[] {
    const out: Addr[] = []
    for (const [a, st] of from)
      if (st.nextDialAt <= now && !this.dialing.has(a) && !this.owner.has(a) && !this.selfAddrs.has(a))
        out.push(a)
    return out
  }

  private pick(now: Millis): Addr | undefined {
    const learned = this.eligible(now, this.passive)
    const seeds = this.eligible(now, this.seeds)
    // Isolated, or nothing else to try: the seeds. Otherwise what peer exchange taught us.
    const pool = this.active.size === 0 && seeds.length > 0 ? seeds : learned.length > 0 ? learned : seeds
    return pool.length === 0 ? undefined : pool[this.rng.int(pool.length)]
  }

  private dial(now: Millis, addr: Addr, out: Action[]): void {
    this.dialing.set(addr, now + this.cfg.dialTimeoutMs)
    out.push({ type: 'dial', addr })
  }

  /** The driver's clock stepped back by `backMs`: move every deadline back with it, so no dial waits
   * for the clock to catch up. */
  clockSteppedBack(backMs: Millis): void {
    for (const from of [this.passive, this.seeds]) for (const st of from.values()) st.nextDialAt -= backMs
    for (const [a, d] of this.dialing) this.dialing.set(a, d - backMs)
  }

  /** Expires dial timeouts and dials towards `activeViewTarget`. */
  maintain(now: Millis, out: Action[]): void {
    for (const [a, deadline] of this.dialing) if (deadline <= now) this.dialFailed(now, a)
    while (
      this.dialing.size < this.cfg.maxConcurrentDials &&
      this.active.size + this.dialing.size < this.cfg.activeViewTarget
    ) {
      const a = this.pick(now)
      if (a === undefined) break
      this.dial(now, a, out)
    }
  }

  /** Peer exchange with one random peer, and one connection swapped for a random passive address. */
  rotate(now: Millis, out: Action[]): void {
    const to = this.randomPeers(1)[0]
    if (to !== undefined)
      out.push({ type: 'send', to, bytes: encodeFrame({ kind: 'peers', addrs: this.sample() }) })
    if (this.dialing.size >= this.cfg.maxConcurrentDials) return
    const candidates = this.eligible(now, this.passive)
    if (candidates.length === 0) return
    if (this.active.size >= this.cfg.activeViewMax - 1) this.evictRandom(out, '')
    this.dial(now, candidates[this.rng.int(candidates.length)] as Addr, out)
  }

  /** The next time `maintain` has work: a dial timeout, or a backoff ending while below target. */
  nextDeadline(): Millis | undefined {
    let t = Infinity
    for (const d of this.dialing.values()) t = Math.min(t, d)
    const c = this.cfg
    if (
      this.dialing.size < c.maxConcurrentDials &&
      this.active.size + this.dialing.size < c.activeViewTarget
    ) {
      for (const from of [this.passive, this.seeds])
        for (const [a, st] of from)
          if (!this.dialing.has(a) && !this.owner.has(a) && !this.selfAddrs.has(a))
            t = Math.min(t, st.nextDialAt)
    }
    return t === Infinity ? undefined : t
  }
}
