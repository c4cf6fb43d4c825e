/**
 * Rate limits a repeated warning per key (a peer, an address): the first one is logged, then at
 * most one per interval, saying how many were held back. A failing peer retries every second or
 * so; the log should say so once a minute, not drown.
 */
import type { Clock, Millis } from './clock.ts'

export interface LogLimiter {
  /** undefined: hold this one back; else log it, with `suppressed` held back since the last. */
  take(key: string): { readonly suppressed: number } | undefined
}

/** At most `maxKeys` keys are remembered (oldest forgotten first), so peers cannot grow memory. */
export function createLogLimiter(clock: Clock, intervalMs: Millis = 60_000, maxKeys = 256): LogLimiter {
  const seen = new Map<string, { at: Millis; suppressed: number }>()
  return {
    take(key) {
      const now = clock.now()
      const s = seen.get(key)
      if (s !== undefined && now - s.at < intervalMs) {
        s.suppressed++
        return undefined
      }
      seen.delete(key)
      seen.set(key, { at: now, suppressed: 0 })
      if (seen.size > maxKeys) seen.delete(seen.keys().next().value as string)
      return { suppressed: s?.suppressed ?? 0 }
    },
  }
}
