import { existsSync } from 'node:fs'
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs'
import { Registry } from 'prom-client'
import { createAgent } from '../../lib/agent.ts'
import { loadOrCreateNodeKey } from '../../lib/gossip/identity.ts'
import { derivePsk, loadTrustedKeys, readPskFile } from '../../lib/gossip/keys.ts'
import type { GossipNetworkConfig } from '../../lib/gossip/network-config.ts'
import { createGossipNode } from '../../lib/gossip/node.ts'
import type { GossipNetworkInit } from '../../lib/gossip/node.ts'
import { randomRng, systemClock } from '../../lib/util/clock.ts'
import { createLogger } from '../../lib/util/log.ts'
import { agentConfigFromArgs, agentFlags, checkAgentFiles } from '../flags/agent.ts'

function network(n: GossipNetworkConfig, secondary: boolean): GossipNetworkInit {
  const suffix = secondary ? '-secondary' : ''
  const psk =
    n.secret !== undefined
      ? derivePsk(n.secret, `gossip-secret${suffix}`)
      : n.secretFile !== undefined
        ? readPskFile(n.secretFile, `gossip-secret-file${suffix}`)
        : undefined
  return { listen: n.listen, seeds: n.seeds, psk }
}

/** `dns-controller agent`: joins the gossip and serves the verified replica (cli.md). */
export const agentCommand: CommandModule = {
  command: 'agent',
  describe: 'run the node agent: gossip replica → /etc/hosts block and/or local DNS',
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
    checkAgentFiles(config, existsSync)
    const log = createLogger({ verbosity: config.verbosity, component: 'agent' })
    for (const w of config.warnings) log.warn(w)
    if (config.gossip.primary.insecure)
      log.warn(
        'gossip runs WITHOUT a pre-shared key (--gossip-insecure): anyone who reaches the port can join',
      )
    if (config.seedService !== undefined)
      log.warn('--gossip-seed-service is not wired in this build; only --gossip-seed seeds are used', {
        service: `${config.seedService.namespace}/${config.seedService.name}`,
      })
    const trusted = loadTrustedKeys(config.trustedPublisherKeyFiles, 'trusted-publisher-key-file')
    const primary = network(config.gossip.primary, false)
    const secondary =
      config.gossip.secondary === undefined ? undefined : network(config.gossip.secondary, true)
    const registry = new Registry()
    const node = createGossipNode(
      {
        primary,
        ...(secondary === undefined ? {} : { secondary }),
        privateKey: await loadOrCreateNodeKey(config.stateDir),
        trustedPublishers: trusted,
      },
      { clock: systemClock, rng: randomRng(), log, registry },
    )
    const agent = createAgent(
      {
        zones: config.zones,
        stateDir: config.stateDir,
        upstreams: config.upstreams,
        ...(config.hostsFile === undefined ? {} : { hostsFile: config.hostsFile }),
        ...(config.dnsListen === undefined ? {} : { dnsListen: config.dnsListen }),
        ...(config.metricsListen === undefined ? {} : { metricsListen: config.metricsListen }),
      },
      { source: node, log, registry, clock: systemClock, peers: () => node.peerCount() },
    )
    // The sinks first: a persisted replica is served before the gossip has found anyone.
    await agent.start()
    try {
      await node.start()
    } catch (err) {
      await agent.stop()
      throw err
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
