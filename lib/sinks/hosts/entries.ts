/**
 * Host entries for a replica, what the hosts block should hold: name → addresses for every name inside our
 * zones. A and AAAA of one name are combined (as kOps did); a CNAME is flattened to the addresses
 * its chain reaches inside our data, and skipped when the chain ends elsewhere. Wildcard names
 * (`*.apps.example.local`) are served by DNS only: a hosts file has no wildcards, and a literal
 * `*.…` line would match nothing a program asks for.
 */
import type { ResolvedRecord } from '../../records/types.ts'
import { MAX_CNAME_CHAIN, zoneOf } from '../zones.ts'

export interface HostEntries {
  readonly hosts: ReadonlyMap<string, readonly string[]>
  /** CNAMEs whose chain did not end at addresses in our data. */
  readonly unresolved: readonly string[]
  /** Wildcard names in our zones, left out of the file. */
  readonly wildcards: readonly string[]
}

export function isWildcard(name: string): boolean {
  return name.startsWith('*.')
}

export function hostEntries(records: readonly ResolvedRecord[], zones: readonly string[]): HostEntries {
  const addrs = new Map<string, string[]>()
  const cnames = new Map<string, string>()
  for (const r of records) {
    if (r.type === 'CNAME') {
      const target = r.values[0]
      if (target !== undefined) cnames.set(r.name, target.toLowerCase().replace(/\.$/, ''))
      continue
    }
    const list = addrs.get(r.name) ?? []
    list.push(...r.values)
    addrs.set(r.name, list)
  }
  const resolve = (name: string): string[] | undefined => {
    let cur = name
    for (let i = 0; i <= MAX_CNAME_CHAIN; i++) {
      const a = addrs.get(cur)
      if (a !== undefined) return a
      const next = cnames.get(cur)
      if (next === undefined) return undefined
      cur = next
    }
    return undefined
  }
  const hosts = new Map<string, readonly string[]>()
  const unresolved: string[] = []
  const wildcards: string[] = []
  const names = new Set([...addrs.keys(), ...cnames.keys()])
  for (const name of [...names].sort()) {
    if (zoneOf(name, zones) === undefined) continue
    if (isWildcard(name)) {
      wildcards.push(name)
      continue
    }
    const a = resolve(name)
    if (a === undefined) unresolved.push(name)
    else hosts.set(name, [...new Set(a)].sort())
  }
  return { hosts, unresolved, wildcards }
}
