import type { GossipNetworks } from '../../lib/gossip/network-config.ts'
import { createLogger } from '../../lib/util/log.ts'
import type { LogFormat, Logger } from '../../lib/util/log.ts'
import { buildInfo } from '../../lib/util/version.ts'

/** Secret strings (`secret`, `gossipSecret`…) become "<redacted>"; paths to secret files stay. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact)
  if (typeof value !== 'object' || value === null) return value
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value))
    out[k] = /secret$/i.test(k) && typeof v === 'string' ? '<redacted>' : redact(v)
  return out
}

/**
 * The long-running commands' logger, after one start-up line (version, commit and the effective
 * configuration, secrets redacted), the flag warnings and the insecure-gossip alarm.
 */
export function startupLogger(
  component: string,
  config: {
    readonly verbosity: number
    readonly logFormat?: LogFormat
    readonly warnings: readonly string[]
    readonly gossip: GossipNetworks
  },
): Logger {
  const log = createLogger({
    verbosity: config.verbosity,
    component,
    ...(config.logFormat === undefined ? {} : { format: config.logFormat }),
  })
  const { version, commit } = buildInfo()
  const { warnings, ...effective } = config
  log.info('starting', { version, commit, config: redact(effective) })
  for (const w of warnings) log.warn(w)
  if (config.gossip.primary.insecure)
    log.warn('gossip runs WITHOUT a pre-shared key (--gossip-insecure): anyone who reaches the port can join')
  return log
}
