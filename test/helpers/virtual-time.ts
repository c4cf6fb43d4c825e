/**
 * A virtual clock with timers (`Clock` + `Timers`) for tests of loops that wait: `advance(ms)`
 * fires due timers in time order and lets the promise work they start settle in between, so a
 * test of "nothing happens for 100 ms" takes no real time and cannot flake on a busy machine.
 */
import type { Clock } from '../../lib/util/clock.ts'
import type { TimerHandle, Timers } from '../../lib/util/timers.ts'

interface Pending {
  readonly at: number
  readonly seq: number
  readonly fn: () => void
}

export class VirtualTime implements Clock, Timers {
  #now: number
  #seq = 0
  readonly #pending = new Map<number, Pending>()

  constructor(startMs = 1_700_000_000_000) {
    this.#now = startMs
  }

  now(): number {
    return this.#now
  }

  set(fn: () => void, ms: number): TimerHandle {
    const seq = ++this.#seq
    this.#pending.set(seq, { at: this.#now + Math.max(0, ms), seq, fn })
    return seq
  }

  clear(handle: TimerHandle): void {
    if (typeof handle === 'number') this.#pending.delete(handle)
  }

  /** Timers waiting to fire. */
  get pending(): number {
    return this.#pending.size
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms
    await settle()
    for (;;) {
      const next = [...this.#pending.values()]
        .filter((p) => p.at <= end)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (next === undefined) break
      this.#pending.delete(next.seq)
      this.#now = Math.max(this.#now, next.at)
      next.fn()
      await settle()
    }
    this.#now = end
  }
}

/** Lets promise chains started by a timer run to their next real wait (no time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
