import { probeReadableFile } from '../../lib/util/file-probe.ts'
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs'
import { startupLogger } from './startup-log.ts'
import { networksInit } from '../../lib/gossip/from-flags.ts'
import { loadSigner } from '../../lib/gossip/keys.ts'
import { randomRng, systemClock } from '../../lib/util/clock.ts'
import { checkControllerFiles, controllerConfigFromArgs, controllerFlags } from '../flags/controller.ts'

/**
 * The controller, default command: flags → config (cmd/flags/controller.ts) → runController.
 * libp2p and the controller loop are imported in the handler, so `render`, `state` and `--help`
 * start without loading them.
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
    // Key material is read before anything starts, so a bad file exits 2 naming its flag.
    const signer = loadSigner(config.publisherKeyFile, 'publisher-key-file')
    const networks = networksInit(config.gossip)
    // The controller keeps no state dir: a fresh libp2p identity per start is enough, since the
    // snapshots it publishes are identified by the publisher key, not by the peer id.
    const [{ generateKeyPair }, { createGossipNode }, { runController }] = await Promise.all([
      import('@libp2p/crypto/keys'),
      import('../../lib/gossip/node.ts'),
      import('./controller-run.ts'),
    ])
    const privateKey = await generateKeyPair('Ed25519')
    const stopped = new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve())
      process.once('SIGTERM', () => resolve())
    })
    const source = config.source
    ;(argv as { exitCode?: number }).exitCode = await runController(
      {
        pipeline: config.records,
        ...(config.watchNamespace === undefined ? {} : { watchNamespace: config.watchNamespace }),
        ...(source.kind === 'file' ? { from: source.path } : {}),
        ...(source.kind === 'cluster' && source.kubeconfig !== undefined
          ? { kubeconfig: source.kubeconfig }
          : {}),
        leaderElect: config.leaderElection.enabled,
        leaderElectNamespace: config.leaderElection.namespace,
        leaderElectName: config.leaderElection.name,
        ...(config.metricsListen === undefined ? {} : { metricsListen: config.metricsListen }),
        gossipListens: [
          { flag: 'gossip-listen', listen: config.gossip.primary.listen },
          ...(config.gossip.secondary === undefined
            ? []
            : [{ flag: 'gossip-listen-secondary', listen: config.gossip.secondary.listen }]),
        ],
      },
      {
        log,
        stopped,
        publisher: (registry, glog) =>
          createGossipNode(
            { ...networks, privateKey, trustedPublishers: [signer.publicKey], signer },
            { clock: systemClock, rng: randomRng(), log: glog, registry },
          ),
      },
    )
  },
}
