/**
 * `--cluster-name NAME`: the two names every cluster needs, with or without kOps' annotations.
 *
 * | name              | values                                                                   |
 * | ----------------- | ------------------------------------------------------------------------ |
 * | api.internal.NAME | ready addresses of the `default/kubernetes` EndpointSlices: what each     |
 * |                   | kube-apiserver advertises (`--advertise-address`), kept by its endpoint   |
 * |                   | reconciler (an apiserver that stops renewing its lease drops out)         |
 * | api.NAME          | `--api-external-address`: IPs → A/AAAA, one hostname → CNAME; none given: |
 * |                   | the ExternalIPs of control-plane nodes (roles master, control-plane,      |
 * |                   | apiserver)                                                                |
 *
 * With annotations for the same names (kOps clusters have both), these records take precedence
 * name by name: while one of the two names has at least one value from here, records for it from
 * annotations are dropped (resolve.ts, scope precedence); while it has none (no ready apiserver
 * listed yet, no control-plane ExternalIP), the annotations' records stand.
 */
import type { RecordsResult } from './build.ts'
import { parseIp } from './ip.ts'
import { checkName, stripTrailingDot } from './names.ts'
import type { Problem } from './problems.ts'
import type { DnsRecord, ObjectRef } from './types.ts'
import type { EndpointSliceView, NodeView } from './views.ts'
import { permittedZoneOf } from './zones.ts'

export interface ApiserverOptions {
  /** The cluster's name, lower-case, no trailing dot (`mycluster.k8s.local`). */
  readonly clusterName: string
  /** `--api-external-address`: IPs, or exactly one hostname; empty: control-plane ExternalIPs. */
  readonly externalAddresses: readonly string[]
}

/** Scope precedence of these records over annotation records for the same name (resolve.ts). */
export const APISERVER_PRECEDENCE = 1

/** The Service whose EndpointSlices list the apiservers (maintained by kube-apiserver itself). */
export const API_SERVICE = { namespace: 'default', name: 'kubernetes' } as const

/** Node roles (project.ts nodeRole) that run kube-apiserver. */
export const CONTROL_PLANE_ROLES: ReadonlySet<string> = new Set(['master', 'control-plane', 'apiserver'])

/** The object named in problems about the names themselves (static --api-external-address). */
export const API_SERVICE_REF: ObjectRef = { kind: 'Service', ...API_SERVICE }

export const apiInternalName = (o: ApiserverOptions): string => `api.internal.${o.clusterName}`
export const apiExternalName = (o: ApiserverOptions): string => `api.${o.clusterName}`

const NONE: RecordsResult = Object.freeze({ records: Object.freeze([]), problems: Object.freeze([]) })

/** Why a cluster name or external address list is unusable (for a ConfigError), or undefined. */
export function checkApiserverOptions(o: ApiserverOptions, zones: readonly string[]): string | undefined {
  const name = checkName(apiInternalName(o))
  if (!name.ok) return `"${o.clusterName}" does not make a valid DNS name: ${name.reason}`
  if (permittedZoneOf(apiExternalName(o), zones) === undefined)
    return `${apiExternalName(o)} is outside the permitted zones (${zones.join(', ')}); add a --zone for it`
  const hostnames = o.externalAddresses.filter((a) => parseIp(a) === undefined)
  for (const h of hostnames) {
    const c = checkName(h)
    if (!c.ok) return `--api-external-address: "${h}" is neither an IP nor a valid hostname: ${c.reason}`
  }
  if (hostnames.length > 0 && o.externalAddresses.length > 1)
    return '--api-external-address: a hostname (CNAME) must be the only value'
  return undefined
}

function inZones(fqdn: string, zones: readonly string[], object: ObjectRef, problems: Problem[]): boolean {
  if (permittedZoneOf(fqdn, zones) !== undefined) return true
  problems.push({ kind: 'outside-zones', object, source: '--cluster-name', name: fqdn, zones })
  return false
}

function addressRecords(
  fqdn: string,
  addresses: readonly { text: string; source: string }[],
  object: ObjectRef,
): RecordsResult {
  const records: DnsRecord[] = []
  const problems: Problem[] = []
  for (const a of addresses) {
    const ip = parseIp(a.text)
    if (ip === undefined) {
      problems.push({ kind: 'invalid-address', object, source: a.source, value: a.text })
      continue
    }
    records.push({ type: ip.family === 4 ? 'A' : 'AAAA', fqdn: `${fqdn}.`, value: ip.text })
  }
  return { records, problems }
}

/** api.internal.NAME from one EndpointSlice; nothing for slices of other Services. */
export function apiInternalRecords(
  slice: EndpointSliceView,
  o: ApiserverOptions,
  zones: readonly string[],
): RecordsResult {
  if (slice.ref.namespace !== API_SERVICE.namespace || slice.serviceName !== API_SERVICE.name) return NONE
  const fqdn = apiInternalName(o)
  const problems: Problem[] = []
  if (!inZones(fqdn, zones, slice.ref, problems)) return { records: [], problems }
  const texts = slice.readyAddresses.map((text) => ({ text, source: 'endpoints[].addresses' }))
  return addressRecords(fqdn, texts, slice.ref)
}

/** api.NAME from one node's ExternalIPs, when it is a control-plane node and no address is given. */
export function apiExternalFromNode(
  node: NodeView,
  o: ApiserverOptions,
  zones: readonly string[],
): RecordsResult {
  if (o.externalAddresses.length > 0 || !CONTROL_PLANE_ROLES.has(node.role)) return NONE
  const fqdn = apiExternalName(o)
  const problems: Problem[] = []
  if (!inZones(fqdn, zones, node.ref, problems)) return { records: [], problems }
  const texts = node.addresses.flatMap((a, i) =>
    a.type === 'ExternalIP' ? [{ text: a.address, source: `status.addresses[${i}].address` }] : [],
  )
  return addressRecords(fqdn, texts, node.ref)
}

/** api.NAME from --api-external-address (checked by checkApiserverOptions). */
export function apiExternalStatic(o: ApiserverOptions, zones: readonly string[]): RecordsResult {
  if (o.externalAddresses.length === 0) return NONE
  const fqdn = apiExternalName(o)
  const problems: Problem[] = []
  if (!inZones(fqdn, zones, API_SERVICE_REF, problems)) return { records: [], problems }
  const [first] = o.externalAddresses
  const host = first === undefined || parseIp(first) !== undefined ? undefined : checkName(first)
  if (host?.ok === true)
    return { records: [{ type: 'CNAME', fqdn: `${fqdn}.`, value: stripTrailingDot(host.fqdn) }], problems }
  const texts = o.externalAddresses.map((text) => ({ text, source: '--api-external-address' }))
  return addressRecords(fqdn, texts, API_SERVICE_REF)
}
