/**
 * The in-memory transport (lib/gossip/transport.ts): a network model of many nodes in one process,
 * for the simulator (test/sim, thousands of nodes on a virtual clock) and the transport compliance
 * suite. It only moves frames; each node runs the real GossipDriver on top of its transport.
 *
 * - Connections like TCP: a dial reaches a live, listening, reachable node after one latency and
 *   brings the connection up at both ends; a dead node refuses after a latency; a dial across a
 *   partition fails after `partitionDialFailMs`; a dial of our own address reports selfDial.
 * - Every frame: latency uniform in [latencyMinMs, latencyMaxMs], lost with probability `loss`
 *   (message loss, harsher than TCP's retransmits, so anti-entropy has something to repair);
 *   frames between two nodes arrive in send order (with `reorder`, each has its own latency and may
 *   overtake another: harsher again; the simulator's model), and only on the connection they were
 *   sent on (a frame in flight when the connection closes is lost, like a reset). Without loss and
 *   reordering the transport keeps the whole contract (transport-compliance.test.ts).
 * - Partitions drop frames between groups at once and cut cross-group connections after
 *   `partitionCutMs` (a keepalive timeout). `kill` stops a node: its connections close.
 *   `freeze` keeps its connections up while it sends and answers nothing (a stuck process); a dial
 *   to it fails like one across a partition (the handshake times out).
 * - Sybils withhold data: only their hello and peers frames are sent; they never dial on their own.
 *
 * Names: peer `<label>:p<index>`, address `<label>:<index>`.
 */
import type { Rng } from '../../lib/util/random.ts'
import { frameKind } from '../../lib/gossip/core/wire.ts'
import type { Transport, TransportEvents } from '../../lib/gossip/transport.ts'
import { splitLabel } from '../../lib/gossip/transport.ts'

/** Runs `fn` at virtual (or real) time `at`; equal times run in call order. */
export interface Scheduler {
  now(): number
  at(at: number, fn: () => void): void
}

export interface MemoryNetworkOptions {
  readonly label: string
  readonly scheduler: Scheduler
  readonly rng: Rng
  /** @default 1 */
  readonly latencyMinMs?: number
  /** @default 10 */
  readonly latencyMaxMs?: number
  /** @default 0 */
  readonly loss?: number
  /** @default 3000 */
  readonly partitionDialFailMs?: number
  /** @default 5000 */
  readonly partitionCutMs?: number
  /** Longer frames are dropped at the receiver and counted. @default Infinity */
  readonly maxFrameBytes?: number
  /** Frames may overtake each other (see above). @default false */
  readonly reorder?: boolean
}

interface Member {
  readonly events: TransportEvents
  alive: boolean
  /** Dials to it are refused until it listens. */
  listening: boolean
  frozen: boolean
  bytesOut: number
  framesOut: number
  /** Per receiver: when our last frame to it arrives (frames never overtake each other). */
  readonly lastArrival: Map<number, number>
}

export class MemoryNetwork {
  readonly label: string
  /** Nodes that withhold data (see above). */
  readonly sybils = new Set<number>()
  /** Hook: a node dialled an address. */
  onDial: ((node: number, addr: string, now: number) => void) | undefined
  private readonly s: Scheduler
  private readonly rng: Rng
  private readonly lo: number
  private readonly hi: number
  private readonly loss: number
  private readonly partitionDialFailMs: number
  private readonly partitionCutMs: number
  private readonly maxFrameBytes: number
  private readonly reorder: boolean
  private readonly members: Member[] = []
  /** conns[a].get(b) = the id of the a–b connection, so stale deliveries can be told apart. */
  private readonly conns: Map<number, number>[] = []
  private connSeq = 0
  private group: (idx: number) => number = () => 0
  private partitionGen = 0

  constructor(o: MemoryNetworkOptions) {
    this.label = o.label
    this.s = o.scheduler
    this.rng = o.rng
    this.lo = o.latencyMinMs ?? 1
    this.hi = o.latencyMaxMs ?? 10
    this.loss = o.loss ?? 0
    this.partitionDialFailMs = o.partitionDialFailMs ?? 3000
    this.partitionCutMs = o.partitionCutMs ?? 5000
    this.maxFrameBytes = o.maxFrameBytes ?? Infinity
    this.reorder = o.reorder ?? false
  }

