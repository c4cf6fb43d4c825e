/**
 * What the demo shows about the agents, pure: whether they agree, and what changed between two
 * record sets, one line per (name, type).
 *
 * | agents' /state                                   | convergence      |
 * | ------------------------------------------------ | ---------------- |
 * | any unreachable, or without a publisher          | undefined        |
 * | publisher versions or record sets differ         | undefined        |
 * | all the same version and records                 | that version     |
 */
import type { AgentState } from '../agent/status.ts'

export type StateRecord = AgentState['records'][number]

/** The shared publisher version when every agent holds the same snapshot; else undefined. */
export function converged(states: readonly (AgentState | undefined)[]): string | undefined {
  let version: string | undefined
  let records: string | undefined
  for (const s of states) {
    if (s === undefined || s.publishers.length === 0) return undefined
    const v = s.publishers.map((p) => `${p.id}@${p.version}`).join(',')
    const r = JSON.stringify(s.records)
    if (version === undefined) {
      version = v
      records = r
    } else if (v !== version || r !== records) return undefined
  }
  return version
}

function line(r: StateRecord): string {
  return `${r.name} ${r.type} ${r.values.join(',')}`
}

/** `- name TYPE values` for removed or replaced sets, then `+ …` for their new value, by name. */
export function diffRecords(before: readonly StateRecord[], after: readonly StateRecord[]): string[] {
  const key = (r: StateRecord): string => `${r.name} ${r.type}`
  const old = new Map(before.map((r) => [key(r), r]))
  const now = new Map(after.map((r) => [key(r), r]))
  const keys = [...new Set([...old.keys(), ...now.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const out: string[] = []
  for (const k of keys) {
    const o = old.get(k)
    const n = now.get(k)
    if (o !== undefined && n !== undefined && line(o) === line(n)) continue
    if (o !== undefined) out.push(`- ${line(o)}`)
    if (n !== undefined) out.push(`+ ${line(n)}`)
  }
  return out
}

/** A name worth trying with dig: api.internal.* first, else the first A record, else any. */
export function sampleName(records: readonly StateRecord[]): string | undefined {
  return (
    records.find((r) => r.name.startsWith('api.internal.'))?.name ??
    records.find((r) => r.type === 'A')?.name ??
    records[0]?.name
  )
}
