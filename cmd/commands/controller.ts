import { probeReadableFile } from '../../lib/util/file-probe.ts'
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs'
import { startupLogger } from './startup-log.ts'
import { checkControllerFiles, controllerConfigFromArgs, controllerFlags } from '../flags/controller.ts'

/**
 * The controller, default command: flags → config (cmd/flags/controller.ts) → runController
 * (lib/controller/run.ts).
 * The controller's wiring (lib/controller/run.ts, with libp2p) is imported in the handler, so
 * `render`, `state` and `--help` start without loading it.
 */
export const controllerCommand: CommandModule = {
  command: '$0',
  describe: 'run the controller (default command)',
  builder: (y: Argv) =>
    y
      .options(controllerFlags)
      .example(
        '$0 --dns=gossip --zone=*/* --internal-ipv4 --gossip-seed=10.0.0.2:3999',
        'in a cluster (kOps-style flags)',
      )
      .example('$0 --from objects.yaml --gossip-insecure --internal-ipv4', 'from a manifest, no cluster'),
  handler: async (argv: ArgumentsCamelCase) => {
    const config = controllerConfigFromArgs(argv)
    checkControllerFiles(config, probeReadableFile)
    const log = startupLogger('controller', config)
    const { gossipPublisher, runController } = await import('../../lib/controller/run.ts')
    const publisher = await gossipPublisher(config)
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    ;(argv as { exitCode?: number }).exitCode = await runController(config, { log, stopped, publisher })
  },
}
