/**
 * The one pipeline shared by the controller and `render`: views in, per-object records into
 * `DesiredRecords`, resolved snapshots out.
 *
 *   objects ─project─► views ─build─► per-object records ─► scopes ─resolve─► ResolvedRecord[]
 *
 * It also keeps what kOps got wrong by doing a live Node GET per pod event:
 * a hostNetwork pod with several IPs depends on its node's InternalIPs, so the pipeline remembers
 * those pods by node and recomputes them when that node changes or goes away.
 */
import {
  apiExternalFromNode,
  apiExternalStatic,
  apiInternalRecords,
  APISERVER_PRECEDENCE,
} from './apiserver.ts'
import type { ApiserverOptions } from './apiserver.ts'
import { objectKey } from './project.ts'
import { ingressRecords, nodeRecords, podDependsOnNode, podRecords, serviceRecords } from './build.ts'
import type { RecordsResult } from './build.ts'
import { assertNever } from '../util/errors.ts'
import { DesiredRecords } from './desired.ts'
import type { DesiredSnapshot, Scope } from './desired.ts'
import type { RecordOptions } from './options.ts'
import type { Problem } from './problems.ts'
import type { NodeIndex, NodeView, PodView, View, ViewKind } from './views.ts'

export interface PipelineOptions extends RecordOptions {
  /** `--watch-ingress`: without it there is no ingress scope and Ingress views are ignored. */
  readonly watchIngress: boolean
  /**
   * `--cluster-name` (and `--api-external-address`): api.internal.NAME from the default/kubernetes
   * EndpointSlices, api.NAME from the given addresses or control-plane nodes (apiserver.ts).
   * Absent: no EndpointSlice scope, EndpointSlice views are ignored.
   */
  readonly apiserver?: ApiserverOptions
}

/** kOps' scope names (Appendix A). */
export const SCOPE_OF: Readonly<Record<ViewKind, string>> = {
  Node: 'node',
  Pod: 'pod',
  Service: 'service',
  Ingress: 'ingress',
  EndpointSlice: 'apiserver',
}

/** api.NAME's scope: derived from Nodes (or --api-external-address), not a watcher of its own. */
export const API_EXTERNAL_SCOPE = 'apiserver-external'
const STATIC_KEY = 'api'

/**
 * The kinds records depend on, in one place: the pipeline makes a scope for each and the
 * Kubernetes source a watcher, so the publish gate (every scope listed once) can always open.
 */
export function watchedKinds(watchIngress: boolean, clusterName: boolean): ViewKind[] {
  return [
    'Node',
    'Pod',
    'Service',
    ...(watchIngress ? (['Ingress'] as const) : []),
    ...(clusterName ? (['EndpointSlice'] as const) : []),
  ]
}

