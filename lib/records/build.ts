/**
 * Per-object records, kOps semantics (docs/records.md) as pure functions of views. Each returns the
 * object's complete record list (what its scope key holds) plus its problems.
 *
 * | object                       | records                                                        |
 * | ---------------------------- | -------------------------------------------------------------- |
 * | LoadBalancer Service         | names × LB entries: hostname → CNAME, ip → A/AAAA              |
 * | NodePort Service, one annot. | names → `_alias` node/role=node/{external,internal}            |
 * | NodePort Service, both       | nothing, problem (kOps: inconsistent between relist and watch) |
 * | other Service types          | nothing, problem when annotated                                |
 * | hostNetwork Pod, external    | names → `_alias` node/<node>/external                          |
 * | hostNetwork Pod, internal    | one pod IP → it; else pod IPs ∩ node InternalIPs (NodeIndex)   |
 * | Node                         | alias targets only (see nodeRecords)                           |
 * | Ingress (no annotation)      | hosts × LB entries                                             |
 */
import { parseIp } from './ip.ts'
import { checkName, splitList, stripTrailingDot } from './names.ts'
import type { RecordOptions } from './options.ts'
import type { Problem } from './problems.ts'
import { ANNOTATION_EXTERNAL, ANNOTATION_INTERNAL } from './types.ts'
import type { DnsRecord, ObjectRef } from './types.ts'
import type { IngressView, LoadBalancerIngress, NodeIndex, NodeView, PodView, ServiceView } from './views.ts'
import { permittedZoneOf } from './zones.ts'

export interface RecordsResult {
  readonly records: readonly DnsRecord[]
  readonly problems: readonly Problem[]
}

const NONE: RecordsResult = Object.freeze({ records: Object.freeze([]), problems: Object.freeze([]) })

export type AddressKind = 'internal' | 'external'

/** alias target for every node of a role. */
export function roleAlias(role: string, kind: AddressKind): string {
  return `node/role=${role}/${kind}`
}

/** Alias target for one node. */
export function nodeAlias(node: string, kind: AddressKind): string {
  return `node/${node}/${kind}`
}

/** Names of one list (annotation or hosts): validated, lower-cased, zone-checked. */
export function parseNames(
  tokens: readonly string[],
  object: ObjectRef,
  source: string,
  opts: RecordOptions,
  problems: Problem[],
): string[] {
  const names: string[] = []
  for (const token of tokens) {
    if (token === '') {
      problems.push({ kind: 'empty-token', object, source })
      continue
    }
    const check = checkName(token)
    if (!check.ok) {
      problems.push({ kind: 'invalid-name', object, source, value: token, reason: check.reason })
      continue
    }
    if (permittedZoneOf(check.fqdn, opts.zones) === undefined) {
      problems.push({
        kind: 'outside-zones',
        object,
        source,
        name: stripTrailingDot(check.fqdn),
        zones: opts.zones,
      })
      continue
    }
    names.push(check.fqdn)
  }
  return names
}

function annotationNames(
  value: string | undefined,
  object: ObjectRef,
  key: string,
  opts: RecordOptions,
  problems: Problem[],
): string[] {
  if (value === undefined || value.trim() === '') return []
  return parseNames(splitList(value), object, key, opts, problems)
}

/** LB entries → (type, value) targets, each checked once. */
function lbTargets(
  entries: readonly LoadBalancerIngress[],
  object: ObjectRef,
  problems: Problem[],
): Omit<DnsRecord, 'fqdn'>[] {
  const out: Omit<DnsRecord, 'fqdn'>[] = []
  entries.forEach((e, i) => {
    if (e.hostname !== undefined) {
      const check = checkName(e.hostname)
      const source = `status.loadBalancer.ingress[${i}].hostname`
      if (check.ok && !check.fqdn.startsWith('*'))
        out.push({ type: 'CNAME', value: stripTrailingDot(check.fqdn) })
      else
        problems.push({
          kind: 'invalid-name',
          object,
          source,
          value: e.hostname,
          reason: check.ok ? 'wildcard' : check.reason,
        })
    }
    if (e.ip !== undefined) {
      const ip = parseIp(e.ip)
      if (ip === undefined)
        problems.push({
          kind: 'invalid-address',
          object,
          source: `status.loadBalancer.ingress[${i}].ip`,
          value: e.ip,
        })
      else out.push({ type: ip.family === 4 ? 'A' : 'AAAA', value: ip.text })
    }
  })
  return out
}

function cross(names: readonly string[], targets: readonly Omit<DnsRecord, 'fqdn'>[]): DnsRecord[] {
  const out: DnsRecord[] = []
  for (const fqdn of names) for (const t of targets) out.push({ ...t, fqdn })
  return out
}

