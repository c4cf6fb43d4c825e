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
 *
 * It decides; the core acts: calls append intents (dial, tell a peer addresses, drop a peer) that
 * the core turns into actions. Per-peer rate limits are quotas.ts.
 */
import type { Millis } from '../../util/clock.ts'
import type { Rng } from '../../util/random.ts'
import { pickK } from '../../util/random.ts'
import type { GossipConfig } from './config.ts'
import type { Addr, PeerId } from './types.ts'
import { AddrBook, SEED } from './addrbook.ts'

/** What membership wants done, in order. */
export type Intent =
  | { readonly type: 'dial'; readonly addr: Addr }
  /** Tell the peer these addresses (peer exchange: a `peers` frame). */
  | { readonly type: 'exchange'; readonly to: PeerId; readonly addrs: readonly Addr[] }
  /** Close the connection (after anything told it before); it is no longer active. */
  | { readonly type: 'drop'; readonly peer: PeerId }

/** Addresses one connected peer announced for itself that we pass on in peer exchange. Nodes
 * announce one address per network and interface; a liar gets no more relayed than this. */
const RELAYED_PER_PEER = 4

interface PeerState {
  readonly id: PeerId
  /** Listen addresses the peer announced in its hello. */
  addrs: readonly Addr[]
  /** The address we dialled to reach it; undefined for an inbound connection. */
  readonly dialed: Addr | undefined
  /** Who told us `dialed` (SEED for a seed): bounds our outbound connections per source. */
  readonly via: PeerId | undefined
}

export class Membership {
  /** Connected peers, in the order they came up (the oldest outbound ones are the anchors). */
  private readonly active = new Map<PeerId, PeerState>()
  private readonly book: AddrBook
  private readonly dialing = new Map<Addr, Millis>()
  private readonly owner = new Map<Addr, PeerId>()
  private readonly cfg: GossipConfig
  private readonly rng: Rng
  private readonly busy = (a: Addr): boolean =>
    this.dialing.has(a) || this.owner.has(a) || this.book.isSelf(a)
  private readonly full = (source: PeerId): boolean =>
    source !== SEED && this.outboundVia(source) >= this.cfg.maxActivePerSource

  constructor(cfg: GossipConfig, rng: Rng) {
    this.cfg = cfg
    this.rng = rng
    this.book = new AddrBook(cfg, rng)
  }

  get activeCount(): number {
    return this.active.size
  }

  isActive(peer: PeerId): boolean {
    return this.active.has(peer)
  }

  /** The active peers, in the order they came up. */
  peerIds(): PeerId[] {
    return [...this.active.keys()]
  }

  get passiveSize(): number {
    return this.book.size
  }

  get dialsInFlight(): number {
    return this.dialing.size
  }

  setSeeds(addrs: readonly Addr[]): void {
    this.book.setSeeds(addrs)
  }

  setListenAddrs(addrs: readonly Addr[]): void {
    this.book.setSelf(addrs)
  }

  ownAddrs(): readonly Addr[] {
    return this.book.ownAddrs
  }

  /** Addresses a peer passed on to us (peer exchange). */
  learn(from: PeerId, addrs: readonly Addr[]): void {
    this.book.learn(addrs, from)
  }

  /** The peer's hello: its own listen addresses. */
  announce(peer: PeerId, addrs: readonly Addr[]): void {
    const st = this.active.get(peer)
    if (st === undefined) return
    for (const a of st.addrs) if (this.owner.get(a) === peer) this.owner.delete(a)
    st.addrs = addrs.slice(0, this.cfg.maxAddrsPerFrame)
    for (const a of st.addrs) this.owner.set(a, peer)
    this.book.learn(st.addrs, peer)
    for (const a of st.addrs) this.book.resetFailures(a)
  }

  private outboundVia(source: PeerId): number {
    let n = 0
    for (const p of this.active.values()) if (p.dialed !== undefined && p.via === source) n++
    for (const a of this.dialing.keys()) if (this.book.sourceOf(a) === source) n++
    return n
  }

  private outboundCount(): number {
    let n = 0
    for (const p of this.active.values()) if (p.dialed !== undefined) n++
    return n
  }

  /** We dialled one of our own addresses (a seed list that includes this node): never again. */
  selfDial(addr: Addr): void {
    this.dialing.delete(addr)
    this.book.addSelf(addr)
  }

  peerUp(peer: PeerId, dialed: Addr | undefined, out: Intent[]): void {
    if (dialed !== undefined) {
      this.dialing.delete(dialed)
      this.book.reached(dialed)
      this.owner.set(dialed, peer)
    }
    if (this.active.has(peer)) return
    this.active.set(peer, {
      id: peer,
      addrs: [],
      dialed,
      via: dialed === undefined ? undefined : (this.book.sourceOf(dialed) ?? SEED),
    })
    while (this.active.size > this.cfg.activeViewMax) if (!this.evict(out, peer)) break
  }

  peerDown(now: Millis, peer: PeerId): void {
    const st = this.active.get(peer)
    if (st === undefined) return
    this.active.delete(peer)
    for (const a of st.addrs) if (this.owner.get(a) === peer) this.owner.delete(a)
    if (st.dialed !== undefined && this.owner.get(st.dialed) === peer) this.owner.delete(st.dialed)
    const isolated = this.active.size === 0
    // A lost connection backs off its addresses a little, so a peer that sheds us is not redialled at once.
    for (const a of new Set([...st.addrs, ...(st.dialed === undefined ? [] : [st.dialed])]))
      this.book.fail(a, now, isolated)
    if (isolated) this.book.isolated(now)
  }

