/** Parses flags in-process with the CLI's parser settings, so flag tests spawn nothing. */
import yargs from 'yargs'
import type { Options } from 'yargs'

export async function parseFlags(
  options: Record<string, Options>,
  argv: readonly string[],
): Promise<Record<string, unknown>> {
  return (await yargs([...argv])
    .parserConfiguration({ 'camel-case-expansion': true, 'strip-dashed': false })
    .options(options)
    .strict()
    .version(false)
    .help(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg)
    })
    .parseAsync()) as Record<string, unknown>
}