export function serviceRecords(svc: ServiceView, opts: RecordOptions): RecordsResult {
  const { external = '', internal = '' } = svc.annotations
  if (external.trim() === '' && internal.trim() === '') return NONE
  const problems: Problem[] = []
  const object = svc.ref
  if (svc.type === 'NodePort' && external.trim() !== '' && internal.trim() !== '') {
    // kOps wrote nothing on relist but kept old records on watch; we always write nothing.
    return { records: [], problems: [{ kind: 'nodeport-both-annotations', object }] }
  }
  if (svc.type !== 'LoadBalancer' && svc.type !== 'NodePort') {
    return { records: [], problems: [{ kind: 'unsupported-service-type', object, serviceType: svc.type }] }
  }
  const ext = annotationNames(external, object, ANNOTATION_EXTERNAL, opts, problems)
  const int = annotationNames(internal, object, ANNOTATION_INTERNAL, opts, problems)
  if (svc.type === 'LoadBalancer') {
    return { records: cross([...ext, ...int], lbTargets(svc.loadBalancer, object, problems)), problems }
  }
  const kind: AddressKind = external.trim() !== '' ? 'external' : 'internal'
  const names = kind === 'external' ? ext : int
  return {
    records: names.map((fqdn) => ({ type: '_alias', fqdn, value: roleAlias('node', kind) })),
    problems,
  }
}

/** Whether this pod's records depend on its Node (several pod IPs intersected with InternalIPs). */
export function podDependsOnNode(pod: PodView): boolean {
  return (
    pod.hostNetwork &&
    pod.nodeName !== undefined &&
    (pod.annotations.internal ?? '').trim() !== '' &&
    pod.podIPs.length !== 1
  )
}

export function podRecords(pod: PodView, nodes: NodeIndex, opts: RecordOptions): RecordsResult {
  const { external = '', internal = '' } = pod.annotations
  if (external.trim() === '' && internal.trim() === '') return NONE
  // Deliberate difference: terminating and NotReady pods stop publishing (kOps kept them).
  if (!pod.ready && !opts.publishNotReady) return NONE
  const object = pod.ref
  if (!pod.hostNetwork) return { records: [], problems: [{ kind: 'pod-not-host-network', object }] }
  if (pod.nodeName === undefined) return NONE // not scheduled yet
  const problems: Problem[] = []
  const ext = annotationNames(external, object, ANNOTATION_EXTERNAL, opts, problems)
  const int = annotationNames(internal, object, ANNOTATION_INTERNAL, opts, problems)
  const records: DnsRecord[] = ext.map((fqdn) => ({
    type: '_alias',
    fqdn,
    value: nodeAlias(pod.nodeName ?? '', 'external'),
  }))
  let ips: readonly string[]
  if (pod.podIPs.length === 1) {
    ips = pod.podIPs // kOps 1.35: a single pod IP is used as is, no node lookup
  } else {
    const node = nodes.get(pod.nodeName)
    const internalIPs = new Set(node?.addresses.filter((a) => a.type === 'InternalIP').map((a) => a.address))
    ips = pod.podIPs.filter((ip) => internalIPs.has(ip))
  }
  const targets: Omit<DnsRecord, 'fqdn'>[] = []
  ips.forEach((text, i) => {
    const ip = parseIp(text)
    if (ip === undefined)
      problems.push({ kind: 'invalid-address', object, source: `status.podIPs[${i}].ip`, value: text })
    else targets.push({ type: ip.family === 4 ? 'A' : 'AAAA', value: ip.text })
  })
  records.push(...cross(int, targets))
  return { records, problems }
}

/**
 * Alias targets of one node (docs/records.md), walking `status.addresses` in order:
 *
 * | target                 | addresses                                                     |
 * | ---------------------- | ------------------------------------------------------------- |
 * | node/N/internal        | InternalIPs of the families enabled by --internal-ipv4/6      |
 * | node/N/external        | ExternalIPs, plus IPv6 InternalIPs (IPv6 is globally routable) |
 * | node/role=R/internal   | every InternalIP (flags not applied)                          |
 * | node/role=R/external   | every ExternalIP                                              |
 *
 * kOps also made `node/role=R/` targets from Hostname/DNS addresses; nothing can point at them,
 * so we leave them out.
 */
export function nodeRecords(node: NodeView, opts: RecordOptions): RecordsResult {
  const records: DnsRecord[] = []
  const problems: Problem[] = []
  const add = (fqdn: string, type: 'A' | 'AAAA', value: string): void => {
    records.push({ type, fqdn, value, aliasTarget: true })
  }
  node.addresses.forEach((a, i) => {
    if (a.type !== 'InternalIP' && a.type !== 'ExternalIP') return
    const ip = parseIp(a.address)
    if (ip === undefined) {
      problems.push({
        kind: 'invalid-address',
        object: node.ref,
        source: `status.addresses[${i}].address`,
        value: a.address,
      })
      return
    }
    const type = ip.family === 4 ? 'A' : 'AAAA'
    if (a.type === 'InternalIP') {
      if (ip.family === 4 ? opts.internalIPv4 : opts.internalIPv6)
        add(nodeAlias(node.key, 'internal'), type, ip.text)
      if (ip.family === 6) add(nodeAlias(node.key, 'external'), type, ip.text)
      add(roleAlias(node.role, 'internal'), type, ip.text)
    } else {
      add(nodeAlias(node.key, 'external'), type, ip.text)
      add(roleAlias(node.role, 'external'), type, ip.text)
    }
  })
  return { records, problems }
}

/** Every Ingress yields records, annotated or not; only called when --watch-ingress. */
export function ingressRecords(ing: IngressView, opts: RecordOptions): RecordsResult {
  if (ing.hosts.length === 0) return NONE
  const problems: Problem[] = []
  const names = parseNames(ing.hosts, ing.ref, 'spec.rules[].host', opts, problems)
  return { records: cross(names, lbTargets(ing.loadBalancer, ing.ref, problems)), problems }
}
