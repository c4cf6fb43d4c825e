/**
 * The record model shared by every stage of the pipeline.
 *
 * Inside the controller, kOps semantics work on `DnsRecord`s (one value each, FQDN with a trailing
 * dot, `_alias` pseudo-records and alias targets, exactly as kOps' record model). Resolution turns
 * them into `ResolvedRecord`s: one record set per (name, type), which is what is signed, gossiped,
 * written to /etc/hosts and served by DNS.
 */

/** Types that are published. */
export type RecordType = 'A' | 'AAAA' | 'CNAME'

/** kOps' internal types: real types plus the `_alias` pseudo-type. */
export type InternalRecordType = RecordType | '_alias'

/** One kOps record: a single value. Alias targets are never published. */
export interface DnsRecord {
  readonly type: InternalRecordType
  /** Fully qualified, with a trailing dot; alias targets have none (`node/N/internal`). */
  readonly fqdn: string
  readonly value: string
  readonly aliasTarget?: boolean
}

/** A published record set: what agents serve. */
export interface ResolvedRecord {
  /** Lower-case, without the trailing dot. */
  readonly name: string
  readonly type: RecordType
  /** Sorted (plain string order, as kOps), de-duplicated, never empty. */
  readonly values: readonly string[]
  readonly ttlSeconds: number
}

/** kOps' fixed TTL. */
export const DEFAULT_TTL_SECONDS = 60

export const ANNOTATION_EXTERNAL = 'dns.alpha.kubernetes.io/external'
export const ANNOTATION_INTERNAL = 'dns.alpha.kubernetes.io/internal'

/** Which Kubernetes object a problem or record came from. */
export interface ObjectRef {
  readonly kind: 'Service' | 'Pod' | 'Node' | 'Ingress' | 'EndpointSlice'
  readonly namespace?: string
  readonly name: string
  readonly uid?: string
}
