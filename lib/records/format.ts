/**
 * Printing resolved records (render, and any command that shows a replica): a table, or the JSON
 * shape of `render -o json` and /state (docs/kops-compat.md, "CLI contract"): `[{"name","type","values","ttl"}]`.
 */
import type { ResolvedRecord } from './types.ts'

export interface RecordJson {
  readonly name: string
  readonly type: string
  readonly values: readonly string[]
  readonly ttl: number
}

export function recordsToJson(records: readonly ResolvedRecord[]): RecordJson[] {
  return records.map((r) => ({ name: r.name, type: r.type, values: r.values, ttl: r.ttlSeconds }))
}

/** Aligned columns NAME TYPE TTL VALUES; values comma-joined. Ends with a newline. */
export function recordsTable(records: readonly ResolvedRecord[]): string {
  const rows = [
    ['NAME', 'TYPE', 'TTL', 'VALUES'],
    ...records.map((r) => [r.name, r.type, String(r.ttlSeconds), r.values.join(',')]),
  ]
  const widths = [0, 0, 0]
  for (const row of rows)
    for (let i = 0; i < 3; i++) widths[i] = Math.max(widths[i] ?? 0, (row[i] ?? '').length)
  return (
    rows
      .map((row) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i] ?? 0) : cell)).join('  '))
      .join('\n') + '\n'
  )
}