export class RecordPipeline {
  readonly desired = new DesiredRecords()
  readonly #opts: PipelineOptions
  readonly #scopes = new Map<ViewKind, Scope>()
  readonly #nodes = new Map<string, NodeView>()
  /** Pods whose records depend on their node, by node name then pod key. */
  readonly #dependents = new Map<string, Map<string, PodView>>()
  readonly #podNode = new Map<string, string>()
  readonly nodes: NodeIndex = { get: (name) => this.#nodes.get(name) }
  /** api.NAME per control-plane node, or one static entry; undefined without --cluster-name. */
  readonly #apiExternal: Scope | undefined

  constructor(opts: PipelineOptions) {
    this.#opts = opts
    for (const kind of watchedKinds(opts.watchIngress, opts.apiserver !== undefined)) {
      const precedence = kind === 'EndpointSlice' ? APISERVER_PRECEDENCE : 0
      this.#scopes.set(kind, this.desired.createScope(SCOPE_OF[kind], kind, precedence))
    }
    const api = opts.apiserver
    if (api !== undefined) {
      this.#apiExternal = this.desired.createScope(API_EXTERNAL_SCOPE, 'Node', APISERVER_PRECEDENCE)
      if (api.externalAddresses.length > 0) {
        const r = apiExternalStatic(api, opts.zones)
        this.#apiExternal.replace(STATIC_KEY, r.records, { problems: r.problems })
        this.#apiExternal.markSynced()
      }
    }
  }

  /** Which kinds this pipeline has scopes for (watchers to start). */
  get kinds(): readonly ViewKind[] {
    return [...this.#scopes.keys()]
  }

  /** Adds or updates one object; returns its current problems (to log, count and turn into Events). */
  upsert(view: View): readonly Problem[] {
    const scope = this.#scopes.get(view.kind)
    if (scope === undefined) return []
    const result = this.#build(view)
    scope.replace(view.key, result.records, { ref: view.ref, problems: result.problems })
    if (view.kind === 'Pod') this.#trackPod(view)
    if (view.kind === 'Node') {
      this.#nodes.set(view.key, view)
      this.#recomputeDependents(view.key)
      this.#apiExternalFor(view)
    }
    return result.problems
  }

  /**
   * Records a problem for an object that could not be projected (malformed): its records go and
   * the problem stays with its key until the object is fixed or removed. Returns the key.
   */
  reject(problem: Problem): string {
    const ref = problem.object
    const key = objectKey(ref)
    const kind = ref.kind
    this.#scopes.get(kind)?.replace(key, [], { ref, problems: [problem] })
    if (kind === 'Pod') this.#untrackPod(key)
    if (kind === 'Node') {
      this.#nodes.delete(key)
      this.#recomputeDependents(key)
      this.#apiExternalGone(key)
    }
    return key
  }

  /** Removes one object (a delete event, or absent on relist). */
  remove(kind: ViewKind, key: string): void {
    const scope = this.#scopes.get(kind)
    if (scope === undefined) return
    scope.replace(key, [])
    if (kind === 'Pod') this.#untrackPod(key)
    if (kind === 'Node') {
      this.#nodes.delete(key)
      this.#recomputeDependents(key)
      this.#apiExternalGone(key)
    }
  }

  /** Keys currently held for a kind (for relist reconciliation). */
  keys(kind: ViewKind): ReadonlySet<string> {
    return this.#scopes.get(kind)?.keys() ?? new Set()
  }

  markSynced(kind: ViewKind): void {
    this.#scopes.get(kind)?.markSynced()
    // api.NAME from nodes is complete once the nodes are.
    if (kind === 'Node') this.#apiExternal?.markSynced()
  }

  snapshot(): DesiredSnapshot | undefined {
    return this.desired.snapshot()
  }

  #build(view: View): RecordsResult {
    switch (view.kind) {
      case 'Service':
        return serviceRecords(view, this.#opts)
      case 'Pod':
        return podRecords(view, this.nodes, this.#opts)
      case 'Node':
        return nodeRecords(view, this.#opts)
      case 'Ingress':
        return ingressRecords(view, this.#opts)
      case 'EndpointSlice':
        return this.#opts.apiserver === undefined
          ? { records: [], problems: [] }
          : apiInternalRecords(view, this.#opts.apiserver, this.#opts.zones)
      default:
        return assertNever(view)
    }
  }

  #apiExternalFor(node: NodeView): void {
    const api = this.#opts.apiserver
    if (this.#apiExternal === undefined || api === undefined || api.externalAddresses.length > 0) return
    const r = apiExternalFromNode(node, api, this.#opts.zones)
    this.#apiExternal.replace(node.key, r.records, { ref: node.ref, problems: r.problems })
  }

  #apiExternalGone(key: string): void {
    if (this.#opts.apiserver?.externalAddresses.length === 0) this.#apiExternal?.replace(key, [])
  }

  #trackPod(pod: PodView): void {
    this.#untrackPod(pod.key)
    if (!podDependsOnNode(pod) || pod.nodeName === undefined) return
    let byKey = this.#dependents.get(pod.nodeName)
    if (byKey === undefined) this.#dependents.set(pod.nodeName, (byKey = new Map()))
    byKey.set(pod.key, pod)
    this.#podNode.set(pod.key, pod.nodeName)
  }

  #untrackPod(key: string): void {
    const node = this.#podNode.get(key)
    if (node === undefined) return
    this.#podNode.delete(key)
    const byKey = this.#dependents.get(node)
    byKey?.delete(key)
    if (byKey?.size === 0) this.#dependents.delete(node)
  }

  #recomputeDependents(node: string): void {
    const scope = this.#scopes.get('Pod')
    const pods = this.#dependents.get(node)
    if (scope === undefined || pods === undefined) return
    for (const pod of pods.values()) {
      const result = podRecords(pod, this.nodes, this.#opts)
      scope.replace(pod.key, result.records, { ref: pod.ref, problems: result.problems })
    }
  }
}
