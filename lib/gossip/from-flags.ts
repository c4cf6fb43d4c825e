/**
 * Flag-built gossip config (cmd/flags/gossip.ts) → what createGossipNode takes. Reads the secret
 * files, so errors surface at start as ConfigErrors naming the flag.
 */
import type { GossipNetworkConfig, GossipNetworks } from './network-config.ts'
import { pskForNetwork } from './keys.ts'
import type { GossipNetworkInit } from './node.ts'
import type { HostPort } from '../util/hostport.ts'
import type { ListenFlag } from '../util/listen-errors.ts'

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

/**
 * The flag behind each address a process listens on (the gossip networks' and `others`, absent
 * ones left out), so a failed listen names its flag (util/listen-errors.ts).
 */
export function listenFlags(
  cfg: GossipNetworks,
  others: Readonly<Record<string, HostPort | undefined>>,
): ListenFlag[] {
  const all: Record<string, HostPort | undefined> = {
    'gossip-listen': cfg.primary.listen,
    'gossip-listen-secondary': cfg.secondary?.listen,
    ...others,
  }
  return Object.entries(all).flatMap(([flag, listen]) => (listen === undefined ? [] : [{ flag, listen }]))
}
