/**
 * A complete set of objects (a manifest, re-read when it changes) fed into the record pipeline
 * with relist semantics (as kOps' watchers: docs/kops-compat.md, "List and watch"): every object upserted, every key not seen this time removed,
 * every scope marked synced. `render` runs it once on a fresh pipeline; `--from FILE` on each read.
 */
import { projectByKind } from '../records/project.ts'
import type { RecordPipeline } from '../records/pipeline.ts'
import type { ViewKind } from '../records/views.ts'

export interface SyncOptions {
  /** `--watch-namespace`: Pods, Services and Ingresses elsewhere are ignored; Nodes never are. */
  readonly watchNamespace?: string
}

export interface SyncResult {
  /** Objects that fed a scope. */
  readonly used: number
  /** Objects of kinds that make no records (ConfigMaps, …; EndpointSlices without --cluster-name) or outside the namespace. */
  readonly skipped: number
}

function namespaceOf(o: unknown): string {
  const meta =
    typeof o === 'object' && o !== null ? (o as { metadata?: { namespace?: unknown } }).metadata : undefined
  return typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default'
}

export function syncObjects(
  pipeline: RecordPipeline,
  objects: readonly unknown[],
  opts: SyncOptions = {},
): SyncResult {
  const seen = new Map<ViewKind, Set<string>>(pipeline.kinds.map((k) => [k, new Set<string>()]))
  let used = 0
  let skipped = 0
  for (const o of objects) {
    const projected = projectByKind(o)
    const kind = (o as { kind?: string }).kind as ViewKind
    const keys = seen.get(kind)
    if (projected === undefined || keys === undefined) {
      skipped++
      continue
    }
    // Nodes are cluster-wide, and the apiservers' EndpointSlices live in `default` whatever the namespace.
    const anyNamespace = kind === 'Node' || kind === 'EndpointSlice'
    if (!anyNamespace && opts.watchNamespace !== undefined && namespaceOf(o) !== opts.watchNamespace) {
      skipped++
      continue
    }
    used++
    if (projected.ok) {
      pipeline.upsert(projected.view)
      keys.add(projected.view.key)
    } else {
      keys.add(pipeline.reject(projected.problem))
    }
  }
  for (const [kind, keys] of seen) {
    for (const key of pipeline.keys(kind)) if (!keys.has(key)) pipeline.remove(kind, key)
    pipeline.markSynced(kind)
  }
  return { used, skipped }
}
