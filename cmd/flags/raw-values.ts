/**
 * Checks typed flag values against the words the user typed. yargs turns `--internal-ipv4=maybe`
 * into false and `-v=abc` into NaN without a word; kOps' flag parser (pflag) refused both and
 * took `1`, `t`, `T`, `TRUE`, `True` (and the false forms) for booleans, so we do the same.
 */
import { ConfigError } from '../../lib/util/errors.ts'

export interface TypedFlags {
  readonly boolean: readonly string[]
  readonly number: readonly string[]
  /** Flag name → its other names (`zone` → `z`). */
  readonly alias: Readonly<Record<string, readonly string[]>>
}

const TRUE = new Set(['1', 't', 'T', 'true', 'TRUE', 'True'])
const FALSE = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False'])

/** pflag's boolean words; undefined for anything else. */
export function parseBoolWord(text: string): boolean | undefined {
  if (TRUE.has(text)) return true
  if (FALSE.has(text)) return false
  return undefined
}

/**
 * The boolean values given as `--name=WORD`, by canonical flag name (the last one wins), after
 * checking every `--name=WORD` / `--name WORD` of a number flag. Throws ConfigError naming the flag.
 */
export function checkRawValues(raw: readonly string[], flags: TypedFlags): Map<string, boolean> {
  const canonical = new Map<string, string>()
  for (const name of [...flags.boolean, ...flags.number]) canonical.set(name, name)
  for (const [name, others] of Object.entries(flags.alias))
    for (const other of others) canonical.set(other, canonical.get(name) ?? name)
  const bools = new Map<string, boolean>()
  for (let i = 0; i < raw.length; i++) {
    const token = raw[i] ?? ''
    if (token === '--') break
    const m = /^--?([^=]+)(?:=(.*))?$/s.exec(token)
    if (m === null) continue
    const name = canonical.get(m[1] ?? '')
    if (name === undefined) continue
    const inline = m[2]
    if (flags.number.includes(name)) {
      const value = inline ?? raw[i + 1]
      if (value === undefined) throw new ConfigError(name, 'needs a number')
      if (value.trim() === '' || !Number.isFinite(Number(value)))
        throw new ConfigError(name, `expected a number, got ${JSON.stringify(value)}`)
    } else if (inline !== undefined) {
      const b = parseBoolWord(inline)
      if (b === undefined)
        throw new ConfigError(name, `expected true or false, got ${JSON.stringify(inline)}`)
      bools.set(name, b)
    }
  }
  return bools
}
