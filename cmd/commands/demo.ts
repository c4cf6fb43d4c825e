/**
 * `dns-controller demo` (`npm start`): a controller on an example manifest and a few agents on
 * loopback, each with its own gossip port, DNS port and hosts file in a temp dir (lib/demo/run.ts).
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { CommandModule } from 'yargs'
import { DEMO_DEFAULT_AGENTS, DEMO_MAX_AGENTS, portCount } from '../../lib/demo/plan.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import { intFlag, stringFlag } from '../flags/values.ts'
import { keygen } from './keygen.ts'

/** The example next to this program, whatever the working directory. */
export const DEFAULT_EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'cluster.yaml')

export const demoFlags = {
  from: {
    type: 'string',
    default: DEFAULT_EXAMPLE,
    defaultDescription: 'examples/cluster.yaml',
    description: 'manifest the controller reads (and follows: edit it while the demo runs)',
  },
  agents: {
    type: 'number',
    default: DEMO_DEFAULT_AGENTS,
    description: `how many agents to start (1-${DEMO_MAX_AGENTS})`,
  },
  'base-port': {
    type: 'number',
    description: 'use consecutive ports from here (2 + 3 per agent) instead of free ones the system picks',
    defaultDescription: 'free ports',
  },
  'cluster-name': {
    type: 'string',
    defaultDescription: 'none',
    description:
      "the controller's --cluster-name: api.internal.<name> from the default/kubernetes EndpointSlice",
  },
} as const

/** Resolves with the signal's name at the first SIGINT or SIGTERM. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
}

export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'run the embedded demonstration: a controller and agents on loopback, then say what to dig',
  builder: (y) => y.options(demoFlags).example('$0 demo --agents 5', 'five agents'),
  handler: async (argv) => {
    const from = stringFlag(argv['from']) ?? DEFAULT_EXAMPLE
    if (!existsSync(from)) throw new ConfigError('from', `${from}: no such file`)
    const agents = intFlag(argv['agents'] ?? DEMO_DEFAULT_AGENTS, 'agents', 1, DEMO_MAX_AGENTS)
    const baseArg = argv['base-port']
    const basePort =
      baseArg === undefined ? undefined : intFlag(baseArg, 'base-port', 1024, 65535 - portCount(agents) + 1)
    const clusterName = stringFlag(argv['cluster-name'])?.trim()
    const cli = process.argv[1]
    if (cli === undefined) throw new Error('bug: no entry script in process.argv')
    // Loaded here, not at the top: it brings child_process, which no other command needs.
    const { PortsBusyError, runDemo } = await import('../../lib/demo/run.ts')
    try {
      ;(argv as { exitCode?: number }).exitCode = await runDemo({
        from,
        agents,
        ...(basePort === undefined ? {} : { basePort }),
        ...(clusterName === undefined || clusterName === '' ? {} : { clusterName }),
        node: process.execPath,
        cli,
        keygen: async (dir) => {
          await keygen({ out: dir, force: false })
        },
        stopped: stopSignal(),
        out: (text) => process.stdout.write(text),
      })
    } catch (err) {
      if (err instanceof PortsBusyError) throw new ConfigError('base-port', err.message, { cause: err })
      throw err
    }
  },
}
