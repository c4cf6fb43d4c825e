import type { Rng } from './random.ts'

/** Full-jitter exponential backoff: a random delay in [base, min(cap, base * 2^failures)]. */
export function backoffMs(failures: number, rng: Rng, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30))
  return Math.round(baseMs + rng.float() * Math.max(0, ceiling - baseMs))
}
