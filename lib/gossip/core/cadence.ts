/**
 * The core's two periodic timers: a digest to one random peer every sync interval and one
 * connection swap every rotation interval. Both are jittered so that nodes started together do not
 * act in step; both are relative, so a wall clock stepped back (NTP) shifts them with it.
 */
import type { Millis } from '../../util/clock.ts'
import type { Rng } from '../../util/random.ts'
import type { GossipConfig } from './types.ts'

export class Cadence {
  private started = false
  private lastNow: Millis = 0
  private nextSyncAt: Millis = 0
  private nextRotateAt: Millis = 0

  private readonly cfg: GossipConfig
  private readonly rng: Rng

  constructor(cfg: GossipConfig, rng: Rng) {
    this.cfg = cfg
    this.rng = rng
  }

  /** Called first in every step; returns how far the clock was stepped back (0 when it was not). */
  observe(now: Millis): Millis {
    const back = this.started ? Math.max(0, this.lastNow - now) : 0
    if (!this.started) {
      this.started = true
      this.nextSyncAt = now + this.rng.float() * this.cfg.syncIntervalMs
      this.nextRotateAt = now + (0.5 + this.rng.float()) * this.cfg.rotateIntervalMs
    }
    this.nextSyncAt -= back
    this.nextRotateAt -= back
    this.lastNow = now
    return back
  }

  syncDue(now: Millis): boolean {
    return now >= this.nextSyncAt
  }

  /** After the sync: the next one in 0.9–1.1 intervals. (Drawn after the sync's own random pick.) */
  synced(now: Millis): void {
    this.nextSyncAt = now + (0.9 + 0.2 * this.rng.float()) * this.cfg.syncIntervalMs
  }

  rotateDue(now: Millis): boolean {
    return now >= this.nextRotateAt
  }

  /** After the rotation: the next one in 0.5–1.5 intervals. */
  rotated(now: Millis): void {
    this.nextRotateAt = now + (0.5 + this.rng.float()) * this.cfg.rotateIntervalMs
  }

  /** The earlier of the two. */
  next(): Millis {
    return Math.min(this.nextSyncAt, this.nextRotateAt)
  }
}
