/**
 * Deterministic network simulator driving the real sans-IO gossip core (no sockets, no sleeps).
 *
 * - Virtual clock; one event queue ordered by (time, seq), so a seed replays a run exactly.
 * - Connections like TCP: a dial reaches a live, reachable node after one latency and brings the
 *   connection up at both ends; a dead node refuses after a round trip; a dial across a partition
 *   times out after `partitionDialFailMs`. Messages only travel on a live connection.
 * - Every message: latency uniform in [latencyMinMs, latencyMaxMs], lost with probability `loss`
 *   (message loss, harsher than TCP's retransmits, so anti-entropy has something to repair).
 * - Partitions drop messages between groups at once and cut cross-group connections after
 *   `partitionCutMs` (a keepalive timeout). Churn kills nodes and starts new ones (new id, new address).
 */
import type { Action, Input, Signer } from '../../lib/gossip/core/types.ts'
import type { GossipCore } from '../../lib/gossip/core/types.ts'
import { createGossipCore } from '../../lib/gossip/core/core.ts'
import type { Rng } from '../../lib/util/random.ts'
import { seededRng } from '../../lib/util/random.ts'
import type { ResolvedRecord } from '../../lib/records/types.ts'
import type { ReplicaView } from '../../lib/gossip/api.ts'
import { Kind } from '../../lib/gossip/core/wire.ts'
import { EventHeap } from './heap.ts'
import { ed25519Verifier, signerFromSeed } from './keys.ts'
import type { CountingVerifier } from './keys.ts'

import type { SimOptions } from './options.ts'
export type { SimOptions } from './options.ts'

interface SimNode {
  readonly idx: number
  readonly id: string
  readonly addr: string
  readonly core: GossipCore
  alive: boolean
  /** Its listen-addrs input has run: before that, dials to it are refused. */
  started: boolean
  timerAt: number | undefined
  timerGen: number
  bytesOut: number
  framesOut: number
}

type Ev =
  | { at: number; seq: number; t: 'input'; node: number; input: Input; conn?: number }
  | { at: number; seq: number; t: 'timer'; node: number; gen: number }
  | { at: number; seq: number; t: 'connect'; from: number; to: number; addr: string }
  | { at: number; seq: number; t: 'cut'; gen: number }
  | { at: number; seq: number; t: 'drop-conn'; a: number; b: number; conn: number }

type WithoutSeq<T> = T extends unknown ? Omit<T, 'seq'> : never
type EvBody = WithoutSeq<Ev>

const idxOf = (id: string): number => Number(id.slice(1))

export class Sim {
  now = 0
  readonly nodes: SimNode[] = []
  readonly rng: Rng
  readonly verifier: CountingVerifier = ed25519Verifier(true)
  readonly signers: Signer[] = []
  readonly drops = new Map<string, number>()
  /** Nodes that withhold data (sybils): only their hello and peers frames are sent; they never dial
   * on their own (the attack driver dials for them with `dialNow`). */
  readonly sybils = new Set<number>()
  /** Hook: a node dialled an address. */
  onDial: ((node: number, addr: string, now: number) => void) | undefined
  /** Hook: a node's replica changed. */
  onChange: ((node: number, view: ReplicaView, now: number) => void) | undefined
  events = 0
  private readonly opts: Required<SimOptions>
  private readonly heap = new EventHeap<Ev>()
  private seq = 0
  /** conns.get(a) = peers of a; a connection id per pair so stale deliveries can be told apart. */
  private readonly conns = new Map<number, Map<number, number>>()
  private connSeq = 0
  private group: (idx: number) => number = () => 0
  private partitionGen = 0
  private readonly seeds: string[]

  constructor(o: SimOptions) {
    this.opts = {
      seedNodes: 3,
      publishers: 1,
      latencyMinMs: 1,
      latencyMaxMs: 10,
      loss: 0,
      startSpreadMs: 1000,
      partitionDialFailMs: 3000,
      partitionCutMs: 5000,
      seedsOf: () => this.seeds,
      ...o,
    }
    this.rng = seededRng(o.seed)
    for (let i = 0; i < this.opts.publishers; i++) this.signers.push(signerFromSeed(o.seed * 1000 + i))
    this.seeds = Array.from({ length: Math.min(this.opts.seedNodes, o.nodes) }, (_, i) => `sim/${i}`)
    for (let i = 0; i < o.nodes; i++) this.spawn(this.rng.float() * this.opts.startSpreadMs)
  }

