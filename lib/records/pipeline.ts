/**
 * The one pipeline shared by the controller and `render`: views in, per-object records into
 * `DesiredRecords`, resolved snapshots out.
 *
 *   objects ─project─► views ─build─► per-object records ─► scopes ─resolve─► ResolvedRecord[]
 *
 * It also keeps what kOps got wrong by doing a live Node GET per pod event (STYLE.md section 1):
 * a hostNetwork pod with several IPs depends on its node's InternalIPs, so the pipeline remembers
 * those pods by node and recomputes them when that node changes or goes away.
 */
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
}

/** kOps' scope names (Appendix A). */
export const SCOPE_OF: Readonly<Record<ViewKind, string>> = {
  Node: 'node',
  Pod: 'pod',
  Service: 'service',
  Ingress: 'ingress',
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

  constructor(opts: PipelineOptions) {
    this.#opts = opts
    const kinds: ViewKind[] = ['Node', 'Pod', 'Service', ...(opts.watchIngress ? (['Ingress'] as const) : [])]
    for (const kind of kinds) this.#scopes.set(kind, this.desired.createScope(SCOPE_OF[kind], kind))
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
    }
    return result.problems
  }

  /**
   * Records a problem for an object that could not be projected (malformed): its records go and
   * the problem stays with its key until the object is fixed or removed. Returns the key.
   */
  reject(problem: Problem): string {
    const ref = problem.object
    const key = ref.namespace === undefined ? ref.name : `${ref.namespace}/${ref.name}`
    const kind = ref.kind === 'EndpointSlice' ? undefined : ref.kind
    if (kind === undefined) return key
    this.#scopes.get(kind)?.replace(key, [], { ref, problems: [problem] })
    if (kind === 'Pod') this.#untrackPod(key)
    if (kind === 'Node') {
      this.#nodes.delete(key)
      this.#recomputeDependents(key)
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
    }
  }

  /** Keys currently held for a kind (for relist reconciliation). */
  keys(kind: ViewKind): ReadonlySet<string> {
    return this.#scopes.get(kind)?.keys() ?? new Set()
  }

  markSynced(kind: ViewKind): void {
    this.#scopes.get(kind)?.markSynced()
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
      default:
        return assertNever(view)
    }
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
