/**
 * Timers as a component, like `Clock`: loops that wait take them as an argument, so tests drive
 * them on a virtual clock (test/helpers/virtual-time.ts) instead of sleeping.
 */
export type TimerHandle = unknown

export interface Timers {
  set(fn: () => void, ms: number): TimerHandle
  clear(handle: TimerHandle): void
}

export const systemTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
}
