/**
 * The driver loop around the sans-IO core: it feeds inputs (network events, timers, publishes) into
 * `core.step(now, input)` one at a time and carries out the returned actions on the networks. It is
 * the only place that reads the clock or sets timers for the gossip protocol.
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
import type { GossipNetwork, NetworkEvents, SendDropReason, TransportDropReason } from './libp2p/network.ts'
import { splitLabel } from './libp2p/network.ts'
import type { GossipMetrics } from './metrics.ts'
import { frameKind } from './metrics.ts'

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
  private readonly metrics: GossipMetrics
  private readonly networks = new Map<string, GossipNetwork>()
  private readonly inputs: Input[] = []
  private readonly listeners = new Set<(view: ReplicaView) => void>()
  private readonly pendingPublishes: Pending[] = []
  private stepping = false
  private stopped = false
  private timer: ReturnType<typeof setTimeout> | undefined
  private timerAt: number | undefined
  private lastSyncAt: number | undefined
  /** Set while a restore input is stepped: where its refusal goes. */
  private restoreDrop: ((reason: DropReason) => void) | undefined

  constructor(init: { core: GossipCore; self: string; clock: Clock; log: Logger; metrics: GossipMetrics }) {
    this.core = init.core
    this.self = init.self
    this.clock = init.clock
    this.refusedSnapshots = createLogLimiter(init.clock)
    this.log = init.log
    this.metrics = init.metrics
  }

  /** Network events for one network, bound to this driver. */
  eventsFor(networkName: string): NetworkEvents {
    return {
      peerUp: (peer, dialed) => {
        if (dialed !== undefined) this.metrics.dials.inc({ network: networkName, result: 'ok' })
        this.input({ type: 'peer-up', peer, addrs: [], ...(dialed === undefined ? {} : { dialed }) })
      },
      peerDown: (peer) => this.input({ type: 'peer-down', peer }),
      frame: (peer, bytes) => {
        const kind = frameKind(bytes)
        this.metrics.frames.inc({ direction: 'in', kind })
        this.metrics.bytes.inc({ direction: 'in', kind }, bytes.byteLength)
        if (kind === 'digest' || kind === 'full' || kind === 'delta') this.lastSyncAt = this.clock.now()
        this.input({ type: 'message', from: peer, bytes })
      },
      dialFailed: (addr, self) => {
        this.metrics.dials.inc({ network: networkName, result: self ? 'self' : 'failed' })
        // The core learns "that address is me" from a peer-up with its own id, and never dials it again.
        this.input(
          self
            ? { type: 'peer-up', peer: this.self, addrs: [], dialed: addr }
            : { type: 'dial-failed', addr },
        )
      },
      inboundDropped: (reason: TransportDropReason) => this.metrics.dropped.inc({ reason }),
      sendDropped: (reason: SendDropReason) => this.metrics.sendDropped.inc({ reason }),
      livenessProbed: (_peer, ok) =>
        this.metrics.livenessProbes.inc({ network: networkName, result: ok ? 'ok' : 'failed' }),
    }
  }

  addNetwork(net: GossipNetwork): void {
    this.networks.set(net.label, net)
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
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    for (const p of this.pendingPublishes.splice(0)) p.reject(new Error('gossip stopped'))
  }

  private schedule(): void {
    if (this.stopped) return
    const at = this.core.nextDeadline()
    if (at === this.timerAt && this.timer !== undefined) return
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    this.timerAt = at
    if (at === undefined) return
    this.timer = setTimeout(
      () => {
        this.timer = undefined
        this.timerAt = undefined
        this.input({ type: 'timer' })
      },
      Math.max(0, at - this.clock.now()),
    )
    this.timer.unref()
  }

  private networkOf(name: string): GossipNetwork | undefined {
    const label = splitLabel(name)?.label
    return label === undefined ? undefined : this.networks.get(label)
  }

  private execute(a: Action): void {
    switch (a.type) {
      case 'send': {
        const kind = frameKind(a.bytes)
        this.metrics.frames.inc({ direction: 'out', kind })
        this.metrics.bytes.inc({ direction: 'out', kind }, a.bytes.byteLength)
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
      case 'dropped':
        // A refused state file is the agent's to count and log (it knows the file).
        if (a.from === RESTORED) return this.restoreDrop?.(a.reason)
        this.metrics.dropped.inc({ reason: a.reason })
        if (a.from === '')
          this.pendingPublishes.shift()?.reject(new PublishRejectedError(`publish rejected: ${a.reason}`))
        else if (a.reason === 'untrusted-publisher' || a.reason === 'bad-signature') {
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
