import yargs from 'yargs'
import type { Argv } from 'yargs'
import { ConfigError, errorMessage } from '../lib/util/errors.ts'
import { commands } from './commands/index.ts'
import { checkRawValues } from './flags/raw-values.ts'
import type { TypedFlags } from './flags/raw-values.ts'
import { unknownCommandMessage } from './suggest.ts'
import { versionLine } from '../lib/util/version.ts'

/** Exit statuses: 0 ok, 1 runtime failure, 2 bad usage or bad input. */
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** Raised from yargs' fail callback so a usage error stops parsing before any handler runs. */
class UsageError extends Error {
  override readonly name = 'UsageError'
}

/** yargs lists unknown flags twice (kebab and camelCase) and without dashes; name each once, as typed. */
export function tidyUsageMessage(msg: string): string {
  const m = /^Unknown arguments?: (.*)$/.exec(msg)
  if (m === null) return msg
  const names = (m[1] ?? '').split(', ')
  const kebab = (n: string): string => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
  const shown = names.filter((n) => !(/[A-Z]/.test(n) && names.includes(kebab(n))))
  return `unknown flag${shown.length > 1 ? 's' : ''}: ${shown.map((n) => (n.length === 1 ? `-${n}` : `--${n}`)).join(', ')}`
}

/** Parses argv and runs the chosen command; resolves to the exit status. Never throws. */
export async function runCli(argv: readonly string[]): Promise<number> {
  // The controller takes no positional words, so a leading word is a (mistyped) command.
  const names = commands.flatMap((c) =>
    typeof c.command === 'string' && c.command !== '$0' ? [c.command] : [],
  )
  // Every command answers --version (before `--`), whatever else is on the line.
  const end = argv.indexOf('--')
  if ((end === -1 ? argv : argv.slice(0, end)).includes('--version')) {
    process.stdout.write(`${versionLine()}\n`)
    return EXIT_OK
  }
  const first = argv[0]
  if (first !== undefined && !first.startsWith('-') && !names.includes(first)) {
    process.stderr.write(`dns-controller: ${unknownCommandMessage(first, names)}\n`)
    return EXIT_USAGE
  }
  let parser: Argv = yargs([...argv])
    .scriptName('dns-controller')
    .parserConfiguration({ 'camel-case-expansion': true, 'strip-dashed': false })
    .strict()
    .help()
    .version(false)
    .option('version', {
      type: 'boolean',
      description: 'print the version and git commit, then exit',
      global: true,
    })
    .wrap(Math.min(120, process.stdout.columns ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs reports unknown flags and bad values here; a thrown error from a handler too.
      if (err !== undefined && err !== null) throw err
      // Throwing (not just remembering the message) keeps yargs from running the handler anyway.
      throw new UsageError(tidyUsageMessage(msg))
    })
  for (const command of commands) parser = parser.command(command)
  // Runs after the chosen command's builder, so getOptions() knows that command's flag types.
  // (yargs passes its instance as a second argument; its types omit it.)
  const typedValues = (args: Record<string, unknown>, y: { getOptions(): TypedFlags }): void => {
    const typed = y.getOptions()
    for (const [name, value] of checkRawValues(argv, typed)) {
      args[name] = value
      for (const other of typed.alias[name] ?? []) args[other] = value
      args[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] = value
    }
  }
  parser = parser.middleware(typedValues as unknown as (args: Record<string, unknown>) => void, true)
  try {
    const result = (await parser.parseAsync()) as { exitCode?: unknown }
    return typeof result.exitCode === 'number' ? result.exitCode : EXIT_OK
  } catch (err) {
    if (err instanceof UsageError || err instanceof ConfigError) {
      process.stderr.write(`dns-controller: ${err.message}\n`)
      return EXIT_USAGE
    }
    process.stderr.write(`dns-controller: ${errorMessage(err)}\n`)
    return EXIT_FAILURE
  }
}