  dialFailed(now: Millis, addr: Addr): void {
    if (!this.dialing.delete(addr)) return
    this.book.fail(addr, now, this.active.size === 0)
  }

  /** Up to `k` random active peers other than `except`. */
  randomPeers(k: number, except?: PeerId): PeerId[] {
    const ids: PeerId[] = []
    for (const p of this.active.keys()) if (p !== except) ids.push(p)
    return pickK(this.rng, ids, k)
  }

  /**
   * Addresses to hand out in peer exchange: first hand only. Ours, those we reached ourselves, and
   * a few that each connected peer announced for itself; never what a peer merely told us about,
   * so made-up addresses do not spread beyond the node they were sent to.
   */
  sample(): Addr[] {
    const pool = new Set<Addr>(this.book.ownAddrs)
    for (const a of this.book.reachedAddrs()) pool.add(a)
    for (const p of this.active.values()) {
      if (p.dialed !== undefined) pool.add(p.dialed)
      for (const a of p.addrs.slice(0, RELAYED_PER_PEER)) pool.add(a)
    }
    return pickK(this.rng, [...pool], this.cfg.peerExchangeSize)
  }

  /**
   * Drops one peer other than `keep` (after telling it where else to go). Inbound peers go first;
   * the oldest `anchorPeers` peers we dialled ourselves are never dropped while another choice
   * exists, so peers that dial us cannot push out every peer we chose (an eclipse).
   */
  private evict(out: Intent[], keep: PeerId): boolean {
    const inbound: PeerId[] = []
    const outbound: PeerId[] = []
    let anchors = 0
    for (const p of this.active.values()) {
      if (p.dialed !== undefined && anchors < this.cfg.anchorPeers) anchors++
      else if (p.id !== keep) (p.dialed === undefined ? inbound : outbound).push(p.id)
    }
    const pool = inbound.length > 0 ? inbound : outbound
    const victim = pool[this.rng.int(pool.length)]
    if (victim === undefined) return false
    out.push({ type: 'exchange', to: victim, addrs: this.sample() })
    out.push({ type: 'drop', peer: victim })
    // Its address stays known; it was healthy. Forget the connection now (peer-down may follow).
    const st = this.active.get(victim)
    this.active.delete(victim)
    if (st) for (const a of [...st.addrs, ...(st.dialed ? [st.dialed] : [])]) this.owner.delete(a)
    return true
  }

  private dial(now: Millis, addr: Addr, out: Intent[]): void {
    this.dialing.set(addr, now + this.cfg.dialTimeoutMs)
    out.push({ type: 'dial', addr })
  }

  /** The driver's clock stepped back by `backMs`: move every deadline back with it, so no dial waits
   * for the clock to catch up. */
  clockSteppedBack(backMs: Millis): void {
    this.book.clockSteppedBack(backMs)
    for (const [a, d] of this.dialing) this.dialing.set(a, d - backMs)
  }

  /** Whether to dial more: below `activeViewTarget`, or fewer than `anchorPeers` peers of our choosing. */
  private wantsDial(): 'no' | 'fill' | 'anchor' {
    const c = this.cfg
    if (this.dialing.size >= c.maxConcurrentDials) return 'no'
    if (this.outboundCount() + this.dialing.size < c.anchorPeers) return 'anchor'
    return this.active.size + this.dialing.size < c.activeViewTarget ? 'fill' : 'no'
  }

  /** Expires dial timeouts and dials towards `activeViewTarget` and `anchorPeers`. */
  maintain(now: Millis, out: Intent[]): void {
    for (const [a, deadline] of this.dialing) if (deadline <= now) this.dialFailed(now, a)
    for (let want = this.wantsDial(); want !== 'no'; want = this.wantsDial()) {
      const a = this.book.pick(now, { busy: this.busy, full: this.full, anchor: want === 'anchor' })
      if (a === undefined) break
      this.dial(now, a, out)
    }
  }

  /** Peer exchange with one random peer, and one connection swapped for a known address. */
  rotate(now: Millis, out: Intent[]): void {
    const to = this.randomPeers(1)[0]
    if (to !== undefined) out.push({ type: 'exchange', to, addrs: this.sample() })
    if (this.dialing.size >= this.cfg.maxConcurrentDials) return
    const a = this.book.pick(now, { busy: this.busy, full: this.full, anchor: false, explore: true })
    if (a === undefined) return
    if (this.active.size >= this.cfg.activeViewMax - 1) this.evict(out, '')
    this.dial(now, a, out)
  }

  /** The next time `maintain` has work: a dial timeout, or a backoff ending while it wants to dial. */
  nextDeadline(now: Millis): Millis | undefined {
    let t = Infinity
    for (const d of this.dialing.values()) t = Math.min(t, d)
    if (this.wantsDial() !== 'no') t = Math.min(t, this.book.nextDue(now, this.busy, this.full) ?? Infinity)
    return t === Infinity ? undefined : t
  }
}
