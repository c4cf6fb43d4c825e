/**
 * Randomness is a component: pure code takes an `Rng` so the simulator and unit tests replay a
 * seeded sequence.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  float(): number
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number
}

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

/**
 * `k` random elements of `xs` in random order: a partial Fisher–Yates that reorders `xs` in place
 * (callers pass a scratch array) and stops after `k` draws.
 */
export function pickK<T>(rng: Rng, xs: T[], k: number): T[] {
  const n = Math.min(k, xs.length)
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(xs.length - i)
    const tmp = xs[i] as T
    xs[i] = xs[j] as T
    xs[j] = tmp
  }
  return xs.length === n ? xs : xs.slice(0, n)
}

/** A random permutation of a copy of `xs`. */
export function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  return pickK(rng, xs.slice(), xs.length)
}
