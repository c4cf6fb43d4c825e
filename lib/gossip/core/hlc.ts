/**
 * Hybrid-logical-clock versions for publisher snapshots.
 *
 * A version is (wallMs, counter). The next version after `last` at wall time `now` is
 * `(now, 0)` when the clock is ahead of `last`, else `(last.wallMs, last.counter + 1)`. So versions
 * from one publisher key strictly increase whatever the clock does, provided the publisher knows
 * `last`: the version it persisted before a restart, or the newest of its own snapshots it has seen
 * in the network (a new leader with the same key, or a lost state dir). A clock that runs slow
 * cannot lose a write; a clock that jumps ahead only makes later versions share its wall time.
 *
 * Versions of one publisher are totally ordered by (wallMs, counter, signature bytes): the
 * signature breaks ties between two different snapshots that claim the same version (two leaders
 * in a split brain), identically on every node.
 */
import { compareBytes } from './bytes.ts'
import type { Version } from './types.ts'

export function compareVersion(a: Version, b: Version): number {
  return a.wallMs - b.wallMs || a.counter - b.counter
}

/** The newer of two versions (either when equal). */
export function maxVersion(a: Version | undefined, b: Version | undefined): Version | undefined {
  if (a === undefined) return b
  if (b === undefined) return a
  return compareVersion(a, b) >= 0 ? a : b
}

/** Both fields are varints on the wire: neither may pass 2^53 - 1. */
export const MAX_VERSION_FIELD = Number.MAX_SAFE_INTEGER

/**
 * Saturates instead of overflowing: a counter at the maximum moves to the next millisecond, and
 * the largest version steps to itself (a snapshot there can no longer be superseded by this key;
 * docs/operations.md, "Rotate the publisher key", is the way out). Receivers refuse versions far
 * ahead of their clock, so only a key holder, or a node from before that check, gets there.
 */
export function nextVersion(last: Version | undefined, nowMs: number): Version {
  const wall = Math.min(MAX_VERSION_FIELD, Math.max(0, Math.floor(nowMs)))
  if (last === undefined || wall > last.wallMs) return { wallMs: wall, counter: 0 }
  if (last.counter < MAX_VERSION_FIELD) return { wallMs: last.wallMs, counter: last.counter + 1 }
  if (last.wallMs < MAX_VERSION_FIELD) return { wallMs: last.wallMs + 1, counter: 0 }
  return { wallMs: MAX_VERSION_FIELD, counter: MAX_VERSION_FIELD }
}

/** True when `v` is more than `maxSkewMs` ahead of the local clock `nowMs`. */
export function tooFarAhead(v: Version, nowMs: number, maxSkewMs: number): boolean {
  return v.wallMs > nowMs + maxSkewMs
}

/** Total order of two signed versions: version first, then signature bytes. */
export function compareSigned(
  a: { readonly version: Version; readonly signature: Uint8Array },
  b: { readonly version: Version; readonly signature: Uint8Array },
): number {
  return compareVersion(a.version, b.version) || Math.sign(compareBytes(a.signature, b.signature))
}

/** Printable and sortable as text for equal-length wall times: `<wallMs>.<counter>`. */
export function formatVersion(v: Version): string {
  return `${v.wallMs}.${v.counter}`
}

export function parseVersion(s: string): Version | undefined {
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(s.trim())
  if (!m) return undefined
  const v = { wallMs: Number(m[1]), counter: Number(m[2]) }
  return Number.isSafeInteger(v.wallMs) && Number.isSafeInteger(v.counter) ? v : undefined
}
