import { recordConfigFromArgs, recordFlags } from '../flags/records.ts'
import { outputFlag, stringFlag } from '../flags/values.ts'
import { defineCommand } from './define.ts'

const EXIT_UNREADABLE = 2

/** `dns-controller render -f FILE|-`: the records given objects produce. */
export const renderCommand = defineCommand({
  command: 'render',
  describe: 'print the records that given objects produce',
  options: {
    filename: {
      alias: 'f',
      type: 'string',
      demandOption: true,
      description:
        'objects as `kubectl get -o yaml|json` prints them, a List, or multi-document YAML; - for stdin',
    },
    output: outputFlag('table, or a JSON array of {"name","type","values","ttl"}'),
    ...recordFlags,
  },
  examples: [
    ['$0 render -f objects.yaml --zone=example.com', ''],
    ['kubectl get svc,pods,nodes -A -o yaml | $0 render -f - -o json', ''],
  ],
  run: async (argv) => {
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
    let objects: unknown[]
    try {
      objects = parseManifest(await readSource(file), file === '-' ? 'stdin' : file)
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err
      process.stderr.write(`dns-controller render: ${err.message}\n`)
      return EXIT_UNREADABLE
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
    return 0
  },
})
