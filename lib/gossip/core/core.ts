import type { CoreInit, GossipCore } from './types.ts'

/** One node's gossip state machine. (Work in progress: the interface in types.ts is stable.) */
export function createGossipCore(_init: CoreInit): GossipCore {
  throw new Error('gossip core: not implemented yet')
}
