/**
 * Trailing debounce with a bound: work runs `quietMs` after the last poke, but
 * never later than `maxWaitMs` after the first unserved poke, so a steady stream of changes still
 * publishes. Pure: the caller passes `now` and arms its own timer for `deadline()`.
 */
import type { Millis } from './clock.ts'

export class Debouncer {
  readonly quietMs: Millis
  readonly maxWaitMs: Millis
  private firstAt: Millis | undefined
  private lastAt: Millis = 0

  constructor(quietMs: Millis, maxWaitMs: Millis) {
    if (quietMs < 0 || maxWaitMs < quietMs) throw new Error('need 0 <= quietMs <= maxWaitMs')
    this.quietMs = quietMs
    this.maxWaitMs = maxWaitMs
  }

  poke(now: Millis): void {
    this.firstAt ??= now
    this.lastAt = now
  }

  /** When the pending work should run; undefined when nothing is pending. */
  deadline(): Millis | undefined {
    if (this.firstAt === undefined) return undefined
    return Math.min(this.lastAt + this.quietMs, this.firstAt + this.maxWaitMs)
  }

  due(now: Millis): boolean {
    const d = this.deadline()
    return d !== undefined && now >= d
  }

  /** The pending work was taken; pokes after this start a new round. */
  taken(): void {
    this.firstAt = undefined
  }
}
