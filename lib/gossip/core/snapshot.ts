/**
 * Publisher snapshots and their canonical encoding.
 *
 * A snapshot is one publisher's complete record set at one version. Records are canonical: sorted by
 * (name, type code), one record set per (name, type), values sorted (JavaScript string order, which
 * is byte order for the ASCII names and addresses we carry) and de-duplicated, never empty. Decoders
 * refuse anything else, so every node that holds the same snapshot holds the same bytes, and the
 * signed message can be rebuilt from the decoded value (deltas rely on this).
 *
 * Signed message = string "dns-controller/snapshot/v1" || publisher (32) || varint wallMs ||
 * varint counter || varint n || n × record. Record = string name || u8 type || varint ttlSeconds ||
 * varint k || k × string value. Strings are varint byte length + UTF-8.
 */
import type { RecordType, ResolvedRecord } from '../../records/types.ts'
import { recordProblem } from '../../records/validate.ts'
import type { GossipConfig } from './config.ts'
import { Writer } from './bytes.ts'
import type { Reader } from './bytes.ts'
import type { DropReason, Version } from './types.ts'

export const PUBLIC_KEY_BYTES = 32
export const SIGNATURE_BYTES = 64
/** Largest TTL DNS allows (RFC 2181: 2^31 - 1). */
export const MAX_TTL_SECONDS = 0x7fffffff
/** Domain separation: a signature over a snapshot can never be mistaken for any other message. */
export const SNAPSHOT_DOMAIN = 'dns-controller/snapshot/v1'

/** Type codes on the wire. Append only: the numbers are protocol. */
export const RecordTypeCode = { A: 1, AAAA: 2, CNAME: 3 } as const satisfies Record<RecordType, number>
const TYPE_BY_CODE: readonly (RecordType | undefined)[] = [undefined, 'A', 'AAAA', 'CNAME']

export interface Snapshot {
  /** Raw 32-byte Ed25519 public key. */
  readonly publisher: Uint8Array
  readonly version: Version
  /** Canonical (see above). */
  readonly records: readonly ResolvedRecord[]
  /** 64-byte Ed25519 signature over `signedMessage(...)`. */
  readonly signature: Uint8Array
}

export type Limits = Pick<
  GossipConfig,
  | 'maxFrameBytes'
  | 'maxRecordsPerSnapshot'
  | 'maxPublishers'
  | 'maxNameBytes'
  | 'maxValuesPerRecord'
  | 'maxValueBytes'
  | 'maxAddrsPerFrame'
  | 'maxAddrBytes'
>

export type Decoded<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: DropReason }

/** Order of records: name, then type code. */
export function compareRecordKey(
  a: { readonly name: string; readonly type: RecordType },
  b: { readonly name: string; readonly type: RecordType },
): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1
  return RecordTypeCode[a.type] - RecordTypeCode[b.type]
}

export function recordKey(r: { readonly name: string; readonly type: RecordType }): string {
  return `${r.type} ${r.name}`
}

export function writeRecord(w: Writer, r: ResolvedRecord): void {
  w.string(r.name).u8(RecordTypeCode[r.type]).varint(r.ttlSeconds).varint(r.values.length)
  for (const v of r.values) w.string(v)
}

export function readRecord(rd: Reader, lim: Limits): ResolvedRecord {
  const name = rd.string(lim.maxNameBytes, 'name-too-long')
  const type = TYPE_BY_CODE[rd.u8()]
  const ttlSeconds = rd.varint()
  const n = rd.count(lim.maxValuesPerRecord, 'too-many-values')
  const values: string[] = []
  for (let i = 0; i < n && !rd.error; i++) values.push(rd.string(lim.maxValueBytes, 'value-too-long'))
  if (type === undefined || ttlSeconds > MAX_TTL_SECONDS) rd.fail('malformed')
  const r: ResolvedRecord = { name, type: type ?? 'A', values, ttlSeconds }
  // Names and values become hosts-file lines and DNS answers: a signature does not make them safe.
  const problem = rd.error ? undefined : contentProblem(r)
  if (problem !== undefined) rd.fail(problem)
  return r
}

