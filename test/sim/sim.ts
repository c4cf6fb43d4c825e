/**
 * Deterministic network simulator: every node runs the real gossip driver (lib/gossip/driver.ts)
 * and sans-IO core over an in-memory transport (test/harness/memory-network.ts has the network
 * model: latency, loss, partitions, churn, frozen nodes, sybils). No sockets, no sleeps.
 *
 * One virtual clock and one event queue ordered by (time, seq) drive the network and every
 * driver's timers, so a seed replays a run exactly. Drivers get no-op metrics and a silent logger
 * so thousands of nodes stay fast.
 */
import type { GossipCore, Signer } from '../../lib/gossip/core/types.ts'
import { createGossipCore } from '../../lib/gossip/core/core.ts'
import { LIVENESS_INTERVAL_MS } from '../../lib/gossip/core/liveness.ts'
import { GossipDriver } from '../../lib/gossip/driver.ts'
import { NO_METRICS } from '../../lib/gossip/metrics.ts'
import type { Clock } from '../../lib/util/clock.ts'
import type { Rng } from '../../lib/util/random.ts'
import { seededRng } from '../../lib/util/random.ts'
import { silentLogger } from '../../lib/util/log.ts'
import type { TimerHandle, Timers } from '../../lib/util/timers.ts'
import type { ResolvedRecord } from '../../lib/records/types.ts'
import type { ReplicaView } from '../../lib/gossip/api.ts'
import { MemoryNetwork } from '../harness/memory-network.ts'
import type { Scheduler } from '../harness/memory-network.ts'
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
  readonly driver: GossipDriver
  alive: boolean
  /** Bytes and frames its driver sent. */
  readonly bytesOut: number
  readonly framesOut: number
}

interface Ev {
  readonly at: number
  readonly seq: number
  readonly fn: () => void
  cancelled?: boolean
}

export class Sim {
  now = 0
  readonly nodes: SimNode[] = []
  readonly rng: Rng
  readonly verifier: CountingVerifier = ed25519Verifier(true)
  readonly signers: Signer[] = []
  /** The network model (partitions, sybils, raw frames, freezing...). */
  readonly net: MemoryNetwork
  /** Hook: a node's replica changed. */
  onChange: ((node: number, view: ReplicaView, now: number) => void) | undefined
  events = 0
  private readonly opts: SimOptions & { readonly publishers: number; readonly startSpreadMs: number }
  private readonly heap = new EventHeap<Ev>()
  private seq = 0
  private readonly seeds: string[]
  /** The one virtual clock, as the network's Scheduler and the drivers' Clock and Timers. */
  private readonly time: Scheduler & Clock & Timers = {
    now: () => this.now,
    at: (at, fn) => this.heap.push({ at: Math.max(at, this.now), seq: this.seq++, fn }),
    set: (fn, ms) => {
      const e: Ev = { at: this.now + Math.max(0, ms), seq: this.seq++, fn }
      this.heap.push(e)
      return e
    },
    clear: (handle: TimerHandle) => {
      ;(handle as Ev).cancelled = true
    },
  }

  constructor(o: SimOptions) {
    this.opts = { publishers: 1, startSpreadMs: 1000, ...o }
    this.rng = seededRng(o.seed)
    this.net = new MemoryNetwork({
      label: 'sim',
      scheduler: this.time,
      rng: this.rng,
      // Frames overtake each other, and some are lost: harsher than TCP, so anti-entropy has work.
      reorder: true,
      ...(o.latencyMinMs === undefined ? {} : { latencyMinMs: o.latencyMinMs }),
      ...(o.latencyMaxMs === undefined ? {} : { latencyMaxMs: o.latencyMaxMs }),
      ...(o.loss === undefined ? {} : { loss: o.loss }),
      ...(o.partitionDialFailMs === undefined ? {} : { partitionDialFailMs: o.partitionDialFailMs }),
      ...(o.partitionCutMs === undefined ? {} : { partitionCutMs: o.partitionCutMs }),
    })
    for (let i = 0; i < this.opts.publishers; i++) this.signers.push(signerFromSeed(o.seed * 1000 + i))
    this.seeds = Array.from({ length: Math.min(o.seedNodes ?? 3, o.nodes) }, (_, i) => this.net.addr(i))
    for (let i = 0; i < o.nodes; i++) this.spawn(this.rng.float() * this.opts.startSpreadMs)
  }

