/**
 * Failure detection for connections that stay up while the peer says nothing: a dead host whose
 * kernel state lingers, or a process whose event loop is stuck (it still ACKs TCP, answers nothing).
 *
 * The decision only, as state over `now` (no clock, no timers, no I/O): every `intervalMs` each
 * connected peer we have heard nothing from for a whole interval gets a probe; a probe that fails,
 * or is not answered within `timeoutMs`, closes that peer's connection, so the core sees it go and
 * replaces it. Any frame proves a peer alive, and gossip carries one every few seconds on almost
 * every connection, so in a working cluster almost no probe is sent. A frozen peer is dropped
 * within two intervals plus the probe timeout.
 *
 * The driver (lib/gossip/driver.ts) feeds it and carries out its decisions on the transports; the
 * simulator runs the same driver, so this is what it simulates.
 */
import type { Millis } from '../../util/clock.ts'
import type { PeerId } from './types.ts'

export interface LivenessConfig {
  /** A peer silent this long is probed; 0 turns probing off. */
  readonly intervalMs: Millis
  /** A probe not answered within this is a failure. */
  readonly timeoutMs: Millis
}

/** The default probe interval, in one place (the node's `livenessIntervalMs` overrides it; the
 * probe timeout is the gossip config's `dialTimeoutMs`). */
export const LIVENESS_INTERVAL_MS: Millis = 30_000

export interface LivenessDecision {
  /** Peers to probe now. */
  readonly probe: readonly PeerId[]
  /** Peers whose probe timed out: close their connection. */
  readonly close: readonly PeerId[]
}

const NOTHING: LivenessDecision = { probe: [], close: [] }

export class Liveness {
  private readonly cfg: LivenessConfig
  private readonly lastHeard = new Map<PeerId, Millis>()
  /** Probes in flight: peer → when it counts as failed. */
  private readonly probing = new Map<PeerId, Millis>()
  private nextCheckAt: Millis | undefined
  private lastNow: Millis = -Infinity

  constructor(cfg: LivenessConfig) {
    this.cfg = cfg
  }

  get enabled(): boolean {
    return this.cfg.intervalMs > 0
  }

  /** The peer connected, or something arrived from it. */
  heard(peer: PeerId, now: Millis): void {
    if (!this.enabled) return
    this.observe(now)
    this.lastHeard.set(peer, now)
    this.nextCheckAt ??= now + this.cfg.intervalMs
  }

  /** The peer is gone. */
  forget(peer: PeerId): void {
    this.lastHeard.delete(peer)
    this.probing.delete(peer)
  }

  /** A probe's outcome. Returns whether to close the connection (false also for a probe that
   * already timed out: its close was decided then). */
  probed(peer: PeerId, ok: boolean, now: Millis): boolean {
    if (!this.probing.delete(peer)) return false
    if (ok) this.heard(peer, now)
    return !ok
  }

  /** When `decide` has work next; undefined: none. */
  nextDeadline(): Millis | undefined {
    let t = this.nextCheckAt ?? Infinity
    for (const d of this.probing.values()) t = Math.min(t, d)
    return t === Infinity ? undefined : t
  }

  /** The driver's wall clock was stepped back: shift every time with it, so a silent peer is not
   * spared until the clock catches up. */
  private observe(now: Millis): void {
    const back = this.lastNow - now
    this.lastNow = now
    if (!(back > 0)) return
    for (const [p, t] of this.lastHeard) this.lastHeard.set(p, t - back)
    for (const [p, t] of this.probing) this.probing.set(p, t - back)
    if (this.nextCheckAt !== undefined) this.nextCheckAt -= back
  }

  /** Probes to send and connections to close at `now`. */
  decide(now: Millis): LivenessDecision {
    if (!this.enabled) return NOTHING
    this.observe(now)
    const close: PeerId[] = []
    for (const [peer, deadline] of this.probing)
      if (deadline <= now) {
        this.probing.delete(peer)
        close.push(peer)
      }
    const probe: PeerId[] = []
    if (this.nextCheckAt !== undefined && now >= this.nextCheckAt) {
      for (const [peer, last] of this.lastHeard)
        if (now - last >= this.cfg.intervalMs && !this.probing.has(peer)) {
          this.probing.set(peer, now + this.cfg.timeoutMs)
          probe.push(peer)
        }
      this.nextCheckAt = this.lastHeard.size > 0 ? now + this.cfg.intervalMs : undefined
    }
    return close.length === 0 && probe.length === 0 ? NOTHING : { probe, close }
  }
}
