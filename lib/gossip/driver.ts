/**
 * The driver loop around the sans-IO core: it feeds inputs (transport events, timers, publishes)
 * into `core.step(now, input)` one at a time and carries out the returned actions on the
 * transports (transport.ts), routed by the label of each peer or address. It also runs the
 * liveness decision (core/liveness.ts) over the same events. It is the only place that reads the
 * clock or sets timers for the gossip protocol; both are injected, so the simulator runs this same
 * driver on its virtual clock.
 *
 * Inputs that arrive while a step is running (a network event raised from inside an action) are
 * queued and stepped afterwards, so the core never sees re-entrant calls.
 */
import type { ReplicaView, PublisherVersion, RestoreOutcome } from './api.ts'
import type { Action, DropReason, GossipCore, Input } from './core/types.ts'
import { RESTORED } from './core/types.ts'
import type { Clock } from '../util/clock.ts'
import type { Logger } from '../util/log.ts'
import { createLogLimiter } from '../util/log-limiter.ts'
import type { LogLimiter } from '../util/log-limiter.ts'
import { assertNever } from '../util/errors.ts'
import type { TimerHandle, Timers } from '../util/timers.ts'
import { systemTimers } from '../util/timers.ts'
import { Liveness } from './core/liveness.ts'
import type { LivenessConfig } from './core/liveness.ts'
import { frameKind, isSyncKind } from './core/wire.ts'
import type { DriverMetrics } from './metrics.ts'
import type { Transport, TransportEvents } from './transport.ts'
import { splitLabel } from './transport.ts'

/** Label sets of the per-frame counters, built once: two are counted per frame, in the hot path. */
const FRAME_LABELS = new Map<string, { readonly direction: string; readonly kind: string }>()
function frameLabels(direction: 'in' | 'out', kind: string): { direction: string; kind: string } {
  const key = direction + kind
  let l = FRAME_LABELS.get(key)
  if (l === undefined) FRAME_LABELS.set(key, (l = { direction, kind }))
  return l
}

export class PublishRejectedError extends Error {
  override readonly name = 'PublishRejectedError'
}

interface Pending {
  resolve(v: PublisherVersion): void
  reject(err: Error): void
}

export class GossipDriver {
  private readonly core: GossipCore
  private readonly self: string
  private readonly clock: Clock
  private readonly refusedSnapshots: LogLimiter
  private readonly log: Logger
  private readonly metrics: DriverMetrics
  private readonly timers: Timers
  private readonly liveness: Liveness
  private readonly networks = new Map<string, Transport>()
  /** label → network name, for metric labels. */
  private readonly names = new Map<string, string>()
  private readonly inputs: Input[] = []
  private readonly listeners = new Set<(view: ReplicaView) => void>()
  private readonly pendingPublishes: Pending[] = []
  private stepping = false
  private stopped = false
  private timer: TimerHandle | undefined
  private timerAt: number | undefined
  private lastSyncAt: number | undefined
  /** Set while a restore input is stepped: where its refusal goes. */
  private restoreDrop: ((reason: DropReason) => void) | undefined

  constructor(init: {
    core: GossipCore
    self: string
    clock: Clock
    log: Logger
    metrics: DriverMetrics
    /** @default systemTimers */
    timers?: Timers
    /** Probing of silent peers; intervalMs 0 turns it off. */
    liveness: LivenessConfig
  }) {
    this.core = init.core
    this.self = init.self
    this.clock = init.clock
    this.refusedSnapshots = createLogLimiter(init.clock)
    this.log = init.log
    this.metrics = init.metrics
    this.timers = init.timers ?? systemTimers
    this.liveness = new Liveness(init.liveness)
  }