/** Names and values (records/validate.ts); empty ones are left to the canonical check. */
function contentProblem(r: ResolvedRecord): DropReason | undefined {
  if (r.name === '' || r.values.includes('')) return undefined
  return recordProblem(r)
}

/** Values sorted strictly (so de-duplicated), none empty, at least one. */
function valuesCanonical(values: readonly string[]): boolean {
  if (values.length === 0) return false
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as string
    if (v === '' || (i > 0 && !((values[i - 1] as string) < v))) return false
  }
  return true
}

/** True when the list is canonical: keys strictly increasing, names non-empty, values canonical. */
export function recordsCanonical(records: readonly ResolvedRecord[]): boolean {
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as ResolvedRecord
    if (r.name === '' || !valuesCanonical(r.values)) return false
    if (i > 0 && compareRecordKey(records[i - 1] as ResolvedRecord, r) >= 0) return false
  }
  return true
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length

/**
 * Canonical form of a local record set (what a publisher signs): values sorted and de-duplicated,
 * records sorted; duplicate (name, type), empty names or values, names or values that decoders
 * would refuse (records/validate.ts), or broken limits are refused.
 */
export function canonicalRecords(records: readonly ResolvedRecord[], lim: Limits): Decoded<ResolvedRecord[]> {
  if (records.length > lim.maxRecordsPerSnapshot) return { ok: false, reason: 'too-many-records' }
  const out: ResolvedRecord[] = []
  for (const r of records) {
    if (!(r.type in RecordTypeCode)) return { ok: false, reason: 'invalid-record' }
    if (!Number.isSafeInteger(r.ttlSeconds) || r.ttlSeconds < 0 || r.ttlSeconds > MAX_TTL_SECONDS)
      return { ok: false, reason: 'invalid-record' }
    if (utf8Length(r.name) > lim.maxNameBytes) return { ok: false, reason: 'name-too-long' }
    const values = [...new Set(r.values)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    if (values.length > lim.maxValuesPerRecord) return { ok: false, reason: 'too-many-values' }
    if (values.some((v) => utf8Length(v) > lim.maxValueBytes)) return { ok: false, reason: 'value-too-long' }
    const problem = contentProblem({ ...r, values })
    if (problem !== undefined) return { ok: false, reason: problem }
    out.push({ name: r.name, type: r.type, values, ttlSeconds: r.ttlSeconds })
  }
  out.sort(compareRecordKey)
  return recordsCanonical(out) ? { ok: true, value: out } : { ok: false, reason: 'invalid-record' }
}

/** Trusted keys and the signer's key must be raw Ed25519 keys, at most `maxPublishers` trusted. */
export function keyProblems(init: {
  readonly config: { readonly maxPublishers: number }
  readonly trustedPublishers: readonly Uint8Array[]
  readonly signer?: { readonly publicKey: Uint8Array }
}): string[] {
  const problems: string[] = []
  if (init.trustedPublishers.length > init.config.maxPublishers)
    problems.push(`trustedPublishers: more than maxPublishers (${init.config.maxPublishers})`)
  for (const k of [...init.trustedPublishers, ...(init.signer ? [init.signer.publicKey] : [])])
    if (k.length !== PUBLIC_KEY_BYTES)
      problems.push(`public keys must be ${PUBLIC_KEY_BYTES} raw bytes, got ${k.length}`)
  return problems
}

/** The bytes a publisher signs and every receiver rebuilds to verify. */
export function signedMessage(
  publisher: Uint8Array,
  version: Version,
  records: readonly ResolvedRecord[],
): Uint8Array {
  const w = new Writer().string(SNAPSHOT_DOMAIN).raw(publisher)
  w.varint(version.wallMs).varint(version.counter).varint(records.length)
  for (const r of records) writeRecord(w, r)
  return w.finish()
}