  /** A new node's transport (index = order of `attach`); dials to it fail until `listen`. */
  attach(events: TransportEvents): MemoryTransport {
    const idx = this.members.length
    this.members.push({
      events,
      alive: true,
      listening: false,
      frozen: false,
      bytesOut: 0,
      framesOut: 0,
      lastArrival: new Map(),
    })
    this.conns.push(new Map())
    return new MemoryTransport(this, idx)
  }

  peerName(idx: number): string {
    return `${this.label}:p${idx}`
  }

  addr(idx: number): string {
    return `${this.label}:${idx}`
  }

  /** The node index of a peer name or address of this network; -1 for anything else. */
  indexOf(name: string): number {
    const l = splitLabel(name)
    if (l?.label !== this.label) return -1
    const i = Number(l.rest.startsWith('p') ? l.rest.slice(1) : l.rest)
    return Number.isInteger(i) && i >= 0 && i < this.members.length ? i : -1
  }

  listen(idx: number): void {
    const m = this.members[idx]
    if (m) m.listening = true
  }

  /** Bytes and frames the node handed to its transport. */
  sent(idx: number): { bytes: number; frames: number } {
    const m = this.members[idx]
    return { bytes: m?.bytesOut ?? 0, frames: m?.framesOut ?? 0 }
  }

  /** Stops a node: its connections close; peers notice after one latency. */
  kill(idx: number): void {
    const m = this.members[idx]
    if (!m?.alive) return
    m.alive = false
    for (const peer of [...(this.conns[idx]?.keys() ?? [])]) this.close(idx, peer, false)
  }

  /** The node's process stops (SIGSTOP): connections stay up, it sends and answers nothing. */
  freeze(idx: number): void {
    const m = this.members[idx]
    if (m) m.frozen = true
  }

  connected(a: number, b: number): boolean {
    return this.conns[a]?.has(b) ?? false
  }

  peersOf(idx: number): number[] {
    return [...(this.conns[idx]?.keys() ?? [])]
  }

  /** Splits the network by `group(idx)`; cross-group connections die after `partitionCutMs`. */
  partition(group: (idx: number) => number): void {
    this.group = group
    const gen = ++this.partitionGen
    this.s.at(this.s.now() + this.partitionCutMs, () => {
      if (gen !== this.partitionGen) return
      for (const [a, peers] of this.conns.entries())
        for (const b of [...peers.keys()]) if (!this.reachable(a, b)) this.close(a, b, true)
    })
  }

  heal(): void {
    this.group = () => 0
    this.partitionGen++
  }

  /** Makes `from` dial `to` now, whatever its driver wants (a hostile peer's dial). */
  dialNow(from: number, to: number): void {
    const addr = this.addr(to)
    this.s.at(this.s.now() + this.latency(), () => this.connect(from, to, addr))
  }

  /** Sends raw frame bytes from `from` to `to` over their connection, if there is one. */
  sendRaw(from: number, to: number, bytes: Uint8Array): boolean {
    const conn = this.conns[from]?.get(to)
    const m = this.members[from]
    if (conn === undefined || m === undefined) return false
    this.s.at(this.arrival(m, to), () => this.deliver(from, to, conn, bytes))
    return true
  }

  // --- the transport's operations, for node `idx` ---

  dial(idx: number, addr: string): void {
    const m = this.members[idx]
    if (!m?.alive || m.frozen || this.sybils.has(idx)) return
    this.onDial?.(idx, addr, this.s.now())
    const to = this.indexOf(addr)
    const at = this.s.now() + this.latency()
    if (to < 0) this.s.at(at, () => this.live(idx)?.events.dialFailed(addr))
    else this.s.at(at, () => this.connect(idx, to, addr))
  }

  send(idx: number, peer: string, bytes: Uint8Array): void {
    const m = this.members[idx]
    if (!m?.alive || m.frozen) return
    m.bytesOut += bytes.length
    m.framesOut++
    const to = this.indexOf(peer)
    const conn = this.conns[idx]?.get(to)
    if (conn === undefined) return m.events.sendDropped('not-connected', peer)
    if (this.sybils.has(idx)) {
      const kind = frameKind(bytes)
      if (kind !== 'hello' && kind !== 'peers') return
    }
    if (!this.reachable(idx, to) || (this.loss > 0 && this.rng.float() < this.loss)) return
    this.s.at(this.arrival(m, to), () => this.deliver(idx, to, conn, bytes))
  }

