/**
 * The Kubernetes API as a source of views: one ListWatch per kind the records need. Nodes are
 * always cluster-wide; Pods, Services and Ingresses follow `--watch-namespace` (docs/kops-compat.md,
 * "List and watch"). Pods and Services without either DNS annotation are dropped at once, so 10,000 plain Pods
 * cost nothing but the list traffic.
 */
import { API_SERVICE } from '../records/apiserver.ts'
import {
  projectEndpointSlice,
  projectIngress,
  projectNode,
  projectPod,
  projectService,
  objectKey,
  SERVICE_NAME_LABEL,
} from '../records/project.ts'
import type { Projected } from '../records/project.ts'
import { ANNOTATION_EXTERNAL, ANNOTATION_INTERNAL } from '../records/types.ts'
import type { View, ViewKind } from '../records/views.ts'
import type { Startable } from '../util/lifecycle.ts'
import { ListWatch } from '../k8s/list-watch.ts'
import type { ListWatchComponents, ListWatchInit, Projection } from '../k8s/list-watch.ts'
import type { ViewSink, ViewSource, SourceStatus } from './contract.ts'
import { isJsonObject } from '../util/json.ts'

export interface KubeSourceInit {
  readonly kinds: readonly ViewKind[]
  /** Restricts Pods, Services and Ingresses to one namespace; '' or undefined = all. */
  readonly watchNamespace?: string
  /** Backoff and paging overrides for every watcher. */
  readonly listWatch?: Omit<ListWatchInit, 'kind' | 'path'>
}

const PROJECT: Readonly<Record<ViewKind, (o: unknown) => Projected<View>>> = {
  Node: projectNode,
  Pod: projectPod,
  Service: projectService,
  Ingress: projectIngress,
  EndpointSlice: projectEndpointSlice,
}

export function collectionPath(kind: ViewKind, namespace: string | undefined): string {
  const ns = namespace === undefined || namespace === '' ? '' : `/namespaces/${namespace}`
  switch (kind) {
    case 'Node':
      return '/api/v1/nodes'
    case 'Pod':
      return `/api/v1${ns}/pods`
    case 'Service':
      return `/api/v1${ns}/services`
    case 'Ingress':
      return `/apis/networking.k8s.io/v1${ns}/ingresses`
    case 'EndpointSlice':
      // Only the apiservers' own slices (--cluster-name; labelSelector below), whatever
      // --watch-namespace says: a namespaced Role in `default` is all this needs.
      return `/apis/discovery.k8s.io/v1/namespaces/${API_SERVICE.namespace}/endpointslices`
  }
}

/** Server-side filter per kind: the apiservers' slices only. */
export function labelSelector(kind: ViewKind): string | undefined {
  return kind === 'EndpointSlice' ? `${SERVICE_NAME_LABEL}=${API_SERVICE.name}` : undefined
}

function metadata(o: unknown): Record<string, unknown> | undefined {
  return isJsonObject(o) && isJsonObject(o.metadata) ? o.metadata : undefined
}

function hasDnsAnnotation(o: unknown): boolean {
  const a = metadata(o)?.annotations
  return isJsonObject(a) && (a[ANNOTATION_EXTERNAL] !== undefined || a[ANNOTATION_INTERNAL] !== undefined)
}

export function projection(kind: ViewKind): Projection<Projected<View>> {
  const namespaced = kind !== 'Node'
  const annotationsOnly = kind === 'Pod' || kind === 'Service'
  return {
    key(o) {
      const m = metadata(o)
      if (m === undefined || typeof m.name !== 'string' || m.name === '') return undefined
      if (!namespaced) return objectKey({ name: m.name })
      return typeof m.namespace === 'string' && m.namespace !== ''
        ? objectKey({ name: m.name, namespace: m.namespace })
        : undefined
    },
    view: (o) => (annotationsOnly && !hasDnsAnnotation(o) ? undefined : PROJECT[kind](o)),
    // Views are a few small fields; comparing their JSON is cheaper than recomputing records.
    equal: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  }
}

export class KubeSource implements ViewSource, Startable {
  private readonly watchers: ListWatch<Projected<View>>[]

  constructor(init: KubeSourceInit, sink: ViewSink, c: ListWatchComponents) {
    this.watchers = init.kinds.map((kind) => {
      const path = collectionPath(kind, kind === 'Node' ? undefined : init.watchNamespace)
      const log = c.log.child(kind.toLowerCase())
      const selector = labelSelector(kind)
      return new ListWatch<Projected<View>>(
        { ...init.listWatch, kind, path, ...(selector === undefined ? {} : { labelSelector: selector }) },
        projection(kind),
        {
          upsert: (key, p) => (p.ok ? sink.upsert(p.view) : sink.invalid(kind, key, p.problem)),
          remove: (key) => sink.remove(kind, key),
          synced: () => sink.synced(kind),
        },
        { ...c, log },
      )
    })
  }

  get synced(): boolean {
    return this.watchers.every((w) => w.synced)
  }

  status(): readonly SourceStatus[] {
    return this.watchers.map((w) => ({
      kind: w.kind,
      state: w.state,
      synced: w.synced,
      objects: w.size,
      ...(w.lastError === undefined ? {} : { lastError: w.lastError }),
    }))
  }

  async start(): Promise<void> {
    for (const w of this.watchers) await w.start()
  }

  async stop(): Promise<void> {
    await Promise.all(this.watchers.map((w) => w.stop()))
  }
}
