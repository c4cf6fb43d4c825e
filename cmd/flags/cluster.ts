/** `--cluster-name` and `--api-external-address` (issue 7; docs/controller.md "Cluster names"). */
import type { Options } from 'yargs'
import { ipFamily } from '../../lib/records/ip.ts'
import { checkName, stripTrailingDot } from '../../lib/records/names.ts'
import { zoneOf } from '../../lib/records/zones.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import { listFlag, stringFlag } from './values.ts'

export const clusterFlags = {
  'cluster-name': {
    type: 'string',
    default: '',
    description:
      'also publish api.internal.NAME (ready addresses of the default/kubernetes EndpointSlices) and api.NAME; empty = off',
  },
  'api-external-address': {
    type: 'string',
    description:
      'values of api.NAME: IPs, or one hostname (a CNAME); repeatable or comma-separated. Needs --cluster-name',
    defaultDescription: 'ExternalIPs of control-plane nodes',
  },
} as const satisfies Record<string, Options>

export interface ClusterNames {
  readonly name: string
  readonly externalAddresses: readonly string[]
}

/** Undefined without --cluster-name. `zones` are the permitted zones (RecordOptions.zones). */
export function clusterNamesFromArgs(
  args: Readonly<Record<string, unknown>>,
  zones: readonly string[],
  fromFile: boolean,
): ClusterNames | undefined {
  const raw = stringFlag(args['cluster-name'])?.trim() ?? ''
  const external = listFlag(args['api-external-address'])
  if (raw === '') {
    if (external.length > 0) throw new ConfigError('api-external-address', 'needs --cluster-name')
    return undefined
  }
  if (fromFile) throw new ConfigError('cluster-name', 'needs a cluster; it cannot be combined with --from')
  const check = checkName(raw)
  if (!check.ok || raw.includes('*'))
    throw new ConfigError('cluster-name', `"${raw}": ${check.ok ? 'no wildcards' : check.reason}`)
  const name = stripTrailingDot(check.fqdn)
  if (zoneOf(`api.${name}`, zones) === undefined)
    throw new ConfigError(
      'cluster-name',
      `api.${name} is outside the permitted zones (${zones.join(', ')}); see --zone`,
    )
  const hostnames = external.filter((a) => ipFamily(a) === undefined)
  for (const h of hostnames) {
    const c = checkName(h)
    if (!c.ok)
      throw new ConfigError(
        'api-external-address',
        `"${h}" is neither an IP nor a valid hostname: ${c.reason}`,
      )
  }
  if (hostnames.length > 0 && external.length > 1)
    throw new ConfigError('api-external-address', 'a hostname (CNAME) must be the only value')
  return {
    name,
    externalAddresses: external.map((a) =>
      ipFamily(a) === undefined ? stripTrailingDot(a.toLowerCase()) : a,
    ),
  }
}