  /** Transport events for one network, bound to this driver. */
  eventsFor(networkName: string): TransportEvents {
    return {
      peerUp: (peer, dialed) => {
        if (dialed !== undefined) this.metrics.dials.inc({ network: networkName, result: 'ok' })
        this.liveness.heard(peer, this.clock.now())
        this.input({ type: 'peer-up', peer, addrs: [], ...(dialed === undefined ? {} : { dialed }) })
      },
      peerDown: (peer) => {
        this.liveness.forget(peer)
        this.input({ type: 'peer-down', peer })
      },
      frame: (peer, bytes) => {
        const kind = frameKind(bytes)
        const labels = frameLabels('in', kind)
        this.metrics.frames.inc(labels)
        this.metrics.bytes.inc(labels, bytes.byteLength)
        const now = this.clock.now()
        if (isSyncKind(kind)) this.lastSyncAt = now
        this.liveness.heard(peer, now)
        this.input({ type: 'message', from: peer, bytes })
      },
      dialFailed: (addr) => {
        this.metrics.dials.inc({ network: networkName, result: 'failed' })
        this.input({ type: 'dial-failed', addr })
      },
      selfDial: (addr) => {
        this.metrics.dials.inc({ network: networkName, result: 'self' })
        this.input({ type: 'self-dial', addr })
      },
      inboundDropped: (reason) => this.metrics.dropped.inc({ reason }),
      sendDropped: (reason) => this.metrics.sendDropped.inc({ reason }),
      probed: (peer, ok) => {
        if (ok) this.metrics.livenessProbes.inc({ network: networkName, result: 'ok' })
        if (this.liveness.probed(peer, ok, this.clock.now())) this.closeSilent(peer, 'probe failed')
        this.schedule()
      },
    }
  }

  /** `name` labels its metrics (primary, secondary); the label routes actions to it. */
  addNetwork(net: Transport, name: string = net.label): void {
    this.networks.set(net.label, net)
    this.names.set(net.label, name)
  }

  replica(): ReplicaView {
    return this.core.replica()
  }

  subscribe(listener: (view: ReplicaView) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  msSinceSync(): number | undefined {
    return this.lastSyncAt === undefined ? undefined : this.clock.now() - this.lastSyncAt
  }

  publish(records: Parameters<GossipCore['step']>[1] & { type: 'publish' }): Promise<PublisherVersion> {
    return new Promise((resolve, reject) => {
      this.pendingPublishes.push({ resolve, reject })
      this.input(records)
    })
  }

  snapshotFrames(): readonly Uint8Array[] {
    return this.core.snapshotFrames()
  }

  /** Steps one `restore` input per frame, synchronously (never from inside a step). */
  restore(frames: readonly Uint8Array[]): RestoreOutcome[] {
    if (this.stepping) throw new Error('gossip driver: restore during a step')
    return frames.map((bytes) => {
      let outcome: RestoreOutcome = { ok: true }
      this.restoreDrop = (reason) => (outcome = { ok: false, reason })
      try {
        this.input({ type: 'restore', bytes })
      } finally {
        this.restoreDrop = undefined
      }
      return outcome
    })
  }

  /** Steps one input now, or after the step in progress. */
  input(input: Input): void {
    if (this.stopped) return
    this.inputs.push(input)
    if (this.stepping) return
    this.stepping = true
    try {
      for (let next = this.inputs.shift(); next !== undefined; next = this.inputs.shift()) {
        let actions: Action[]
        try {
          actions = this.core.step(this.clock.now(), next)
        } catch (err) {
          // A core bug must not turn one peer's frame into a crash of every node that receives it:
          // log it loudly, count it, and carry on with the next input.
          this.log.error('gossip core failed on an input', { input: next.type, err })
          this.metrics.coreErrors.inc({ input: next.type })
          if (next.type === 'publish')
            this.pendingPublishes.shift()?.reject(err instanceof Error ? err : new Error(String(err)))
          continue
        }
        for (const a of actions) this.execute(a)
      }
    } finally {
      this.stepping = false
    }
    this.schedule()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) this.timers.clear(this.timer)
    this.timer = undefined
    for (const p of this.pendingPublishes.splice(0)) p.reject(new Error('gossip stopped'))
  }

