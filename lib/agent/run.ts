/**
 * The agent process, wired in one place: its configuration (as cmd/flags/agent.ts makes it) in, a
 * running agent out, until `stopped` resolves. The command only turns flags into the config and
 * signals into `stopped`.
 *
 * Start order: keys are read first (a bad file exits 2 naming its flag), then the sinks start and
 * the persisted replica is restored, so names are served before the gossip has found anyone; then
 * the gossip node. Stop order: the sinks (a pending hosts write finishes), then the gossip node.
 */
import { Registry } from 'prom-client'
import { listenFlags, networksInit } from '../gossip/from-flags.ts'
import { loadOrCreateNodeKey } from '../gossip/identity.ts'
import { loadTrustedKeys } from '../gossip/keys.ts'
import { createGossipNode } from '../gossip/node.ts'
import type { SeedSource } from '../gossip/node.ts'
import { systemClock } from '../util/clock.ts'
import { randomRng } from '../util/random.ts'
import { ConfigError, errorMessage } from '../util/errors.ts'
import { listenConfigError } from '../util/listen-errors.ts'
import type { Logger } from '../util/log.ts'
import { createAgent } from './agent.ts'
import type { AgentConfig } from './config.ts'
import { snapshotStore } from './persist.ts'

export interface AgentRunDeps {
  readonly log: Logger
  /** Resolves with the reason (a signal's name) when the process should stop. */
  readonly stopped: Promise<string>
}

/**
 * `--gossip-seed-service`: seeds from the Service's EndpointSlices. Credentials: $KUBECONFIG when
 * set, else in-cluster. The lean node:https client keeps the agent small; the Kubernetes modules
 * load only when the flag is given.
 */
async function serviceSeeds(
  config: AgentConfig,
  log: Logger,
  registry: Registry,
): Promise<{ seedSource?: SeedSource }> {
  if (config.seedService === undefined) return {}
  const [{ openKubeApi }, { createServiceSeedSource }, { createK8sMetrics }] = await Promise.all([
    import('../k8s/https-api.ts'),
    import('../k8s/gossip-seeds.ts'),
    import('../k8s/metrics.ts'),
  ])
  let api
  try {
    api = await openKubeApi(process.env['KUBECONFIG'] || undefined)
  } catch (err) {
    throw new ConfigError('gossip-seed-service', `no Kubernetes credentials: ${errorMessage(err)}`, {
      cause: err,
    })
  }
  const listen = {
    primary: config.gossip.primary.listen.port,
    secondary: config.gossip.secondary?.listen.port,
  }
  const seedSource = createServiceSeedSource(
    { ...config.seedService, listen },
    { api, log, metrics: createK8sMetrics(registry), rng: randomRng() },
  )
  return { seedSource }
}

/** Runs the agent until `deps.stopped`; resolves with the exit status. */
export async function runAgent(config: AgentConfig, deps: AgentRunDeps): Promise<number> {
  const log = deps.log
  const trustedPublishers = loadTrustedKeys(config.trustedPublisherKeyFiles, 'trusted-publisher-key-file')
  const registry = new Registry()
  const node = createGossipNode(
    {
      ...networksInit(config.gossip),
      privateKey: await loadOrCreateNodeKey(config.stateDir),
      trustedPublishers,
    },
    { clock: systemClock, rng: randomRng(), log, registry, ...(await serviceSeeds(config, log, registry)) },
  )
  const agent = createAgent(config, {
    source: node,
    log,
    registry,
    clock: systemClock,
    peers: () => node.peerCount(),
    store: snapshotStore(config.stateDir, { source: node, log, registry }),
  })
  const listens = listenFlags(config.gossip, {
    'dns-listen': config.dnsListen,
    'metrics-listen': config.metricsListen,
  })
  try {
    await agent.start()
    await node.start()
    log.info('agent running', { peerId: node.peerId, zones: config.zones.join(',') })
    log.info('stopping', { signal: await deps.stopped })
    return 0
  } catch (err) {
    throw listenConfigError(err, listens) ?? err
  } finally {
    await agent.stop()
    await node.stop()
  }
}
