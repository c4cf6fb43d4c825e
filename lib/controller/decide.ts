/**
 * When the controller publishes, as a pure decision over what it knows at one moment:
 *
 * | state                                         | decision         |
 * | --------------------------------------------- | ---------------- |
 * | some watched kind has not been listed once    | `wait-for-sync`  |
 * | another replica leads                         | `follower`       |
 * | records equal to the last publish of the term | `unchanged`      |
 * | otherwise                                     | `publish`        |
 *
 * A new leadership term starts with no last publish, so a new leader always publishes once.
 */
import type { ResolvedRecord } from '../records/types.ts'

export type PublishDecision = 'wait-for-sync' | 'follower' | 'unchanged' | 'publish'

/** What was last published in this term: the desired-set version and its resolved records. */
export interface LastPublish {
  readonly version: number
  readonly records: readonly ResolvedRecord[]
}

export interface PublishState {
  /** The desired snapshot; absent while the gate is closed. */
  readonly snapshot: { readonly version: number; readonly records: readonly ResolvedRecord[] } | undefined
  readonly leader: boolean
  readonly last: LastPublish | undefined
}

export function decidePublish(s: PublishState): PublishDecision {
  if (s.snapshot === undefined) return 'wait-for-sync'
  if (!s.leader) return 'follower'
  if (s.last === undefined) return 'publish'
  // Equal versions mean equal records; a new version may still resolve to the same records
  // (a Node change that moves no alias), which is not worth a new gossip version.
  if (s.last.version === s.snapshot.version) return 'unchanged'
  return sameRecords(s.last.records, s.snapshot.records) ? 'unchanged' : 'publish'
}

/** Resolved record sets are sorted and de-duplicated, so element-wise equality is set equality. */
export function sameRecords(a: readonly ResolvedRecord[], b: readonly ResolvedRecord[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as ResolvedRecord
    const y = b[i] as ResolvedRecord
    if (x.name !== y.name || x.type !== y.type || x.ttlSeconds !== y.ttlSeconds) return false
    if (x.values.length !== y.values.length || x.values.some((v, j) => v !== y.values[j])) return false
  }
  return true
}
