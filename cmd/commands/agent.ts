import { probeReadableFile, probeWritableFile } from '../../lib/util/file-probe.ts'
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs'
import { startupLogger } from './startup-log.ts'
import type { Registry } from 'prom-client'
import { networksInit } from '../../lib/gossip/from-flags.ts'
import { loadOrCreateNodeKey } from '../../lib/gossip/identity.ts'
import { loadTrustedKeys } from '../../lib/gossip/keys.ts'
import type { SeedSource } from '../../lib/gossip/node.ts'
import { systemClock } from '../../lib/util/clock.ts'
import { randomRng } from '../../lib/util/random.ts'
import { ConfigError, errorMessage } from '../../lib/util/errors.ts'
import type { Logger } from '../../lib/util/log.ts'
import { listenConfigError } from '../../lib/util/listen-errors.ts'
import type { ListenFlag } from '../../lib/util/listen-errors.ts'
import { agentConfigFromArgs, agentFlags, checkAgentFiles } from '../flags/agent.ts'
import type { AgentConfig } from '../flags/agent.ts'

/**
 * `--gossip-seed-service`: seeds from the Service's EndpointSlices. Credentials: $KUBECONFIG when
 * set, else in-cluster. The lean node:https client keeps the agent small; @kubernetes/client-node
 * is loaded only for kubeconfigs that need it (exec plugins, auth providers).
 */
async function seedSourceFor(
  config: AgentConfig,
  log: Logger,
  registry: Registry,
): Promise<SeedSource | undefined> {
  if (config.seedService === undefined) return undefined
  const [{ openKubeApi }, { createServiceSeedSource }, { createK8sMetrics }] = await Promise.all([
    import('../../lib/k8s/https-api.ts'),
    import('../../lib/k8s/gossip-seeds.ts'),
    import('../../lib/k8s/metrics.ts'),
  ])
  let api
  try {
    api = await openKubeApi(process.env['KUBECONFIG'] || undefined)
  } catch (err) {
    throw new ConfigError('gossip-seed-service', `no Kubernetes credentials: ${errorMessage(err)}`, {
      cause: err,
    })
  }
  return createServiceSeedSource(
    {
      ...config.seedService,
      listen: { primary: config.gossip.primary.listen.port, secondary: config.gossip.secondary?.listen.port },
    },
    { api, log, metrics: createK8sMetrics(registry), rng: randomRng() },
  )
}

/** `dns-controller agent`: joins the gossip and serves the verified replica. */
export const agentCommand: CommandModule = {
  command: 'agent',
  describe: 'run the node agent: gossip replica -> /etc/hosts block and/or local DNS',
  builder: (y: Argv) =>
    y
      .options(agentFlags)
      .example(
        '$0 agent --gossip-seed=10.0.0.2:3999 --hosts-file=/etc/hosts --zone=mycluster.k8s.local',
        "kOps' /etc/hosts block",
      )
      .example(
        '$0 agent --gossip-seed=10.0.0.2:3999 --dns-listen=169.254.20.10:53 --upstream=10.96.0.10:53 --metrics-listen=0.0.0.0:3991',
        'local DNS server',
      ),
  handler: async (argv: ArgumentsCamelCase) => {
    const config = agentConfigFromArgs(argv)
    checkAgentFiles(config, probeReadableFile, probeWritableFile)
    const log = startupLogger('agent', config)
    const trusted = loadTrustedKeys(config.trustedPublisherKeyFiles, 'trusted-publisher-key-file')
    // Heavy modules load here, not at CLI start-up (render, state and --help stay light).
    const [{ Registry }, { createGossipNode }, { createAgent }] = await Promise.all([
      import('prom-client'),
      import('../../lib/gossip/node.ts'),
      import('../../lib/agent.ts'),
    ])
    const registry = new Registry()
    const seedSource = await seedSourceFor(config, log, registry)
    const node = createGossipNode(
      {
        ...networksInit(config.gossip),
        privateKey: await loadOrCreateNodeKey(config.stateDir),
        trustedPublishers: trusted,
      },
      {
        clock: systemClock,
        rng: randomRng(),
        log,
        registry,
        ...(seedSource === undefined ? {} : { seedSource }),
      },
    )
    const agent = createAgent(
      {
        zones: config.zones,
        stateDir: config.stateDir,
        upstreams: config.upstreams,
        publisherTimeoutMs: config.publisherTimeoutSeconds * 1000,
        ...(config.hostsFile === undefined ? {} : { hostsFile: config.hostsFile }),
        ...(config.dnsListen === undefined ? {} : { dnsListen: config.dnsListen }),
        ...(config.metricsListen === undefined ? {} : { metricsListen: config.metricsListen }),
      },
      { source: node, log, registry, clock: systemClock, peers: () => node.peerCount() },
    )
    const listens: ListenFlag[] = [
      { flag: 'gossip-listen', listen: config.gossip.primary.listen },
      ...(config.gossip.secondary === undefined
        ? []
        : [{ flag: 'gossip-listen-secondary', listen: config.gossip.secondary.listen }]),
      ...(config.dnsListen === undefined ? [] : [{ flag: 'dns-listen', listen: config.dnsListen }]),
      ...(config.metricsListen === undefined
        ? []
        : [{ flag: 'metrics-listen', listen: config.metricsListen }]),
    ]
    // The sinks first: a persisted replica is served before the gossip has found anyone.
    try {
      await agent.start()
    } catch (err) {
      await agent.stop()
      throw listenConfigError(err, listens) ?? err
    }
    try {
      await node.start()
    } catch (err) {
      await agent.stop()
      await node.stop()
      throw listenConfigError(err, listens) ?? err
    }
    log.info('agent running', { peerId: node.peerId, zones: config.zones.join(',') })
    const signal = await new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'))
      process.once('SIGINT', () => resolve('SIGINT'))
    })
    log.info('stopping', { signal })
    await agent.stop()
    await node.stop()
    ;(argv as { exitCode?: number }).exitCode = 0
  },
}
