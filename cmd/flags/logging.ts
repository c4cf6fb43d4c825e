/** `--log-format`, shared by the long-running commands. */
import type { Options } from 'yargs'
import type { LogFormat } from '../../lib/util/log.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import { textFlag, withDefaults } from './values.ts'

export const logFormatFlag = {
  'log-format': {
    type: 'string',
    default: 'text',
    description:
      'text (one line per event, key=value fields) or json (one object per line, for log pipelines)',
  },
} as const satisfies Record<string, Options>

export function logFormatFromArgs(args: Readonly<Record<string, unknown>>): LogFormat {
  const f = textFlag(withDefaults(logFormatFlag, args)['log-format']).trim()
  if (f !== 'text' && f !== 'json') throw new ConfigError('log-format', `expected text or json, got "${f}"`)
  return f
}
