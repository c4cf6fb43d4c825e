/**
 * Time is a component: pure code takes `now` (or a `Clock`) as an argument so the simulator and
 * unit tests can run on a virtual clock. Randomness is its sibling in random.ts.
 */
export type Millis = number

export interface Clock {
  now(): Millis
}

export const systemClock: Clock = { now: () => Date.now() }
