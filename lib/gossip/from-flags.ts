/**
 * Flag-built gossip config (cmd/flags/gossip.ts) → what createGossipNode takes. Reads the secret
 * files, so errors surface at start as ConfigErrors naming the flag.
 */
import type { GossipNetworkConfig, GossipNetworks } from './network-config.ts'
import { pskForNetwork } from './keys.ts'
import type { GossipNetworkInit } from './node.ts'

export function networkInit(cfg: GossipNetworkConfig, network: 'primary' | 'secondary'): GossipNetworkInit {
  return { listen: cfg.listen, seeds: cfg.seeds, psk: pskForNetwork(cfg, network) }
}

export function networksInit(cfg: GossipNetworks): {
  primary: GossipNetworkInit
  secondary?: GossipNetworkInit
} {
  return {
    primary: networkInit(cfg.primary, 'primary'),
    ...(cfg.secondary === undefined ? {} : { secondary: networkInit(cfg.secondary, 'secondary') }),
  }
}
