/**
 * Kubernetes object (`unknown`: JSON from YAML, or a @kubernetes/client-node object; both use the
 * same camelCase field names) → view, or an `invalid-object` problem. Only the fields records
 * need are read; everything else may be anything.
 */
import type { Problem } from './problems.ts'
import { ANNOTATION_EXTERNAL, ANNOTATION_INTERNAL } from './types.ts'
import type { ObjectRef } from './types.ts'
import type {
  DnsAnnotations,
  EndpointSliceView,
  IngressView,
  LoadBalancerIngress,
  NodeAddress,
  NodeView,
  PodView,
  ServiceView,
  View,
  ViewKind,
} from './views.ts'
import { isJsonObject } from '../util/json.ts'

export type Projected<T> =
  { readonly ok: true; readonly view: T } | { readonly ok: false; readonly problem: Problem }

type Obj = Readonly<Record<string, unknown>>

/** Thrown inside this module only, turned into a problem at the edge. */
class Malformed extends Error {
  override readonly name = 'Malformed'
}

function obj(x: unknown, path: string): Obj {
  if (x === undefined || x === null) return {}
  if (!isJsonObject(x)) throw new Malformed(`${path} is not an object`)
  return x
}

function arr(x: unknown, path: string): readonly unknown[] {
  if (x === undefined || x === null) return []
  if (!Array.isArray(x)) throw new Malformed(`${path} is not a list`)
  return x
}

function str(x: unknown, path: string): string | undefined {
  if (x === undefined || x === null) return undefined
  if (typeof x !== 'string') throw new Malformed(`${path} is not a string`)
  return x
}

function refOf(kind: ViewKind, o: unknown, namespaced: boolean): ObjectRef {
  const meta = isJsonObject(o) && isJsonObject(o['metadata']) ? o['metadata'] : {}
  const name = typeof meta['name'] === 'string' && meta['name'] !== '' ? meta['name'] : '<unnamed>'
  const uid = typeof meta['uid'] === 'string' ? meta['uid'] : undefined
  // kubectl's default: a namespaced object without a namespace lives in `default`.
  const ns = typeof meta['namespace'] === 'string' && meta['namespace'] !== '' ? meta['namespace'] : 'default'
  return {
    kind,
    name,
    ...(namespaced ? { namespace: ns } : {}),
    ...(uid === undefined ? {} : { uid }),
  }
}

