/**
 * One gossip network as the flags describe it (docs/flags.md); built in
 * cmd/flags/gossip.ts, consumed by the libp2p adapter. The 32-byte network key is derived from
 * `secret` or the file's trimmed text with HKDF (docs/PROTOCOL.md, "Stack"), not here.
 */
import type { HostPort } from '../util/hostport.ts'

/** The only protocol this build speaks; kOps' `mesh` and `memberlist` went with kOps 1.37. */
export type GossipProtocol = 'libp2p'

export interface GossipNetworkConfig {
  readonly protocol: GossipProtocol
  /** Where to listen. */
  readonly listen: HostPort
  /** Static seeds to dial; may be empty (others dial us). */
  readonly seeds: readonly HostPort[]
  /** File holding the pre-shared secret (keygen's gossip.psk); set unless `secret` or `insecure`. */
  readonly secretFile?: string
  /** The secret given on the command line (`--gossip-secret`), at least 16 characters. */
  readonly secret?: string
  /** `--gossip-insecure`: no pre-shared key at all (logged loudly by whoever starts the network). */
  readonly insecure: boolean
}

export interface GossipNetworks {
  readonly primary: GossipNetworkConfig
  /** Only when `--gossip-protocol-secondary=libp2p`. */
  readonly secondary?: GossipNetworkConfig
}
