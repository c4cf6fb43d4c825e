/**
 * kOps' resolution step, pure: every scope's records → published record sets.
 *
 * | input record                      | contributes                                           |
 * | --------------------------------- | ----------------------------------------------------- |
 * | alias target (node/…)             | nothing by itself; looked up by aliases               |
 * | A / AAAA / CNAME                  | its value under (name, type)                          |
 * | `_alias` name → target            | each target value under (name, target's type)         |
 * | `_alias` to a missing target      | nothing; problem `unresolved-alias`                   |
 * | any, for a name that an owner of a higher precedence also has | nothing (replaced)       |
 *
 * Then values are sorted in plain string order (`10.0.0.10` < `10.0.0.2`, as kOps) and
 * de-duplicated, names lose their trailing dot, and every set gets TTL 60. A name that has both a
 * CNAME and addresses keeps the addresses (problem `cname-conflict`): a CNAME must stand alone.
 */
import { stripTrailingDot } from './names.ts'
import type { Problem } from './problems.ts'
import { DEFAULT_TTL_SECONDS } from './types.ts'
import type { DnsRecord, ObjectRef, RecordType, ResolvedRecord } from './types.ts'

export interface OwnedRecords {
  readonly ref: ObjectRef
  readonly records: readonly DnsRecord[]
  /**
   * Records of a higher precedence replace, name by name, every record of a lower one for the
   * same name (`--cluster-name` records over annotations, apiserver.ts). @default 0
   */
  readonly precedence?: number
}

export interface Resolved {
  readonly records: readonly ResolvedRecord[]
  readonly problems: readonly Problem[]
}

const TYPE_ORDER: Readonly<Record<RecordType, number>> = { A: 0, AAAA: 1, CNAME: 2 }

interface Pending {
  readonly name: string
  readonly type: RecordType
  /** Values of plain records. */
  readonly singles: string[]
  /** Whole target lists from aliases, each already sorted and de-duplicated. */
  readonly chunks: (readonly string[])[]
  readonly refs: ObjectRef[]
}

function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort(compareStrings)
}

export function resolveRecords(sets: Iterable<OwnedRecords>, ttlSeconds = DEFAULT_TTL_SECONDS): Resolved {
  const owned = [...sets]
  // Alias targets grouped by name then type. A NodePort alias to node/role=node/external in a
  // 1,000-node cluster copies 1,000 values, so each group is sorted once and shared.
  const rawTargets = new Map<string, Map<RecordType, string[]>>()
  for (const { records } of owned) {
    for (const r of records) {
      if (r.aliasTarget !== true || r.type === '_alias') continue
      let byType = rawTargets.get(r.fqdn)
      if (byType === undefined) rawTargets.set(r.fqdn, (byType = new Map()))
      const list = byType.get(r.type)
      if (list === undefined) byType.set(r.type, [r.value])
      else list.push(r.value)
    }
  }
  const targets = new Map<string, [RecordType, readonly string[]][]>()
  for (const [fqdn, byType] of rawTargets)
    targets.set(
      fqdn,
      [...byType].map(([t, v]) => [t, sortedUnique(v)]),
    )

  const pending = new Map<string, Pending>()
  const get = (fqdn: string, type: RecordType, ref: ObjectRef): Pending => {
    const name = stripTrailingDot(fqdn)
    const key = `${type} ${name}`
    let p = pending.get(key)
    if (p === undefined) pending.set(key, (p = { name, type, singles: [], chunks: [], refs: [] }))
    if (p.refs[p.refs.length - 1] !== ref && !p.refs.includes(ref)) p.refs.push(ref)
    return p
  }
  // The highest precedence claiming each name; only names claimed above 0 are tracked.
  const top = new Map<string, number>()
  for (const { records, precedence = 0 } of owned) {
    if (precedence <= 0) continue
    for (const r of records)
      if (r.aliasTarget !== true && (top.get(stripTrailingDot(r.fqdn)) ?? 0) < precedence)
        top.set(stripTrailingDot(r.fqdn), precedence)
  }
  const problems: Problem[] = []
  for (const { ref, records, precedence = 0 } of owned) {
    for (const r of records) {
      if (r.aliasTarget === true) continue
      if (top.size > 0 && (top.get(stripTrailingDot(r.fqdn)) ?? 0) > precedence) continue
      if (r.type !== '_alias') {
        get(r.fqdn, r.type, ref).singles.push(r.value)
        continue
      }
      const found = targets.get(r.value)
      if (found === undefined || found.length === 0) {
        problems.push({
          kind: 'unresolved-alias',
          object: ref,
          name: stripTrailingDot(r.fqdn),
          target: r.value,
        })
        continue
      }
      for (const [type, values] of found) get(r.fqdn, type, ref).chunks.push(values)
    }
  }
  const out: ResolvedRecord[] = []
  for (const p of pending.values()) {
    if (p.type === 'CNAME' && (pending.has(`A ${p.name}`) || pending.has(`AAAA ${p.name}`))) {
      for (const object of p.refs) problems.push({ kind: 'cname-conflict', object, name: p.name })
      continue
    }
    const only = p.singles.length === 0 && p.chunks.length === 1 ? p.chunks[0] : undefined
    const values = only ?? sortedUnique(p.singles.concat(...p.chunks))
    out.push({ name: p.name, type: p.type, values, ttlSeconds })
  }
  out.sort((a, b) => compareStrings(a.name, b.name) || TYPE_ORDER[a.type] - TYPE_ORDER[b.type])
  return { records: out, problems }
}

/** Plain code-unit order, as Go's sort.Strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