  get alive(): SimNode[] {
    return this.nodes.filter((n) => n.alive)
  }

  get sybils(): Set<number> {
    return this.net.sybils
  }

  /** The node index of a peer name or address; -1 for anything else. */
  indexOf(name: string): number {
    return this.net.indexOf(name)
  }

  /** Starts a new node (new id and address) at `now + delayMs`. */
  spawn(delayMs = 0): number {
    const idx = this.nodes.length
    const signer = this.signers[idx]
    const id = this.net.peerName(idx)
    const core = createGossipCore({
      self: id,
      config: this.opts.config,
      trustedPublishers: this.signers.map((s) => s.publicKey),
      verifier: this.verifier,
      ...(signer ? { signer } : {}),
      seeds: this.opts.seedsOf?.(idx) ?? this.seeds,
      rng: seededRng((this.opts.seed * 7919 + idx * 104729) >>> 0),
    })
    const driver = new GossipDriver({
      core,
      self: id,
      clock: this.time,
      timers: this.time,
      log: silentLogger,
      metrics: NO_METRICS,
      liveness: {
        intervalMs: this.opts.livenessIntervalMs ?? LIVENESS_INTERVAL_MS,
        timeoutMs: this.opts.config.dialTimeoutMs,
      },
    })
    const transport = this.net.attach(driver.eventsFor('sim'))
    driver.addNetwork(transport)
    driver.subscribe((view) => this.onChange?.(idx, view, this.now))
    const net = this.net
    this.nodes.push({
      idx,
      id,
      addr: transport.addr,
      core,
      driver,
      alive: true,
      get bytesOut() {
        return net.sent(idx).bytes
      },
      get framesOut() {
        return net.sent(idx).frames
      },
    })
    this.time.at(this.now + delayMs, () => {
      if (!this.nodes[idx]?.alive) return
      this.net.listen(idx)
      driver.input({ type: 'listen-addrs', addrs: [transport.addr] })
    })
    return idx
  }

  /** Stops a node: its connections drop; peers notice after one latency. */
  kill(idx: number): void {
    const n = this.nodes[idx]
    if (!n?.alive) return
    n.alive = false
    n.driver.stop()
    this.net.kill(idx)
  }

  /** The node's process hangs: its connections stay up, it sends and answers nothing. */
  freeze(idx: number): void {
    this.nodes[idx]?.driver.stop()
    this.net.freeze(idx)
  }

  /** Makes `from` dial `to` now, whatever its driver wants (a hostile peer's dial). */
  dialNow(from: number, to: number): void {
    this.net.dialNow(from, to)
  }

  /** Sends raw frame bytes from `from` to `to` over their connection, if there is one. */
  sendRaw(from: number, to: number, bytes: Uint8Array): boolean {
    return this.net.sendRaw(from, to, bytes)
  }

  connected(a: number, b: number): boolean {
    return this.net.connected(a, b)
  }

  publish(node: number, records: readonly ResolvedRecord[]): void {
    // Steps at once; the replica holds the new version when this returns.
    this.nodes[node]?.driver.publish({ type: 'publish', records }).catch(() => {})
  }

  partition(group: (idx: number) => number): void {
    this.net.partition(group)
  }

  heal(): void {
    this.net.heal()
  }

  runFor(ms: number): void {
    this.runUntil(this.now + ms)
  }

  runUntil(t: number, stop?: () => boolean): void {
    for (;;) {
      const e = this.heap.peek()
      if (e === undefined || e.at > t) break
      this.heap.pop()
      if (e.cancelled === true) continue
      this.now = e.at
      this.events++
      e.fn()
      if (stop?.()) return
    }
    this.now = t
  }
}

export { exampleRecords, simSeed } from './records.ts'
