/**
 * `--cluster-name NAME`: the two names kOps' gossip clusters live on, without annotating the
 * kube-apiserver pods (issue 7):
 *
 * | name | values |
 * | --- | --- |
 * | `api.internal.NAME` | ready addresses of the `default/kubernetes` EndpointSlices (the API servers themselves) |
 * | `api.NAME` | `--api-external-address` values (IPs: A/AAAA, one hostname: CNAME); without them, an alias to the ExternalIPs of nodes with role `control-plane` |
 *
 * They are one more scope ("cluster") beside the annotation scopes, so when annotations name the
 * same record, values are merged (union, de-duplicated) like any two objects naming one record.
 */
import { roleAlias } from '../records/build.ts'
import { ipFamily } from '../records/ip.ts'
import type { DnsRecord, ObjectRef } from '../records/types.ts'
import { isRecord } from './client.ts'
import type { Projection } from './list-watch.ts'

export const KUBERNETES_SLICES = {
  path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
  labelSelector: 'kubernetes.io/service-name=kubernetes',
} as const

export const CLUSTER_REF: ObjectRef = { kind: 'EndpointSlice', namespace: 'default', name: 'kubernetes' }

export interface SliceView {
  /** Ready IP addresses (an endpoint without `conditions.ready` counts as ready, per the API). */
  readonly addresses: readonly string[]
}

export const sliceProjection: Projection<SliceView> = {
  key(o) {
    const m = isRecord(o) && isRecord(o.metadata) ? o.metadata : undefined
    return typeof m?.name === 'string' && m.name !== '' ? m.name : undefined
  },
  view(o) {
    if (!isRecord(o) || (o.addressType !== 'IPv4' && o.addressType !== 'IPv6')) return undefined
    const addresses: string[] = []
    for (const e of Array.isArray(o.endpoints) ? (o.endpoints as unknown[]) : []) {
      if (!isRecord(e) || !Array.isArray(e.addresses)) continue
      const ready = isRecord(e.conditions) ? e.conditions.ready : undefined
      if (ready === false) continue
      for (const a of e.addresses as unknown[])
        if (typeof a === 'string' && ipFamily(a) !== undefined) addresses.push(a)
    }
    return { addresses }
  },
  equal: (a, b) => a.addresses.join(',') === b.addresses.join(','),
}

/** The records for both names (pure). `clusterName` is already validated, without a trailing dot. */
export function clusterRecords(
  clusterName: string,
  slices: Iterable<SliceView>,
  externalAddresses: readonly string[],
): DnsRecord[] {
  const internal = `api.internal.${clusterName}.`
  const external = `api.${clusterName}.`
  const out: DnsRecord[] = []
  const seen = new Set<string>()
  for (const s of slices)
    for (const a of s.addresses) {
      if (seen.has(a)) continue
      seen.add(a)
      out.push({ type: ipFamily(a) === 6 ? 'AAAA' : 'A', fqdn: internal, value: a })
    }
  if (externalAddresses.length === 0) {
    out.push({ type: '_alias', fqdn: external, value: roleAlias('control-plane', 'external') })
    return out
  }
  for (const a of externalAddresses) {
    const family = ipFamily(a)
    out.push({ type: family === undefined ? 'CNAME' : family === 6 ? 'AAAA' : 'A', fqdn: external, value: a })
  }
  return out
}