  hangUp(idx: number, peer: string): void {
    const to = this.indexOf(peer)
    if (this.conns[idx]?.has(to)) this.close(idx, to, true)
  }

  /** Answered after a round trip by a live, unfrozen, reachable peer; otherwise never. */
  probe(idx: number, peer: string): void {
    const to = this.indexOf(peer)
    const conn = this.conns[idx]?.get(to)
    if (conn === undefined) return this.live(idx)?.events.probed(peer, false)
    this.s.at(this.s.now() + this.latency() + this.latency(), () => {
      const target = this.members[to]
      if (this.conns[idx]?.get(to) !== conn || !target?.alive || target.frozen) return
      if (this.reachable(idx, to)) this.live(idx)?.events.probed(peer, true)
    })
  }

  // --- the model ---

  private live(idx: number): Member | undefined {
    const m = this.members[idx]
    return m?.alive && !m.frozen ? m : undefined
  }

  private latency(): number {
    return this.lo + this.rng.float() * (this.hi - this.lo)
  }

  /** One latency from now, but (unless `reorder`) never before the previous frame to the same node. */
  private arrival(from: Member, to: number): number {
    if (this.reorder) return this.s.now() + this.latency()
    const at = Math.max(this.s.now() + this.latency(), from.lastArrival.get(to) ?? 0)
    from.lastArrival.set(to, at)
    return at
  }

  private reachable(a: number, b: number): boolean {
    return this.group(a) === this.group(b)
  }

  private deliver(from: number, to: number, conn: number, bytes: Uint8Array): void {
    const m = this.live(to)
    if (m === undefined || this.conns[to]?.get(from) !== conn) return
    const peer = this.peerName(from)
    if (bytes.length > this.maxFrameBytes) return m.events.inboundDropped('frame-too-large', peer)
    m.events.frame(peer, bytes)
  }

  private connect(from: number, to: number, addr: string): void {
    const f = this.live(from)
    if (f === undefined) return
    if (from === to) return f.events.selfDial(addr)
    const t = this.members[to]
    if (!t?.alive || !t.listening) {
      this.s.at(this.s.now() + this.latency(), () => this.live(from)?.events.dialFailed(addr))
      return
    }
    // A frozen process's kernel still accepts the TCP connection; the handshake above it times out.
    if (!this.reachable(from, to) || t.frozen) {
      this.s.at(this.s.now() + this.partitionDialFailMs, () => this.live(from)?.events.dialFailed(addr))
      return
    }
    if (!this.conns[from]?.has(to)) {
      const id = ++this.connSeq
      this.conns[from]?.set(to, id)
      this.conns[to]?.set(from, id)
      if (!t.frozen) t.events.peerUp(this.peerName(from), undefined)
    }
    f.events.peerUp(this.peerName(to), addr)
  }

  /**
   * Closes a→b like TCP: frames already sent still arrive (the connection disappears after the
   * longest latency), then each live end hears peer-down (the closer at once if `notifySelf`).
   */
  private close(a: number, b: number, notifySelf: boolean): void {
    const conn = this.conns[a]?.get(b)
    if (conn === undefined) return
    const now = this.s.now()
    if (notifySelf) this.s.at(now, () => this.live(a)?.events.peerDown(this.peerName(b)))
    this.s.at(now + this.hi + 0.001, () => {
      if (this.conns[a]?.get(b) !== conn) return
      this.conns[a]?.delete(b)
      this.conns[b]?.delete(a)
      if (this.members[a]) this.live(b)?.events.peerDown(this.peerName(a))
    })
  }
}

export class MemoryTransport implements Transport {
  readonly label: string
  readonly index: number
  private readonly net: MemoryNetwork

  constructor(net: MemoryNetwork, index: number) {
    this.net = net
    this.index = index
    this.label = net.label
  }

  get peer(): string {
    return this.net.peerName(this.index)
  }

  get addr(): string {
    return this.net.addr(this.index)
  }

  dial(addr: string): void {
    this.net.dial(this.index, addr)
  }

  send(peer: string, bytes: Uint8Array): void {
    this.net.send(this.index, peer, bytes)
  }

  hangUp(peer: string): void {
    this.net.hangUp(this.index, peer)
  }

  probe(peer: string): void {
    this.net.probe(this.index, peer)
  }

  abort(peer: string): void {
    this.net.hangUp(this.index, peer)
  }
}
