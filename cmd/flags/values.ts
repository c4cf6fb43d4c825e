/** Small helpers turning yargs values into typed flag values; errors name the flag. */
import type { Options } from 'yargs'
import { ConfigError } from '../../lib/util/errors.ts'

/**
 * `args` with each absent flag set to its table's `default`. A flag's default is written once, in
 * the table yargs reads (and docs/flags.md is generated from); parsers start with this instead of
 * repeating defaults, so they see the same values from yargs and from a test's partial object.
 */
export function withDefaults(
  table: Readonly<Record<string, Options>>,
  args: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const out: Record<string, unknown> = { ...args }
  for (const [name, option] of Object.entries(table))
    if (out[name] === undefined && option.default !== undefined) out[name] = option.default
  return out
}

/**
 * A list flag: repeats and comma-separated values both work, as pflag's string slices did
 * (`--zone=a --zone=b,c`). Empty items are dropped.
 */
export function listFlag(value: unknown): string[] {
  if (value === undefined || value === null) return []
  const items = Array.isArray(value) ? value : [value]
  return items
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** A string flag given once (the last one wins when repeated, as pflag did). */
export function stringFlag(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined
  if (Array.isArray(value)) return value.length === 0 ? undefined : stringFlag(value[value.length - 1])
  return String(value)
}

/** A string flag as text; '' when not given (for flags whose empty value means "off"). */
export function textFlag(value: unknown): string {
  return stringFlag(value) ?? ''
}

/** `-o table|json` (`table` by default), for the commands that print data. */
export function outputFlag(description: string) {
  return { alias: 'o', type: 'string', choices: ['table', 'json'], default: 'table', description } as const
}

export function boolFlag(value: unknown, flag: string): boolean {
  if (Array.isArray(value)) return boolFlag(value[value.length - 1], flag)
  if (typeof value === 'boolean') return value
  if (value === undefined) return false
  throw new ConfigError(flag, `expected true or false, got ${JSON.stringify(value)}`)
}

export function intFlag(value: unknown, flag: string, min: number, max: number): number {
  const v = Array.isArray(value) ? value[value.length - 1] : value
  const n = typeof v === 'number' ? v : Number(String(v))
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(flag, `expected an integer from ${min} to ${max}, got ${JSON.stringify(v)}`)
  return n
}
