/**
 * The config parts the two long-running processes (controller, agent) read the same way: the
 * gossip networks, `--metrics-listen`, `-v`, `--log-format` and the warnings to log at start.
 */
import type { GossipNetworks } from '../../lib/gossip/network-config.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import { parseHostPort } from '../../lib/util/hostport.ts'
import type { HostPort } from '../../lib/util/hostport.ts'
import type { LogFormat } from '../../lib/util/log.ts'
import { logFormatFromArgs } from './logging.ts'
import { intFlag, textFlag } from './values.ts'

/** A HOST:PORT flag whose empty value means "off". */
export function optionalHostPort(
  args: Readonly<Record<string, unknown>>,
  flag: string,
): HostPort | undefined {
  const text = textFlag(args[flag]).trim()
  if (text === '') return undefined
  const hp = parseHostPort(text)
  if (typeof hp === 'string') throw new ConfigError(flag, hp)
  return hp
}

export interface DaemonConfig {
  readonly gossip: GossipNetworks
  readonly metricsListen?: HostPort
  readonly verbosity: number
  readonly logFormat: LogFormat
  readonly warnings: readonly string[]
}

export function daemonConfigFromArgs(
  args: Readonly<Record<string, unknown>>,
  gossip: GossipNetworks,
  warnings: readonly string[],
): DaemonConfig {
  const metricsListen = optionalHostPort(args, 'metrics-listen')
  return {
    gossip: Object.freeze({
      primary: gossip.primary,
      ...(gossip.secondary === undefined ? {} : { secondary: gossip.secondary }),
    }),
    ...(metricsListen === undefined ? {} : { metricsListen }),
    verbosity: intFlag(args['v'], 'v', 0, 10),
    logFormat: logFormatFromArgs(args),
    warnings: Object.freeze([...warnings]),
  }
}
