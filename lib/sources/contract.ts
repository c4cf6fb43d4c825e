/**
 * What the controller reads records from: the Kubernetes API (lib/sources/kube.ts) or a manifest
 * file (`--from`, lib/sources/file.ts). Both push views into a `ViewSink`.
 */
import type { Problem } from '../records/problems.ts'
import type { SyncOptions, SyncResult } from './objects.ts'
import type { View, ViewKind } from '../records/views.ts'
import type { Startable } from '../util/lifecycle.ts'

/** Where a source delivers objects; calls are synchronous and never throw. */
export interface ViewSink {
  upsert(view: View): void
  remove(kind: ViewKind, key: string): void
  /** A malformed object: it makes no records and reports one problem. */
  invalid(kind: ViewKind, key: string, problem: Problem): void
  /** After every complete list of `kind`. */
  synced(kind: ViewKind): void
  /** A complete set of objects of every kind (a manifest read): relist semantics for all kinds. */
  replaceAll(objects: readonly unknown[], opts: SyncOptions): SyncResult
}

export interface SourceStatus {
  readonly kind: string
  readonly state: string
  readonly synced: boolean
  readonly objects: number
  readonly lastError?: string
}

export interface ViewSource extends Startable {
  /** Every kind listed (or the file read) at least once. */
  readonly synced: boolean
  status(): readonly SourceStatus[]
}
