/** Small builders for record tests: named fields, defaults that make records. */
import { RECORD_DEFAULTS } from '../../../lib/records/options.ts'
import type { RecordOptions } from '../../../lib/records/options.ts'
import { ANNOTATION_EXTERNAL, ANNOTATION_INTERNAL } from '../../../lib/records/types.ts'
import type {
  DnsAnnotations,
  LoadBalancerIngress,
  NodeAddress,
  NodeView,
  PodView,
  ServiceView,
  IngressView,
} from '../../../lib/records/views.ts'

export const EXT = ANNOTATION_EXTERNAL
export const INT = ANNOTATION_INTERNAL

/** Options permitting the zones the tests use. */
export function opts(o: Partial<RecordOptions> = {}): RecordOptions {
  return { ...RECORD_DEFAULTS, zones: ['local', 'foo.com', 'example.com'], internalIPv4: true, ...o }
}

export function pod(
  p: {
    name?: string
    ns?: string
    annotations?: DnsAnnotations
    hostNetwork?: boolean
    nodeName?: string | undefined
    podIPs?: string[]
    ready?: boolean
  } = {},
): PodView {
  const name = p.name ?? 'somepod'
  const ns = p.ns ?? 'kube-system'
  const nodeName = 'nodeName' in p ? p.nodeName : 'my-node'
  return {
    kind: 'Pod',
    ref: { kind: 'Pod', namespace: ns, name },
    key: `${ns}/${name}`,
    annotations: p.annotations ?? {},
    hostNetwork: p.hostNetwork ?? true,
    ...(nodeName === undefined ? {} : { nodeName }),
    podIPs: p.podIPs ?? ['10.0.0.1'],
    ready: p.ready ?? true,
  }
}

export function service(
  s: {
    name?: string
    ns?: string
    annotations?: DnsAnnotations
    type?: string
    lb?: LoadBalancerIngress[]
  } = {},
): ServiceView {
  const name = s.name ?? 'svc'
  const ns = s.ns ?? 'default'
  return {
    kind: 'Service',
    ref: { kind: 'Service', namespace: ns, name },
    key: `${ns}/${name}`,
    annotations: s.annotations ?? {},
    type: s.type ?? 'LoadBalancer',
    loadBalancer: s.lb ?? [],
  }
}

export function node(n: { name?: string; role?: string; addresses?: NodeAddress[] } = {}): NodeView {
  const name = n.name ?? 'my-node'
  return {
    kind: 'Node',
    ref: { kind: 'Node', name },
    key: name,
    role: n.role ?? 'node',
    addresses: n.addresses ?? [],
  }
}

export function ingress(
  g: { name?: string; ns?: string; hosts?: string[]; lb?: LoadBalancerIngress[] } = {},
): IngressView {
  const name = g.name ?? 'ing'
  const ns = g.ns ?? 'default'
  return {
    kind: 'Ingress',
    ref: { kind: 'Ingress', namespace: ns, name },
    key: `${ns}/${name}`,
    hosts: g.hosts ?? [],
    loadBalancer: g.lb ?? [],
  }
}

export const internalIP = (address: string): NodeAddress => ({ type: 'InternalIP', address })
export const externalIP = (address: string): NodeAddress => ({ type: 'ExternalIP', address })

/** The node of kOps' several-IPs pod case. */
export const F6_NODE = node({
  name: 'my-node',
  addresses: [
    internalIP('10.0.0.1'),
    internalIP('fd00:1234:5678:abcd::1'),
    internalIP('10.0.0.3'),
    internalIP('10.0.0.4'),
    externalIP('2001:db8:0:0:0:ff00:42:8329'),
    externalIP('54.100.0.1'),
  ],
})
