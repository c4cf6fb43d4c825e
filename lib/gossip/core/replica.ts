/**
 * The verified replica: the newest snapshot of each trusted publisher, and the merged view.
 *
 * Merge per publisher: the higher (version, signature) wins, so the result does not depend on the
 * order snapshots arrive in, and replays of older or equal versions change nothing. Callers verify
 * signatures before `accept`; this class only orders and stores.
 *
 * The view is the union of all publishers' records. When two publishers publish the same
 * (name, type), their values are united and the lowest TTL is kept: the view depends only on the
 * set of snapshots held, never on which arrived first, and one publisher cannot hide another's
 * addresses. (Several publishers are for migrations and split responsibilities; the normal cluster
 * has one.)
 *
 * | held        | incoming                     | result            |
 * | ----------- | ---------------------------- | ----------------- |
 * | none        | any trusted, valid signature | accept            |
 * | v           | version > v                  | accept (replace)  |
 * | v           | version = v, signature > v's | accept (tie-break)|
 * | v           | otherwise                    | drop `stale`      |
 */
import type { RecordType, ResolvedRecord } from '../../records/types.ts'
import type { PublisherVersion, ReplicaView } from '../api.ts'
import { toHex } from './bytes.ts'
import type { Delta, VersionRef } from './delta.ts'
import { computeDelta, refOf } from './delta.ts'
import { compareSigned, formatVersion } from './hlc.ts'
import { compareRecordKey, recordKey } from './snapshot.ts'
import type { Snapshot } from './snapshot.ts'
import type { DigestEntry } from './wire.ts'

export interface Held {
  readonly id: string
  readonly snapshot: Snapshot
  readonly ref: VersionRef
  /** From the version held before this one, when we held one. */
  readonly delta: Delta | undefined
}

export const EMPTY_VIEW: ReplicaView = Object.freeze({
  records: Object.freeze([]),
  publishers: Object.freeze([]),
})

export class Replica {
  private readonly trusted: ReadonlySet<string>
  private readonly held = new Map<string, Held>()
  private cachedView: ReplicaView = EMPTY_VIEW

  constructor(trustedPublishers: readonly Uint8Array[]) {
    this.trusted = new Set(trustedPublishers.map(toHex))
  }

  isTrusted(publisherHex: string): boolean {
    return this.trusted.has(publisherHex)
  }

  get(publisherHex: string): Held | undefined {
    return this.held.get(publisherHex)
  }

  all(): IterableIterator<Held> {
    return this.held.values()
  }

  get size(): number {
    return this.held.size
  }

  /** >0 when `s` would replace what we hold (or we hold nothing). */
  newness(id: string, s: { readonly version: Snapshot['version']; readonly signature: Uint8Array }): number {
    const h = this.held.get(id)
    return h === undefined ? 1 : compareSigned(s, h.snapshot)
  }

  /** Stores a verified snapshot that `newness` said is newer; returns what is now held. */
  accept(s: Snapshot): Held {
    const id = toHex(s.publisher)
    const prev = this.held.get(id)
    const h: Held = {
      id,
      snapshot: s,
      ref: refOf(s),
      delta: prev ? computeDelta(prev.snapshot, s) : undefined,
    }
    this.held.set(id, h)
    this.cachedView = buildView([...this.held.values()])
    return h
  }

  digest(): DigestEntry[] {
    return [...this.held.values()].map((h) => ({ publisher: h.snapshot.publisher, ref: h.ref }))
  }

  view(): ReplicaView {
    return this.cachedView
  }
}

/** Union per (name, type): values united, lowest TTL. Sorted, frozen. */
export function buildView(held: readonly Held[]): ReplicaView {
  const publishers: PublisherVersion[] = held
    .map((h) => ({ id: h.id, version: formatVersion(h.snapshot.version) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1))
  let records: readonly ResolvedRecord[]
  if (held.length === 1) {
    records = (held[0] as Held).snapshot.records
  } else {
    const merged = new Map<string, { name: string; type: RecordType; ttl: number; values: Set<string> }>()
    for (const h of held)
      for (const r of h.snapshot.records) {
        const k = recordKey(r)
        const m = merged.get(k)
        if (m === undefined)
          merged.set(k, { name: r.name, type: r.type, ttl: r.ttlSeconds, values: new Set(r.values) })
        else {
          m.ttl = Math.min(m.ttl, r.ttlSeconds)
          for (const v of r.values) m.values.add(v)
        }
      }
    records = [...merged.values()]
      .map((m) => ({
        name: m.name,
        type: m.type,
        ttlSeconds: m.ttl,
        values: [...m.values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      }))
      .sort(compareRecordKey)
  }
  return Object.freeze({ records, publishers: Object.freeze(publishers) })
}
