/**
 * Projected views: the few fields of a Kubernetes object that records depend on.
 * Watchers keep these instead of whole objects, so memory follows what records need.
 */
import type { ObjectRef } from './types.ts'

/** The two kOps annotations; absent when the object does not carry them. */
export interface DnsAnnotations {
  readonly external?: string
  readonly internal?: string
}

/** One `status.loadBalancer.ingress[]` entry. */
export interface LoadBalancerIngress {
  readonly ip?: string
  readonly hostname?: string
}

export interface ServiceView {
  readonly kind: 'Service'
  readonly ref: ObjectRef
  /** `namespace/name`: the object's key in its scope. */
  readonly key: string
  readonly annotations: DnsAnnotations
  /** `spec.type`, `ClusterIP` when absent (the API default). */
  readonly type: string
  readonly loadBalancer: readonly LoadBalancerIngress[]
}

export interface PodView {
  readonly kind: 'Pod'
  readonly ref: ObjectRef
  readonly key: string
  readonly annotations: DnsAnnotations
  readonly hostNetwork: boolean
  readonly nodeName?: string
  /** `status.podIPs[].ip` in order (or `status.podIP` alone when the list is absent). */
  readonly podIPs: readonly string[]
  /** Ready condition true and no deletionTimestamp. */
  readonly ready: boolean
}

export interface NodeAddress {
  /** `InternalIP`, `ExternalIP`, `Hostname`, … */
  readonly type: string
  readonly address: string
}

export interface NodeView {
  readonly kind: 'Node'
  readonly ref: ObjectRef
  /** The node's name. */
  readonly key: string
  /** Detected role (see `nodeRole`). */
  readonly role: string
  readonly addresses: readonly NodeAddress[]
}

export interface IngressView {
  readonly kind: 'Ingress'
  readonly ref: ObjectRef
  readonly key: string
  /** Non-empty `spec.rules[].host` values, in order. */
  readonly hosts: readonly string[]
  readonly loadBalancer: readonly LoadBalancerIngress[]
}

/**
 * An EndpointSlice (discovery.k8s.io/v1), for `--cluster-name`: only the slices of the
 * `default/kubernetes` Service make records (apiserver.ts), from what each apiserver advertises.
 */
export interface EndpointSliceView {
  readonly kind: 'EndpointSlice'
  readonly ref: ObjectRef
  readonly key: string
  /** The `kubernetes.io/service-name` label; '' when absent. */
  readonly serviceName: string
  /** Addresses of endpoints whose `conditions.ready` is not false (the API: absent means ready). */
  readonly readyAddresses: readonly string[]
}

export type View = ServiceView | PodView | NodeView | IngressView | EndpointSliceView
export type ViewKind = View['kind']

/** What record building needs to know about nodes (pods look up their node's InternalIPs). */
export interface NodeIndex {
  get(name: string): NodeView | undefined
}

export function mapNodeIndex(nodes: Iterable<NodeView>): NodeIndex & { readonly size: number } {
  const map = new Map<string, NodeView>()
  for (const n of nodes) map.set(n.key, n)
  return { get: (name) => map.get(name), size: map.size }
}
