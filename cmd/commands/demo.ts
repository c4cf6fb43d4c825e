/**
 * `dns-controller demo` (`npm start`): a controller on an example manifest and a few agents on
 * loopback, each with its own gossip port, DNS port and hosts file in a temp dir (lib/demo/run.ts).
 */
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defineCommand } from './define.ts'
import { DEMO_DEFAULT_AGENTS, DEMO_MAX_AGENTS, portCount } from '../../lib/demo/plan.ts'

/** docs/demo.md and examples/cluster.yaml are written for this name. */
const DEMO_CLUSTER_NAME = 'demo.k8s.local'
import { ConfigError } from '../../lib/util/errors.ts'
import { intFlag, textFlag, withDefaults } from '../flags/values.ts'
import { keygen } from './keygen.ts'

/** The example's asset key inside the single executable (scripts/build-sea.ts). */
export const SEA_EXAMPLE = 'examples/cluster.yaml'

/** The example next to this program, whatever the working directory. */
export const DEFAULT_EXAMPLE = join(import.meta.dirname, '..', '..', 'examples', 'cluster.yaml')

export const demoFlags = {
  from: {
    type: 'string',
    default: DEFAULT_EXAMPLE,
    defaultDescription:
      'examples/cluster.yaml (the single executable: its embedded copy, written to the temp dir)',
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
    default: DEMO_CLUSTER_NAME,
    description:
      "the controller's --cluster-name: api.internal.<name> from the default/kubernetes EndpointSlice (empty: off)",
  },
} as const

/**
 * Resolves with the reason to stop: the first SIGINT or SIGTERM, or a closed stdout (`| head`
 * exited). After EPIPE nothing more is written, and the demo still stops its children and
 * removes its temp dir (it holds private keys) instead of dying on the unhandled error.
 */
function stopReason(): { stopped: Promise<string>; out: (text: string) => void } {
  let broken = false
  const stopped = new Promise<string>((resolve) => {
    // `on`, not `once`: a second Ctrl-C must not kill the demo while it removes its temp dir.
    process.on('SIGTERM', () => resolve('SIGTERM'))
    process.on('SIGINT', () => resolve('SIGINT'))
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      broken = true
      resolve(err.code === 'EPIPE' ? 'output closed' : `output error ${err.code ?? err.message}`)
    })
  })
  return {
    stopped,
    out: (text) => {
      if (!broken) process.stdout.write(text)
    },
  }
}

/** How a user runs this CLI: `npx dns-controller` from a checkout, else node and the entry file. */
function runHint(cli: string): string {
  const root = resolve(import.meta.dirname, '../..')
  const inCheckout =
    cli === join(root, 'cmd/dns-controller.ts') || cli === join(root, 'bin/dns-controller.js')
  return inCheckout && resolve(process.cwd()) === root ? 'npx dns-controller' : `${process.execPath} ${cli}`
}

export const demoCommand = defineCommand({
  command: 'demo',
  describe: 'run the embedded demonstration: a controller and agents on loopback, then say what to dig',
  options: demoFlags,
  examples: [['$0 demo --agents 5', 'five agents']],
  epilog:
    'In a checkout: npm start runs this demo; npx dns-controller --help lists every command (agent, render, keygen, state), docs/demo.md explains the demo.',
  run: async (given) => {
    const argv = withDefaults(demoFlags, given)
    // The single executable has no entry file and no examples/ beside it: its children re-run it,
    // and the example comes from inside it (scripts/build-sea.ts embeds it as an asset).
    const sea = process.getBuiltinModule('node:sea')
    const single = sea.isSea()
    const fromFlag = textFlag(argv['from'])
    const from =
      single && fromFlag === DEFAULT_EXAMPLE ? { embedded: sea.getAsset(SEA_EXAMPLE, 'utf8') } : fromFlag
    if (typeof from === 'string' && !existsSync(from)) throw new ConfigError('from', `${from}: no such file`)
    const agents = intFlag(argv['agents'], 'agents', 1, DEMO_MAX_AGENTS)
    const baseArg = argv['base-port']
    const basePort =
      baseArg === undefined ? undefined : intFlag(baseArg, 'base-port', 1024, 65535 - portCount(agents) + 1)
    const clusterName = textFlag(argv['cluster-name']).trim()
    const cli = single ? undefined : process.argv[1]
    if (!single && cli === undefined) throw new Error('bug: no entry script in process.argv')
    // Loaded here, not at the top: it brings child_process, which no other command needs.
    const { PortsBusyError, runDemo } = await import('../../lib/demo/run.ts')
    try {
      return await runDemo({
        from,
        agents,
        ...(basePort === undefined ? {} : { basePort }),
        ...(clusterName === '' ? {} : { clusterName }),
        node: process.execPath,
        cli,
        hint: cli === undefined ? process.execPath : runHint(cli),
        keygen: async (dir) => {
          await keygen({ out: dir, force: false })
        },
        ...stopReason(),
      })
    } catch (err) {
      if (err instanceof PortsBusyError) throw new ConfigError('base-port', err.message, { cause: err })
      throw err
    }
  },
})