/** An object's key in its scope, as kOps kept it: `namespace/name`, or the name alone for Nodes. */
export function objectKey(ref: { readonly name: string; readonly namespace?: string | undefined }): string {
  return ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`
}

function project<T>(
  kind: ViewKind,
  o: unknown,
  namespaced: boolean,
  build: (o: Obj, ref: ObjectRef) => T,
): Projected<T> {
  const ref = refOf(kind, o, namespaced)
  try {
    if (!isJsonObject(o)) throw new Malformed('not an object')
    if (ref.name === '<unnamed>') throw new Malformed('metadata.name is missing')
    return { ok: true, view: build(o, ref) }
  } catch (err) {
    if (!(err instanceof Malformed)) throw err
    return { ok: false, problem: { kind: 'invalid-object', object: ref, reason: err.message } }
  }
}

function dnsAnnotations(o: Obj): DnsAnnotations {
  const a = obj(obj(o['metadata'], 'metadata')['annotations'], 'metadata.annotations')
  const external = str(a[ANNOTATION_EXTERNAL], `metadata.annotations["${ANNOTATION_EXTERNAL}"]`)
  const internal = str(a[ANNOTATION_INTERNAL], `metadata.annotations["${ANNOTATION_INTERNAL}"]`)
  return { ...(external === undefined ? {} : { external }), ...(internal === undefined ? {} : { internal }) }
}

function loadBalancer(o: Obj): LoadBalancerIngress[] {
  const path = 'status.loadBalancer.ingress'
  const list = arr(obj(obj(o['status'], 'status')['loadBalancer'], 'status.loadBalancer')['ingress'], path)
  return list.map((e, i) => {
    const entry = obj(e, `${path}[${i}]`)
    const ip = str(entry['ip'], `${path}[${i}].ip`)
    const hostname = str(entry['hostname'], `${path}[${i}].hostname`)
    return {
      ...(ip === undefined || ip === '' ? {} : { ip }),
      ...(hostname === undefined || hostname === '' ? {} : { hostname }),
    }
  })
}

export function projectService(o: unknown): Projected<ServiceView> {
  return project('Service', o, true, (s, ref) => ({
    kind: 'Service',
    ref,
    key: objectKey(ref),
    annotations: dnsAnnotations(s),
    type: str(obj(s['spec'], 'spec')['type'], 'spec.type') ?? 'ClusterIP',
    loadBalancer: loadBalancer(s),
  }))
}

export function projectPod(o: unknown): Projected<PodView> {
  return project('Pod', o, true, (p, ref) => {
    const spec = obj(p['spec'], 'spec')
    const status = obj(p['status'], 'status')
    const hostNetwork = spec['hostNetwork'] ?? false
    if (typeof hostNetwork !== 'boolean') throw new Malformed('spec.hostNetwork is not a boolean')
    const nodeName = str(spec['nodeName'], 'spec.nodeName')
    const listed = arr(status['podIPs'], 'status.podIPs').map(
      (e, i) => str(obj(e, `status.podIPs[${i}]`)['ip'], `status.podIPs[${i}].ip`) ?? '',
    )
    const podIP = str(status['podIP'], 'status.podIP')
    const podIPs =
      listed.length > 0
        ? listed.filter((ip) => ip !== '')
        : podIP === undefined || podIP === ''
          ? []
          : [podIP]
    const conditions = arr(status['conditions'], 'status.conditions').map((c, i) =>
      obj(c, `status.conditions[${i}]`),
    )
    const readyCondition = conditions.some((c) => c['type'] === 'Ready' && c['status'] === 'True')
    const deleting = obj(p['metadata'], 'metadata')['deletionTimestamp']
    return {
      kind: 'Pod',
      ref,
      key: objectKey(ref),
      annotations: dnsAnnotations(p),
      hostNetwork,
      ...(nodeName === undefined || nodeName === '' ? {} : { nodeName }),
      podIPs,
      ready: readyCondition && (deleting === undefined || deleting === null),
    }
  })
}

/** kOps' role detection order (docs/records.md); first match wins so several labels never flap (#8184). */
export function nodeRole(labels: Readonly<Record<string, unknown>>): string {
  if ('node-role.kubernetes.io/master' in labels) return 'master'
  if ('node-role.kubernetes.io/control-plane' in labels) return 'control-plane'
  if ('node-role.kubernetes.io/node' in labels) return 'node'
  if ('node-role.kubernetes.io/api-server' in labels) return 'apiserver'
  const legacy = labels['kubernetes.io/role']
  return typeof legacy === 'string' && legacy !== '' ? legacy : 'node'
}

export function projectNode(o: unknown): Projected<NodeView> {
  return project('Node', o, false, (n, ref) => {
    const labels = obj(obj(n['metadata'], 'metadata')['labels'], 'metadata.labels')
    const addresses: NodeAddress[] = arr(obj(n['status'], 'status')['addresses'], 'status.addresses').map(
      (e, i) => {
        const a = obj(e, `status.addresses[${i}]`)
        return {
          type: str(a['type'], `status.addresses[${i}].type`) ?? '',
          address: str(a['address'], `status.addresses[${i}].address`) ?? '',
        }
      },
    )
    return { kind: 'Node', ref, key: ref.name, role: nodeRole(labels), addresses }
  })
}

export function projectIngress(o: unknown): Projected<IngressView> {
  return project('Ingress', o, true, (g, ref) => {
    const rules = arr(obj(g['spec'], 'spec')['rules'], 'spec.rules')
    const hosts = rules
      .map((r, i) => str(obj(r, `spec.rules[${i}]`)['host'], `spec.rules[${i}].host`) ?? '')
      .filter((h) => h !== '')
    return { kind: 'Ingress', ref, key: objectKey(ref), hosts, loadBalancer: loadBalancer(g) }
  })
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'

export function projectEndpointSlice(o: unknown): Projected<EndpointSliceView> {
  return project('EndpointSlice', o, true, (e, ref) => {
    const labels = obj(obj(e['metadata'], 'metadata')['labels'], 'metadata.labels')
    const readyAddresses: string[] = []
    arr(e['endpoints'], 'endpoints').forEach((x, i) => {
      const ep = obj(x, `endpoints[${i}]`)
      // The API says an absent `ready` means ready (terminating endpoints say false).
      if (obj(ep['conditions'], `endpoints[${i}].conditions`)['ready'] === false) return
      arr(ep['addresses'], `endpoints[${i}].addresses`).forEach((a, j) => {
        const text = str(a, `endpoints[${i}].addresses[${j}]`)
        if (text !== undefined && text !== '') readyAddresses.push(text)
      })
    })
    return {
      kind: 'EndpointSlice',
      ref,
      key: objectKey(ref),
      serviceName: str(labels[SERVICE_NAME_LABEL], `metadata.labels["${SERVICE_NAME_LABEL}"]`) ?? '',
      readyAddresses,
    }
  })
}

/** The kinds records are built from; anything else is skipped by callers. */
export const PROJECTORS: Readonly<Record<ViewKind, (o: unknown) => Projected<View>>> = {
  Service: projectService,
  Pod: projectPod,
  Node: projectNode,
  Ingress: projectIngress,
  EndpointSlice: projectEndpointSlice,
}

/** Projects by `kind` (manifests carry it); undefined for kinds that make no records. */
export function projectByKind(o: unknown): Projected<View> | undefined {
  const kind = isJsonObject(o) ? o['kind'] : undefined
  if (typeof kind !== 'string' || !Object.hasOwn(PROJECTORS, kind)) return undefined
  return PROJECTORS[kind as ViewKind](o)
}