  get alive(): SimNode[] {
    return this.nodes.filter((n) => n.alive)
  }

  /** Starts a new node (new id and address) at `now + delayMs`. */
  spawn(delayMs = 0): number {
    const idx = this.nodes.length
    const signer = this.signers[idx]
    const core = createGossipCore({
      self: `p${idx}`,
      config: this.opts.config,
      trustedPublishers: this.signers.map((s) => s.publicKey),
      verifier: this.verifier,
      ...(signer ? { signer } : {}),
      seeds: this.opts.seedsOf(idx),
      rng: seededRng((this.opts.seed * 7919 + idx * 104729) >>> 0),
    })
    const n: SimNode = {
      idx,
      id: `p${idx}`,
      addr: `sim/${idx}`,
      core,
      alive: true,
      started: false,
      timerAt: undefined,
      timerGen: 0,
      bytesOut: 0,
      framesOut: 0,
    }
    this.nodes.push(n)
    this.conns.set(idx, new Map())
    this.push({
      at: this.now + delayMs,
      t: 'input',
      node: idx,
      input: { type: 'listen-addrs', addrs: [n.addr] },
    })
    return idx
  }

  /** Stops a node: its connections drop; peers notice after one latency. */
  kill(idx: number): void {
    const n = this.nodes[idx]
    if (!n?.alive) return
    n.alive = false
    for (const peer of [...(this.conns.get(idx)?.keys() ?? [])]) this.close(idx, peer, false)
  }

  /** Makes `from` dial `to` now, whatever its core wants (a hostile peer's dial). */
  dialNow(from: number, to: number): void {
    this.push({ at: this.now + this.latency(), t: 'connect', from, to, addr: `sim/${to}` })
  }

  /** Sends raw frame bytes from `from` to `to` over their connection, if there is one. */
  sendRaw(from: number, to: number, bytes: Uint8Array): boolean {
    const conn = this.conns.get(from)?.get(to)
    if (conn === undefined) return false
    const input: Input = { type: 'message', from: `p${from}`, bytes }
    this.push({ at: this.now + this.latency(), t: 'input', node: to, input, conn })
    return true
  }

  connected(a: number, b: number): boolean {
    return this.conns.get(a)?.has(b) ?? false
  }

  publish(node: number, records: readonly ResolvedRecord[]): void {
    this.deliver(node, { type: 'publish', records })
  }

  /** Splits the network by `group(idx)`; cross-group connections die after `partitionCutMs`. */
  partition(group: (idx: number) => number): void {
    this.group = group
    const gen = ++this.partitionGen
    this.push({ at: this.now + this.opts.partitionCutMs, t: 'cut', gen })
  }

