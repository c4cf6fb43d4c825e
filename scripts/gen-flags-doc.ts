/**
 * Writes docs/flags.md from the CLI's own `--help` (one section per command), so the reference
 * cannot drift from the code. `--check` exits 1 instead of writing when the file is stale; a unit
 * test runs the same comparison. Run: node scripts/gen-flags-doc.ts
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { commands } from '../cmd/commands/index.ts'

const ROOT = join(import.meta.dirname, '..')
export const FLAGS_DOC = join(ROOT, 'docs/flags.md')

function help(args: readonly string[]): string {
  // A pipe has no columns, so yargs wraps at its fixed default: the output is the same everywhere.
  const r = spawnSync(process.execPath, [join(ROOT, 'cmd/dns-controller.ts'), ...args, '--help'], {
    encoding: 'utf8',
    env: { ...process.env, COLUMNS: '' },
  })
  if (r.status !== 0) throw new Error(`dns-controller ${args.join(' ')} --help failed: ${r.stderr}`)
  return r.stdout.trimEnd()
}

export function renderFlagsDoc(): string {
  let out = '# Flags reference\n\n'
  out +=
    'Generated from the CLI by `node scripts/gen-flags-doc.ts`; do not edit by hand (a unit test fails when\n'
  out +=
    'it is stale). Every flag also works as `--name=value`; list flags take repeats and comma-separated values;\n'
  out += 'a bad value exits with status 2 and a message naming the flag.\n'
  for (const c of commands) {
    const name = String(c.command).split(' ')[0] ?? ''
    const args = name === '$0' ? [] : [name]
    out += `\n## \`dns-controller${args.length === 0 ? '' : ` ${name}`}\`${args.length === 0 ? ' (the controller, default command)' : ''}\n\n`
    out += '```text\n' + help(args) + '\n```\n'
  }
  return out
}

if (import.meta.main) {
  const doc = renderFlagsDoc()
  let current = ''
  try {
    current = readFileSync(FLAGS_DOC, 'utf8')
  } catch {
    // first run
  }
  if (process.argv.includes('--check')) {
    if (current !== doc) {
      process.stderr.write('docs/flags.md is stale: run node scripts/gen-flags-doc.ts\n')
      process.exitCode = 1
    }
  } else if (current !== doc) {
    writeFileSync(FLAGS_DOC, doc)
    process.stdout.write('wrote docs/flags.md\n')
  }
}
