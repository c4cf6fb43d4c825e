/**
 * The controller, default command: flags → config (cmd/flags/controller.ts) → runController
 * (lib/controller/run.ts).
 */
import { checkControllerFiles, controllerConfigFromArgs, controllerFlags } from '../flags/controller.ts'
import { daemonCommand } from './daemon.ts'

export const controllerCommand = daemonCommand({
  command: '$0',
  describe: 'run the controller (default command)',
  component: 'controller',
  options: controllerFlags,
  examples: [
    [
      '$0 --dns=gossip --zone=*/* --internal-ipv4 --gossip-seed=10.0.0.2:3999',
      'in a cluster (kOps-style flags)',
    ],
    ['$0 --from objects.yaml --gossip-insecure --internal-ipv4', 'from a manifest, no cluster'],
  ],
  config: controllerConfigFromArgs,
  checkFiles: (config, probe) => checkControllerFiles(config, probe.readable),
  run: async (config, log, stopped) => {
    // libp2p and the Kubernetes client load here, not at CLI start-up.
    const { gossipPublisher, runController } = await import('../../lib/controller/run.ts')
    return runController(config, { log, stopped, publisher: await gossipPublisher(config) })
  },
})