  heal(): void {
    this.group = () => 0
    this.partitionGen++
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms)
  }

  runUntil(t: number, stop?: () => boolean): void {
    for (;;) {
      const e = this.heap.peek()
      if (e === undefined || e.at > t) break
      this.heap.pop()
      this.now = e.at
      this.events++
      this.handle(e)
      if (stop?.()) return
    }
    this.now = t
  }

  private push(e: EvBody): void {
    const ev = e as unknown as { seq: number }
    ev.seq = this.seq++
    this.heap.push(ev as unknown as Ev)
  }

  private latency(): number {
    const { latencyMinMs: lo, latencyMaxMs: hi } = this.opts
    return lo + this.rng.float() * (hi - lo)
  }

  private reachable(a: number, b: number): boolean {
    return this.group(a) === this.group(b)
  }

  private handle(e: Ev): void {
    switch (e.t) {
      case 'input': {
        const n = this.nodes[e.node]
        if (!n?.alive) return
        if (e.conn !== undefined && e.input.type === 'message') {
          const from = idxOf(e.input.from)
          if (this.conns.get(e.node)?.get(from) !== e.conn) return // connection gone: like a reset
        }
        return this.deliver(e.node, e.input)
      }
      case 'timer': {
        const n = this.nodes[e.node]
        if (!n?.alive || e.gen !== n.timerGen) return
        n.timerAt = undefined
        return this.deliver(e.node, { type: 'timer' })
      }
      case 'connect': {
        const to = this.nodes[e.to]
        const from = this.nodes[e.from]
        if (!from?.alive) return
        if (e.from === e.to)
          return this.deliver(e.from, { type: 'peer-up', peer: from.id, addrs: [], dialed: e.addr })
        if (!to?.alive || !to.started)
          return this.push({
            at: this.now + this.latency(),
            t: 'input',
            node: e.from,
            input: { type: 'dial-failed', addr: e.addr },
          })
        if (!this.reachable(e.from, e.to))
          return this.push({
            at: this.now + this.opts.partitionDialFailMs,
            t: 'input',
            node: e.from,
            input: { type: 'dial-failed', addr: e.addr },
          })
        if (!this.conns.get(e.from)?.has(e.to)) {
          const id = ++this.connSeq
          this.conns.get(e.from)?.set(e.to, id)
          this.conns.get(e.to)?.set(e.from, id)
          this.deliver(e.to, { type: 'peer-up', peer: from.id, addrs: [] })
        }
        return this.deliver(e.from, { type: 'peer-up', peer: to.id, addrs: [to.addr], dialed: e.addr })
      }
      case 'drop-conn': {
        if (this.conns.get(e.a)?.get(e.b) !== e.conn) return
        this.conns.get(e.a)?.delete(e.b)
        this.conns.get(e.b)?.delete(e.a)
        const na = this.nodes[e.a]
        if (this.nodes[e.b]?.alive && na) this.deliver(e.b, { type: 'peer-down', peer: na.id })
        return
      }
      case 'cut': {
        if (e.gen !== this.partitionGen) return
        for (const [a, peers] of this.conns)
          for (const b of [...peers.keys()]) if (!this.reachable(a, b)) this.close(a, b, true)
        return
      }
    }
  }

  /**
   * Closes a→b like TCP: frames already sent still arrive (the connection disappears after the
   * longest latency), then each live end hears peer-down (the closer at once if `notifySelf`).
   */
  private close(a: number, b: number, notifySelf: boolean): void {
    const conn = this.conns.get(a)?.get(b)
    if (conn === undefined) return
    const na = this.nodes[a]
    const nb = this.nodes[b]
    if (notifySelf && na?.alive && nb)
      this.push({ at: this.now, t: 'input', node: a, input: { type: 'peer-down', peer: nb.id } })
    this.push({ at: this.now + this.opts.latencyMaxMs + 0.001, t: 'drop-conn', a, b, conn })
  }

  private deliver(idx: number, input: Input): void {
    const n = this.nodes[idx] as SimNode
    if (input.type === 'listen-addrs') n.started = true
    const actions = n.core.step(this.now, input)
    for (const a of actions) this.act(n, a)
    const d = n.core.nextDeadline()
    if (d !== n.timerAt) {
      n.timerAt = d
      n.timerGen++
      if (d !== undefined) this.push({ at: Math.max(d, this.now), t: 'timer', node: idx, gen: n.timerGen })
    }
  }

  private act(n: SimNode, a: Action): void {
    switch (a.type) {
      case 'send': {
        n.bytesOut += a.bytes.length
        n.framesOut++
        const to = idxOf(a.to)
        if (this.sybils.has(n.idx) && a.bytes[1] !== Kind.Hello && a.bytes[1] !== Kind.Peers) return
        const conn = this.conns.get(n.idx)?.get(to)
        if (conn === undefined || !this.reachable(n.idx, to) || this.rng.float() < this.opts.loss) return
        this.push({
          at: this.now + this.latency(),
          t: 'input',
          node: to,
          input: { type: 'message', from: n.id, bytes: a.bytes },
          conn,
        })
        return
      }
      case 'dial': {
        if (this.sybils.has(n.idx)) return
        this.onDial?.(n.idx, a.addr, this.now)
        const to = a.addr.startsWith('sim/') ? Number(a.addr.slice(4)) : -1
        if (!(to >= 0 && to < this.nodes.length))
          return this.push({
            at: this.now + this.latency(),
            t: 'input',
            node: n.idx,
            input: { type: 'dial-failed', addr: a.addr },
          })
        this.push({ at: this.now + this.latency(), t: 'connect', from: n.idx, to, addr: a.addr })
        return
      }
      case 'hang-up': {
        const to = idxOf(a.peer)
        if (this.conns.get(n.idx)?.has(to)) this.close(n.idx, to, true)
        return
      }
      case 'replica-changed':
        this.onChange?.(n.idx, a.view, this.now)
        return
      case 'published':
        return
      case 'dropped':
        this.drops.set(a.reason, (this.drops.get(a.reason) ?? 0) + 1)
        return
    }
  }
}

export { exampleRecords, simSeed } from './records.ts'
