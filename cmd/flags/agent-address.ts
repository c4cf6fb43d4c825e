/**
 * The flags of the commands that talk to a running agent (`state`, `ready`): where its
 * `--metrics-listen` is, and how long to wait.
 */
import { ConfigError } from '../../lib/util/errors.ts'
import { parseHostPort } from '../../lib/util/hostport.ts'
import type { HostPort } from '../../lib/util/hostport.ts'
import { textFlag } from './values.ts'

/** `--from` and `--timeout`, with the command's own timeout default. */
export function agentAddressFlags(timeoutSeconds: number, timeoutDescription: string) {
  return {
    from: {
      type: 'string',
      demandOption: true,
      description: "the agent's --metrics-listen address (HOST:PORT)",
    },
    timeout: { type: 'number', default: timeoutSeconds, description: timeoutDescription },
  } as const
}

/** `--from` and `--timeout` (seconds), checked; a bad value is a ConfigError naming its flag. */
export function agentAddressArgs(argv: Readonly<Record<string, unknown>>): {
  from: HostPort
  timeoutMs: number
} {
  const from = parseHostPort(textFlag(argv['from']))
  if (typeof from === 'string') throw new ConfigError('from', from)
  const timeout = Number(argv['timeout'])
  if (!(timeout > 0)) throw new ConfigError('timeout', 'expected a positive number of seconds')
  return { from, timeoutMs: timeout * 1000 }
}
