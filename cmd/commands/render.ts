import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs'
import { recordConfigFromArgs, recordFlags } from '../flags/records.ts'
import { stringFlag } from '../flags/values.ts'

const EXIT_UNREADABLE = 2

/** `dns-controller render -f FILE|-`: the records given objects produce. */
export const renderCommand: CommandModule = {
  command: 'render',
  describe: 'print the records that given objects produce',
  builder: (y: Argv) =>
    y
      .options({
        filename: {
          alias: 'f',
          type: 'string',
          demandOption: true,
          description:
            'objects as `kubectl get -o yaml|json` prints them, a List, or multi-document YAML; - for stdin',
        },
        output: {
          alias: 'o',
          type: 'string',
          choices: ['table', 'json'],
          default: 'table',
          description: 'table, or a JSON array of {"name","type","values","ttl"}',
        },
        ...recordFlags,
      })
      .example('$0 render -f objects.yaml --zone=example.com', '')
      .example('kubectl get svc,pods,nodes -A -o yaml | $0 render -f - -o json', ''),
  handler: async (argv: ArgumentsCamelCase) => {
    // Loaded here: every command registers `render`, and only this one needs the record pipeline
    // and the manifest reader (node:fs/promises).
    const [
      { recordsTable, recordsToJson },
      { formatProblem },
      { ManifestError, parseManifest },
      { readSource },
      { renderObjects },
    ] = await Promise.all([
      import('../../lib/records/format.ts'),
      import('../../lib/records/problems.ts'),
      import('../../lib/sources/manifest.ts'),
      import('../../lib/sources/read.ts'),
      import('../../lib/render.ts'),
    ])
    const config = recordConfigFromArgs(argv)
    const file = stringFlag(argv['filename']) ?? '-'
    const out = argv as { exitCode?: number }
    let objects: unknown[]
    try {
      objects = parseManifest(await readSource(file), file === '-' ? 'stdin' : file)
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err
      process.stderr.write(`dns-controller render: ${err.message}\n`)
      out.exitCode = EXIT_UNREADABLE
      return
    }
    const rendered = renderObjects(
      objects,
      config.pipeline,
      config.watchNamespace === undefined ? {} : { watchNamespace: config.watchNamespace },
    )
    for (const p of rendered.problems) process.stderr.write(`problem: ${formatProblem(p)}\n`)
    process.stdout.write(
      stringFlag(argv['output']) === 'json'
        ? `${JSON.stringify(recordsToJson(rendered.records), null, 2)}\n`
        : recordsTable(rendered.records),
    )
    out.exitCode = 0
  },
}
