/** Record sets and seeds for the simulator's scenarios. */
import type { ResolvedRecord } from '../../lib/records/types.ts'

/** Example record set a controller might publish: `n` A records. */
export function exampleRecords(n: number, salt = 0): ResolvedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `node-${i}.internal.example.k8s.local`,
    type: 'A' as const,
    values: [`10.${(i >> 8) & 255}.${i & 255}.${salt % 250}`],
    ttlSeconds: 60,
  }))
}

/** The seed for this run: SIM_SEED from the environment, or `fallback`. Printed by the caller. */
export function simSeed(fallback: number): number {
  const s = process.env['SIM_SEED']
  return s === undefined || s === '' ? fallback : Number(s) >>> 0
}
