/**
 * Record flags shared by the controller and `render`: which names may be published and
 * how objects become records. Values are checked here, once; lib/ gets a frozen RecordOptions.
 */
import type { Options } from 'yargs'
import type { PipelineOptions } from '../../lib/records/pipeline.ts'
import { checkApiserverOptions } from '../../lib/records/apiserver.ts'
import { checkZoneFlag, gossipZones, parseZoneRules } from '../../lib/records/zones.ts'
import type { ZoneRules } from '../../lib/records/zones.ts'
import { ConfigError } from '../../lib/util/errors.ts'
import { boolFlag, listFlag, textFlag, withDefaults } from './values.ts'

export const recordFlags = {
  zone: {
    alias: 'z',
    type: 'string',
    description:
      'zone rule, repeatable or comma-separated: NAME, NAME/ID, */ID, * or */*. In gossip mode a NAME permits names under it; the wildcard (or no rule) permits names under "local"',
    defaultDescription: 'none (= wildcard)',
  },
  'internal-ipv4': {
    type: 'boolean',
    default: false,
    description: "node IPv4 InternalIPs become the nodes' internal addresses",
  },
  'internal-ipv6': {
    type: 'boolean',
    default: false,
    description: "node IPv6 InternalIPs become the nodes' internal addresses",
  },
  'watch-ingress': {
    type: 'boolean',
    default: true,
    description: 'make records for every Ingress host (kOps passes --watch-ingress=false)',
  },
  'watch-namespace': {
    type: 'string',
    default: '',
    description: 'only Pods, Services and Ingresses in this namespace (Nodes are cluster-wide); empty = all',
  },
  'publish-not-ready': {
    type: 'boolean',
    default: false,
    description: "publish Pods that are not Ready or are terminating (kOps' behaviour)",
  },
  'cluster-name': {
    type: 'string',
    description:
      "publish api.internal.NAME (each kube-apiserver's advertised address, from the default/kubernetes EndpointSlices) and api.NAME, with or without kOps' annotations",
    defaultDescription: 'none (off)',
  },
  'api-external-address': {
    type: 'string',
    description:
      'with --cluster-name: api.NAME -> these IPs (A/AAAA) or this one hostname (CNAME), repeatable or comma-separated; none: the ExternalIPs of control-plane nodes',
    defaultDescription: 'control-plane ExternalIPs',
  },
} as const satisfies Record<string, Options>

export interface RecordFlagConfig {
  readonly zoneRules: ZoneRules
  readonly pipeline: PipelineOptions
  /** Undefined for all namespaces. */
  readonly watchNamespace?: string
}

export function recordConfigFromArgs(given: Readonly<Record<string, unknown>>): RecordFlagConfig {
  const args = withDefaults(recordFlags, given)
  const zones = listFlag(args['zone'])
  for (const z of zones) {
    const reason = checkZoneFlag(z)
    if (reason !== undefined) throw new ConfigError('zone', reason)
  }
  const zoneRules = parseZoneRules(zones)
  const permitted = gossipZones(zoneRules)
  if (permitted.length === 0)
    throw new ConfigError(
      'zone',
      `the rules ${JSON.stringify(zones)} permit no zone in gossip mode (add a zone name, or */* for "local")`,
    )
  const ns = textFlag(args['watch-namespace']).trim()
  if (ns !== '' && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(ns))
    throw new ConfigError('watch-namespace', `"${ns}" is not a valid namespace name`)
  const clusterName = textFlag(args['cluster-name']).trim().toLowerCase().replace(/\.$/, '')
  const externalAddresses = listFlag(args['api-external-address'])
  if (clusterName === '' && externalAddresses.length > 0)
    throw new ConfigError('api-external-address', 'needs --cluster-name')
  const apiserver = clusterName === '' ? undefined : Object.freeze({ clusterName, externalAddresses })
  if (apiserver !== undefined) {
    const reason = checkApiserverOptions(apiserver, permitted)
    if (reason !== undefined) {
      const flag = reason.startsWith('--api-external-address: ') ? 'api-external-address' : 'cluster-name'
      throw new ConfigError(flag, reason.replace(/^--api-external-address: /, ''))
    }
  }
  return Object.freeze({
    zoneRules,
    pipeline: Object.freeze({
      ...(apiserver === undefined ? {} : { apiserver }),
      zones: permitted,
      internalIPv4: boolFlag(args['internal-ipv4'], 'internal-ipv4'),
      internalIPv6: boolFlag(args['internal-ipv6'], 'internal-ipv6'),
      publishNotReady: boolFlag(args['publish-not-ready'], 'publish-not-ready'),
      watchIngress: boolFlag(args['watch-ingress'], 'watch-ingress'),
    }),
    ...(ns === '' ? {} : { watchNamespace: ns }),
  })
}
