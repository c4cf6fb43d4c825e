/**
 * Deltas between two versions of one publisher's snapshot.
 *
 * A delta names its base (version + the first bytes of the base signature, enough to tell two
 * same-version snapshots apart), lists the keys removed and the record sets added or changed, and
 * carries the signature of the new whole snapshot. A receiver holding exactly that base rebuilds the
 * new record list, re-encodes it canonically and verifies the signature: a delta is never trusted on
 * its own. A receiver without the base pulls the full snapshot instead.
 */
import type { RecordType, ResolvedRecord } from '../../records/types.ts'
import { bytesEqual, compareBytes } from './bytes.ts'
import { compareVersion } from './hlc.ts'
import { compareRecordKey, recordKey, recordsCanonical } from './snapshot.ts'
import type { Decoded, Limits, Snapshot } from './snapshot.ts'
import type { Version } from './types.ts'

/** Bytes of the signature that identify a version in digests and delta bases. */
export const SIG_PREFIX_BYTES = 8

export interface VersionRef {
  readonly version: Version
  readonly sigPrefix: Uint8Array
}

export interface RecordKey {
  readonly name: string
  readonly type: RecordType
}

export interface Delta {
  readonly publisher: Uint8Array
  readonly base: VersionRef
  readonly version: Version
  /** Canonical order. */
  readonly removed: readonly RecordKey[]
  /** Canonical order; replaces any base record with the same key. */
  readonly upserted: readonly ResolvedRecord[]
  readonly signature: Uint8Array
}

export function refOf(s: Snapshot): VersionRef {
  return { version: s.version, sigPrefix: s.signature.subarray(0, SIG_PREFIX_BYTES) }
}

export function sameRef(a: VersionRef, b: VersionRef): boolean {
  return (
    a.version.wallMs === b.version.wallMs &&
    a.version.counter === b.version.counter &&
    bytesEqual(a.sigPrefix, b.sigPrefix)
  )
}

/** Version first, then the signature prefix (as compareSigned does with whole signatures). */
export function compareRef(a: VersionRef, b: VersionRef): number {
  return compareVersion(a.version, b.version) || Math.sign(compareBytes(a.sigPrefix, b.sigPrefix))
}

function sameRecord(a: ResolvedRecord, b: ResolvedRecord): boolean {
  if (a.ttlSeconds !== b.ttlSeconds || a.values.length !== b.values.length) return false
  return a.values.every((v, i) => v === b.values[i])
}

/** Merge-walk two canonical lists: O(n). */
export function computeDelta(prev: Snapshot, next: Snapshot): Delta {
  const removed: RecordKey[] = []
  const upserted: ResolvedRecord[] = []
  const a = prev.records
  const b = next.records
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    const ra = a[i]
    const rb = b[j]
    const c = ra === undefined ? 1 : rb === undefined ? -1 : compareRecordKey(ra, rb)
    if (c < 0 && ra) {
      removed.push({ name: ra.name, type: ra.type })
      i++
    } else if (c > 0 && rb) {
      upserted.push(rb)
      j++
    } else if (ra && rb) {
      if (!sameRecord(ra, rb)) upserted.push(rb)
      i++
      j++
    }
  }
  return {
    publisher: next.publisher,
    base: refOf(prev),
    version: next.version,
    removed,
    upserted,
    signature: next.signature,
  }
}

/** The new canonical record list, or why the delta does not apply (checked before any signature). */
export function applyDelta(
  base: readonly ResolvedRecord[],
  d: Delta,
  lim: Limits,
): Decoded<ResolvedRecord[]> {
  if (!recordsCanonical(d.upserted)) return { ok: false, reason: 'invalid-record' }
  const byKey = new Map<string, ResolvedRecord>()
  for (const r of base) byKey.set(recordKey(r), r)
  for (const k of d.removed) {
    if (!byKey.delete(recordKey(k))) return { ok: false, reason: 'invalid-record' }
  }
  for (const r of d.upserted) byKey.set(recordKey(r), r)
  if (byKey.size > lim.maxRecordsPerSnapshot) return { ok: false, reason: 'too-many-records' }
  const out = [...byKey.values()].sort(compareRecordKey)
  return { ok: true, value: out }
}