  private schedule(): void {
    if (this.stopped) return
    const core = this.core.nextDeadline()
    const live = this.liveness.nextDeadline()
    const at = core === undefined ? live : live === undefined ? core : Math.min(core, live)
    if (at === this.timerAt && this.timer !== undefined) return
    if (this.timer !== undefined) this.timers.clear(this.timer)
    this.timer = undefined
    this.timerAt = at
    if (at === undefined) return
    this.timer = this.timers.set(() => this.wake(), Math.max(0, at - this.clock.now()))
    // A pending gossip timer must not keep a process alive on its own.
    ;(this.timer as { unref?: () => void }).unref?.()
  }

  private wake(): void {
    this.timer = undefined
    this.timerAt = undefined
    if (this.stopped) return
    const now = this.clock.now()
    const d = this.liveness.decide(now)
    for (const peer of d.close) this.closeSilent(peer, 'probe timed out')
    for (const peer of d.probe) this.networkOf(peer)?.probe(peer)
    const due = this.core.nextDeadline()
    if (due !== undefined && due <= now) this.input({ type: 'timer' })
    else this.schedule()
  }

  /** A peer that did not answer a liveness probe: its connection goes; the core hears peer-down. */
  private closeSilent(peer: string, why: string): void {
    const label = splitLabel(peer)?.label ?? ''
    this.metrics.livenessProbes.inc({ network: this.names.get(label) ?? label, result: 'failed' })
    this.log.info('peer did not answer a liveness probe; closing its connection', { peer, why })
    this.networkOf(peer)?.abort(peer)
  }

  private networkOf(name: string): Transport | undefined {
    const label = splitLabel(name)?.label
    return label === undefined ? undefined : this.networks.get(label)
  }

  private execute(a: Action): void {
    switch (a.type) {
      case 'send': {
        const kind = frameKind(a.bytes)
        const labels = frameLabels('out', kind)
        this.metrics.frames.inc(labels)
        this.metrics.bytes.inc(labels, a.bytes.byteLength)
        const net = this.networkOf(a.to)
        if (net === undefined) this.metrics.sendDropped.inc({ reason: 'not-connected' })
        else net.send(a.to, a.bytes)
        return
      }
      case 'dial': {
        const net = this.networkOf(a.addr)
        // An address on a network this node is not part of (learned from a dual-network peer).
        if (net === undefined) this.inputs.push({ type: 'dial-failed', addr: a.addr })
        else net.dial(a.addr)
        return
      }
      case 'hang-up':
        if (a.peer !== this.self) this.networkOf(a.peer)?.hangUp(a.peer)
        return
      case 'replica-changed':
        this.metrics.replicaChanges.inc()
        for (const l of this.listeners) {
          try {
            l(a.view)
          } catch (err) {
            this.log.error('replica listener failed', { err })
          }
        }
        return
      case 'published':
        // A re-assertion is the core's own doing (it saw an older run's snapshot of our key), not
        // the answer to a caller's publish.
        if (a.reassert === true)
          this.log.info('re-asserted our snapshot over an older run', { ...a.printable })
        else this.pendingPublishes.shift()?.resolve(a.printable)
        return
      case 'publish-rejected':
        this.metrics.dropped.inc({ reason: a.reason })
        this.pendingPublishes.shift()?.reject(new PublishRejectedError(`publish rejected: ${a.reason}`))
        return
      case 'dropped':
        // A refused state file is the agent's to count and log (it knows the file).
        if (a.from === RESTORED) return this.restoreDrop?.(a.reason)
        this.metrics.dropped.inc({ reason: a.reason })
        if (a.reason === 'untrusted-publisher' || a.reason === 'bad-signature') {
          // Someone publishes with a key we do not trust, or a forged snapshot: the operator must
          // see it at the default level, once a minute per peer.
          const shown = this.refusedSnapshots.take(`${a.reason} ${a.from}`)
          if (shown !== undefined)
            this.log.warn(
              a.reason === 'bad-signature'
                ? 'snapshot refused: bad signature'
                : 'snapshot refused: its publisher key is not trusted here (check --trusted-publisher-key-file)',
              {
                reason: a.reason,
                peer: a.from,
                ...(shown.suppressed > 0 ? { alsoRefused: shown.suppressed } : {}),
              },
            )
        } else this.log.debug('frame dropped', { reason: a.reason, from: a.from })
        return
      default:
        assertNever(a)
    }
  }
}
