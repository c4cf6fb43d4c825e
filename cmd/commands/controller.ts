import { existsSync } from 'node:fs'
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs'
import { createLogger } from '../../lib/util/log.ts'
import { checkControllerFiles, controllerConfigFromArgs, controllerFlags } from '../flags/controller.ts'

/**
 * The controller, default command. This build validates the whole configuration (flags and key
 * files) and then exits 1 saying the run loop is not implemented: exiting 0 would let a Deployment
 * look healthy while publishing nothing. The run loop replaces the last two lines.
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
  handler: (argv: ArgumentsCamelCase) => {
    const config = controllerConfigFromArgs(argv)
    checkControllerFiles(config, existsSync)
    const log = createLogger({ verbosity: config.verbosity, component: 'controller' })
    for (const w of config.warnings) log.warn(w)
    if (config.gossip.primary.insecure)
      log.warn(
        'gossip runs WITHOUT a pre-shared key (--gossip-insecure): anyone who reaches the port can join',
      )
    process.stderr.write(
      'dns-controller: the configuration is valid, but the controller loop is not implemented in this build\n',
    )
    ;(argv as { exitCode?: number }).exitCode = 1
  },
}
