/**
 * kOps' resolution step (c.3), pure: every scope's records → published record sets.
 *
 * | input record                      | contributes                                           |
 * | --------------------------------- | ----------------------------------------------------- |
 * | alias target (node/…)             | nothing by itself; looked up by aliases               |
 * | A / AAAA / CNAME                  | its value under (name, type)                          |
 * | `_alias` name → target            | each target value under (name, target's type)         |
 * | `_alias` to a missing target      | nothing; problem `unresolved-alias`                   |
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
}

export interface Resolved {
  readonly records: readonly ResolvedRecord[]
  readonly problems: readonly Problem[]
}

const TYPE_ORDER: Readonly<Record<RecordType, number>> = { A: 0, AAAA: 1, CNAME: 2 }

interface Pending {
  readonly name: string
  readonly type: RecordType
  readonly values: string[]
  readonly refs: ObjectRef[]
}

export function resolveRecords(sets: Iterable<OwnedRecords>, ttlSeconds = DEFAULT_TTL_SECONDS): Resolved {
  const owned = [...sets]
  const targets = new Map<string, { type: RecordType; value: string }[]>()
  for (const { records } of owned) {
    for (const r of records) {
      if (r.aliasTarget !== true || r.type === '_alias') continue
      let list = targets.get(r.fqdn)
      if (list === undefined) targets.set(r.fqdn, (list = []))
      list.push({ type: r.type, value: r.value })
    }
  }
  const pending = new Map<string, Pending>()
  const add = (fqdn: string, type: RecordType, value: string, ref: ObjectRef): void => {
    const name = stripTrailingDot(fqdn)
    const key = `${type} ${name}`
    let p = pending.get(key)
    if (p === undefined) pending.set(key, (p = { name, type, values: [], refs: [] }))
    p.values.push(value)
    if (!p.refs.includes(ref)) p.refs.push(ref)
  }
  const problems: Problem[] = []
  for (const { ref, records } of owned) {
    for (const r of records) {
      if (r.aliasTarget === true) continue
      if (r.type !== '_alias') {
        add(r.fqdn, r.type, r.value, ref)
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
      for (const t of found) add(r.fqdn, t.type, t.value, ref)
    }
  }
  const out: ResolvedRecord[] = []
  for (const p of pending.values()) {
    if (p.type === 'CNAME' && (pending.has(`A ${p.name}`) || pending.has(`AAAA ${p.name}`))) {
      for (const object of p.refs) problems.push({ kind: 'cname-conflict', object, name: p.name })
      continue
    }
    const values = [...new Set(p.values)].sort(compareStrings)
    out.push({ name: p.name, type: p.type, values, ttlSeconds })
  }
  out.sort((a, b) => compareStrings(a.name, b.name) || TYPE_ORDER[a.type] - TYPE_ORDER[b.type])
  return { records: out, problems }
}

/** Plain code-unit order, as Go's sort.Strings. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
