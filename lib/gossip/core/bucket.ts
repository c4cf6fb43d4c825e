/** A token bucket on the core's `now` (per-peer frame and byte limits, dials to unreached addresses). */
import type { Millis } from '../../util/clock.ts'

export class Bucket {
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

  private refill(now: Millis): void {
    this.tokens = Math.min(this.burst, this.tokens + (this.rate * Math.max(0, now - this.last)) / 1000)
    this.last = now
  }

  take(n: number, now: Millis): boolean {
    this.refill(now)
    if (this.tokens < n) return false
    this.tokens -= n
    return true
  }

  /** Milliseconds until `n` tokens are there (0 if they are now). */
  waitMs(n: number, now: Millis): Millis {
    this.refill(now)
    return this.tokens >= n ? 0 : Math.ceil(((n - this.tokens) * 1000) / this.rate)
  }
}
