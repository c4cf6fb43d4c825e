/**
 * Bad input is data: every reason an object yields fewer records than its
 * annotations ask for is a `Problem`. Callers log it, count it by `kind` and turn it into a
 * Kubernetes Event (`problemReason`, `formatProblem`). One problem never removes other records.
 */
import { assertNever } from '../util/errors.ts'
import type { ObjectRef } from './types.ts'

export type Problem = Readonly<
  /** `a,,b` or a trailing comma: kOps made a record for the root name; we skip the token. */
  | { kind: 'empty-token'; object: ObjectRef; source: string }
  /** Not a valid DNS name (source: annotation key or field path such as `spec.rules[0].host`). */
  | { kind: 'invalid-name'; object: ObjectRef; source: string; value: string; reason: string }
  /** A valid name outside every permitted zone: never a record. */
  | { kind: 'outside-zones'; object: ObjectRef; source: string; name: string; zones: readonly string[] }
  /** An address field that is not an IP (kOps would have published it as an A record). */
  | { kind: 'invalid-address'; object: ObjectRef; source: string; value: string }
  /** A NodePort Service with both annotations: kOps' "not possible" case; no records at all. */
  | { kind: 'nodeport-both-annotations'; object: ObjectRef }
  /** An annotated Service whose type never yields records (ClusterIP, ExternalName, …). */
  | { kind: 'unsupported-service-type'; object: ObjectRef; serviceType: string }
  /** An annotated Pod without hostNetwork: kOps publishes nothing for it. */
  | { kind: 'pod-not-host-network'; object: ObjectRef }
  /** An alias (node/…) that resolves to no address: the name gets no record of that kind. */
  | { kind: 'unresolved-alias'; object: ObjectRef; name: string; target: string }
  /** A name with both a CNAME and addresses: the CNAME is dropped (a CNAME must stand alone). */
  | { kind: 'cname-conflict'; object: ObjectRef; name: string }
  /** The object itself is malformed (a field of the wrong type, no name). */
  | { kind: 'invalid-object'; object: ObjectRef; reason: string }
>

export type ProblemKind = Problem['kind']

/** `Kind ns/name` for messages. */
export function formatRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`
}

/** The message part, without the object (Events already carry it). */
export function problemMessage(p: Problem): string {
  switch (p.kind) {
    case 'empty-token':
      return `${p.source}: empty name in the list (skipped)`
    case 'invalid-name':
      return `${p.source}: invalid DNS name ${JSON.stringify(p.value)}: ${p.reason}`
    case 'outside-zones':
      return `${p.source}: ${p.name} is outside the permitted zones (${p.zones.join(', ')})`
    case 'invalid-address':
      return `${p.source}: ${JSON.stringify(p.value)} is not an IP address`
    case 'nodeport-both-annotations':
      return 'a NodePort Service cannot have both the internal and the external annotation; no records'
    case 'unsupported-service-type':
      return `Service type ${JSON.stringify(p.serviceType)} yields no records (only LoadBalancer and NodePort do)`
    case 'pod-not-host-network':
      return 'only hostNetwork Pods yield records'
    case 'unresolved-alias':
      return `${p.name} points at ${p.target}, which has no addresses`
    case 'cname-conflict':
      return `${p.name} has both a CNAME and addresses; the CNAME is dropped`
    case 'invalid-object':
      return `malformed object: ${p.reason}`
    default:
      return assertNever(p)
  }
}

/** One line: `Kind ns/name: message`. */
export function formatProblem(p: Problem): string {
  return `${formatRef(p.object)}: ${problemMessage(p)}`
}

/** A CamelCase Event reason per kind. */
export function problemReason(p: Problem): string {
  switch (p.kind) {
    case 'empty-token':
      return 'DNSEmptyName'
    case 'invalid-name':
      return 'DNSInvalidName'
    case 'outside-zones':
      return 'DNSNameOutsideZones'
    case 'invalid-address':
      return 'DNSInvalidAddress'
    case 'nodeport-both-annotations':
      return 'DNSBothAnnotations'
    case 'unsupported-service-type':
      return 'DNSUnsupportedServiceType'
    case 'pod-not-host-network':
      return 'DNSPodNotHostNetwork'
    case 'unresolved-alias':
      return 'DNSUnresolvedAlias'
    case 'cname-conflict':
      return 'DNSCNAMEConflict'
    case 'invalid-object':
      return 'DNSInvalidObject'
    default:
      return assertNever(p)
  }
}
