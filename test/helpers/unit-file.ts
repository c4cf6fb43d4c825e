/**
 * Just enough of systemd's unit and environment file syntax to run the packaged unit's exact
 * command lines in tests: `[Section]` `Key=value` lines, `KEY=value` (optionally double-quoted)
 * environment lines, and ExecStart's variable expansion: `${NAME}` is one word, `$NAME` is split
 * on whitespace into several, and a leading `-` (failure ignored) is dropped.
 */
export type Unit = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>

export function parseUnit(text: string): Unit {
  const sections = new Map<string, Map<string, string[]>>()
  let current: Map<string, string[]> | undefined
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue
    const section = /^\[(.+)\]$/.exec(line)
    if (section !== null) {
      current = new Map()
      sections.set(section[1] ?? '', current)
      continue
    }
    const eq = line.indexOf('=')
    if (current === undefined || eq < 0) throw new Error(`unit: unexpected line ${JSON.stringify(raw)}`)
    const key = line.slice(0, eq)
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1)])
  }
  return sections
}

export function unitValues(unit: Unit, section: string, key: string): readonly string[] {
  return unit.get(section)?.get(key) ?? []
}

/** The unit's `Environment=` assignments (each `KEY=value`, optionally double-quoted whole). */
export function unitEnvironment(unit: Unit, section = 'Service'): Record<string, string> {
  return parseEnvFile(
    unitValues(unit, section, 'Environment')
      .map((v) => (/^".*"$/.test(v) ? v.slice(1, -1) : v))
      .map((v) => v.replace(/^([^=]*)=(.*)$/, '$1="$2"'))
      .join('\n'),
  )
}

export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)
    if (m === null) throw new Error(`env file: unexpected line ${JSON.stringify(raw)}`)
    const value = m[2] ?? ''
    env[m[1] ?? ''] = /^".*"$/.test(value) ? value.slice(1, -1) : value
  }
  return env
}

/** An Exec*= line as argv, with the environment file's variables expanded as systemd does. */
export function execArgv(line: string, env: Readonly<Record<string, string>>): string[] {
  const argv: string[] = []
  for (const word of line
    .replace(/^[-@:+!]+/, '')
    .split(/\s+/)
    .filter((w) => w !== '')) {
    const split = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(word)
    if (split !== null) {
      argv.push(...(env[split[1] ?? ''] ?? '').split(/\s+/).filter((w) => w !== ''))
      continue
    }
    argv.push(word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? ''))
  }
  return argv
}
