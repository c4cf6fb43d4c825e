/**
 * Time and randomness are components: pure code takes them as arguments so the
 * simulator and unit tests can run on a virtual clock with a seeded generator.
 */
export type Millis = number

export interface Clock {
  now(): Millis
}

export interface Rng {
  /** Uniform in [0, 1). */
  float(): number
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number
}

export const systemClock: Clock = { now: () => Date.now() }

/** mulberry32: small, fast, good enough for peer choice and jitter; not for keys. */
export function seededRng(seed: number): Rng {
  let s = seed >>> 0
  const float = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { float, int: (n) => Math.floor(float() * n) }
}

/** A generator seeded from the OS, for production drivers. */
export function randomRng(): Rng {
  return seededRng((Math.random() * 0x100000000) >>> 0)
}

/** Fisher–Yates on a copy. */
export function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = xs.slice()
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    const tmp = out[i] as T
    out[i] = out[j] as T
    out[j] = tmp
  }
  return out
}

/** Full-jitter exponential backoff: a random delay in [base, min(cap, base * 2^failures)]. */
export function backoffMs(failures: number, rng: Rng, baseMs = 200, capMs = 30_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30))
  return Math.round(baseMs + rng.float() * Math.max(0, ceiling - baseMs))
}
