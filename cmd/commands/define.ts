/**
 * A command from a table: its flags, examples and a handler that returns the exit status. Every
 * command is built here, so the yargs plumbing (the builder, where the status goes) is written once.
 */
import type { ArgumentsCamelCase, Argv, CommandModule, Options } from 'yargs'

export interface CommandSpec {
  readonly command: string
  readonly describe: string
  readonly options: Readonly<Record<string, Options>>
  /** `[command line, what it shows]`; `$0` is the program. */
  readonly examples?: readonly (readonly [string, string])[]
  readonly epilog?: string
  /** Resolves with the exit status; a ConfigError thrown here exits 2 naming its flag (cli.ts). */
  run(argv: ArgumentsCamelCase): Promise<number>
}

export function defineCommand(spec: CommandSpec): CommandModule {
  return {
    command: spec.command,
    describe: spec.describe,
    builder: (y: Argv) => {
      let b = y.options(spec.options)
      for (const [line, what] of spec.examples ?? []) b = b.example(line, what)
      return spec.epilog === undefined ? b : b.epilog(spec.epilog)
    },
    handler: async (argv: ArgumentsCamelCase) => {
      ;(argv as { exitCode?: number }).exitCode = await spec.run(argv)
    },
  }
}
