import type { GossipNetworks } from '../../lib/gossip/network-config.ts'
import { createLogger } from '../../lib/util/log.ts'
import type { Logger } from '../../lib/util/log.ts'

/** The long-running commands' logger, after printing the flag warnings and the insecure-gossip alarm. */
export function startupLogger(
  component: string,
  config: {
    readonly verbosity: number
    readonly warnings: readonly string[]
    readonly gossip: GossipNetworks
  },
): Logger {
  const log = createLogger({ verbosity: config.verbosity, component })
  for (const w of config.warnings) log.warn(w)
  if (config.gossip.primary.insecure)
    log.warn('gossip runs WITHOUT a pre-shared key (--gossip-insecure): anyone who reaches the port can join')
  return log
}
