/**
 * A robust list+watch of one kind (kOps' watcher done right: docs/kops-compat.md, "List and watch"):
 *
 * | situation                              | action                                              |
 * | -------------------------------------- | --------------------------------------------------- |
 * | start, or 410 Gone / expired continue  | full paged list; keys missing from it are removed  |
 * | list done                              | `synced()`; watch from the list's resourceVersion   |
 * | watch ends normally (server timeout)   | watch again from the last resourceVersion           |
 * | any other error (network, 5xx, 403)    | jittered backoff, then watch again (410 → relist)   |
 *
 * Objects are projected to small views as they arrive; raw objects are never kept. An object whose
 * view is `undefined` (e.g. a Pod without our annotations) is not kept at all, so memory follows the
 * objects that matter, not the cluster size. A watcher in error keeps its last good state.
 */
import { backoffMs } from '../util/backoff.ts'
import { sleep } from '../util/sleep.ts'
import type { Rng } from '../util/random.ts'
import { errorMessage } from '../util/errors.ts'
import type { Startable } from '../util/lifecycle.ts'
import type { Logger } from '../util/log.ts'
import { ApiError, isGone, statusError } from './client.ts'
import type { KubeApi, WatchEvent } from './client.ts'
import type { K8sMetrics } from './metrics.ts'
import { isJsonObject } from '../util/json.ts'

export interface Projection<V> {
  /** `namespace/name`, or `name` for cluster-scoped kinds; undefined for a malformed object. */
  key(obj: unknown): string | undefined
  /** What records need from the object, or undefined when it can produce none. */
  view(obj: unknown): V | undefined
  equal(a: V, b: V): boolean
}

/** Where a watcher delivers changes; calls are synchronous and must not throw. */
export interface ListWatchHandler<V> {
  upsert(key: string, view: V): void
  remove(key: string): void
  /** After every complete list (the first one opens the publishing gate). */
  synced(): void
}

export interface ListWatchInit {
  /** For logs and metric labels, e.g. `Pod`. */
  readonly kind: string
  /** Collection path, e.g. `/api/v1/pods` or `/api/v1/namespaces/kube-system/pods`. */
  readonly path: string
  /** Only objects with these labels (`key=value,…`). */
  readonly labelSelector?: string
  /** Objects per list page. @default 500 */
  readonly pageSize?: number
  /** First retry delay after an error. @default 500 */
  readonly backoffBaseMs?: number
  /** Longest retry delay; bounds recovery time after an API outage. @default 10000 */
  readonly backoffCapMs?: number
  /** A watch with no bytes (bookmarks come about once a minute) for this long is dropped. @default 150000 */
  readonly inactivityMs?: number
}

export interface ListWatchComponents {
  readonly api: KubeApi
  readonly log: Logger
  readonly metrics: K8sMetrics
  readonly rng: Rng
}

export type WatchState = 'idle' | 'listing' | 'watching' | 'backoff' | 'stopped'

export class ListWatch<V> implements Startable {
  readonly kind: string
  private readonly init: Required<Omit<ListWatchInit, 'labelSelector'>> & { readonly labelSelector?: string }
  private readonly items = new Map<string, V>()
  private readonly abort = new AbortController()
  private loop: Promise<void> | undefined
  private rv = ''
  private failures = 0
  private _state: WatchState = 'idle'
  private _synced = false
  private _lastError: string | undefined

  private readonly projection: Projection<V>
  private readonly handler: ListWatchHandler<V>
  private readonly c: ListWatchComponents

  constructor(
    init: ListWatchInit,
    projection: Projection<V>,
    handler: ListWatchHandler<V>,
    c: ListWatchComponents,
  ) {
    this.kind = init.kind
    this.projection = projection
    this.handler = handler
    this.c = c
    this.init = { pageSize: 500, backoffBaseMs: 500, backoffCapMs: 10_000, inactivityMs: 150_000, ...init }
  }

  get state(): WatchState {
    return this._state
  }
  /** Listed completely at least once. */
  get synced(): boolean {
    return this._synced
  }
  /** The last failure, cleared by the next successful list or watch event. */
  get lastError(): string | undefined {
    return this._lastError
  }
  get size(): number {
    return this.items.size
  }

  start(): Promise<void> {
    this.loop ??= this.run()
    return Promise.resolve()
  }

  async stop(): Promise<void> {
    this.abort.abort()
    await this.loop
    this._state = 'stopped'
  }

  private get signal(): AbortSignal {
    return this.abort.signal
  }

  private async run(): Promise<void> {
    let needList = true
    while (!this.signal.aborted) {
      try {
        if (needList) {
          this._state = 'listing'
          await this.list()
          needList = false
        }
        this._state = 'watching'
        const started = Date.now()
        const events = await this.watchOnce()
        // A watch that ends at once with nothing in it would spin; count it as a failure.
        if (events === 0 && Date.now() - started < 1000) await this.fail(new Error('watch ended immediately'))
        else this.failures = 0
      } catch (err) {
        if (this.signal.aborted) break
        if (isGone(err)) {
          this.c.log.info('resource version expired; relisting', { kind: this.kind })
          needList = true
          this.rv = ''
          continue
        }
        await this.fail(err)
      }
    }
  }

  private async fail(err: unknown): Promise<void> {
    this.failures++
    this._lastError = errorMessage(err)
    this.c.metrics.watchErrors.inc({ kind: this.kind })
    const delay = backoffMs(this.failures, this.c.rng, this.init.backoffBaseMs, this.init.backoffCapMs)
    const status = err instanceof ApiError ? err.status : undefined
    this.c.log.warn('list/watch failed; retrying', {
      kind: this.kind,
      err: this._lastError,
      status,
      retryMs: delay,
    })
    this._state = 'backoff'
    await sleep(delay, this.signal)
  }

  /** Paged list, then reconcile: changed keys upserted, keys missing from the list removed. */
  private async list(): Promise<void> {
    this.c.metrics.relists.inc({ kind: this.kind })
    const seen = new Map<string, V>()
    let cont: string | undefined
    let rv = ''
    do {
      const page = await this.c.api.get(
        this.init.path,
        { limit: this.init.pageSize, continue: cont, labelSelector: this.init.labelSelector },
        this.signal,
      )
      if (!isJsonObject(page) || !Array.isArray(page.items))
        throw new Error(`list ${this.init.path}: not a list`)
      for (const obj of page.items as unknown[]) {
        const key = this.projection.key(obj)
        if (key === undefined) continue
        const view = this.projection.view(obj)
        if (view !== undefined) seen.set(key, view)
      }
      const meta = isJsonObject(page.metadata) ? page.metadata : {}
      cont = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined
      rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : rv
    } while (cont !== undefined)
    for (const key of [...this.items.keys()]) if (!seen.has(key)) this.delete(key)
    for (const [key, view] of seen) this.set(key, view)
    this.rv = rv
    this._lastError = undefined
    this._synced = true
    this.c.log.debug('listed', { kind: this.kind, kept: this.items.size, resourceVersion: rv })
    this.handler.synced()
  }

  /** One watch request; resolves with the number of events when the server ends it. */
  private async watchOnce(): Promise<number> {
    let events = 0
    // The server ends the watch after timeoutSeconds (5-10 min, spread like client-go) so
    // connections rebalance; bookmarks keep our resourceVersion fresh meanwhile.
    const timeoutSeconds = 300 + this.c.rng.int(300)
    const query = {
      resourceVersion: this.rv,
      allowWatchBookmarks: true,
      timeoutSeconds,
      labelSelector: this.init.labelSelector,
    }
    await this.c.api.watch(
      this.init.path,
      query,
      (ev) => {
        events++
        this.handle(ev)
      },
      { signal: this.signal, inactivityMs: this.init.inactivityMs },
    )
    return events
  }

  private handle(ev: WatchEvent): void {
    this.c.metrics.watchEvents.inc({ kind: this.kind, type: ev.type })
    if (ev.type === 'ERROR') {
      // A 410 here is recognised by `isGone` like one from the list: one signal, one test.
      throw statusError(undefined, ev.object, 'watch error event')
    }
    const obj = ev.object
    const meta = isJsonObject(obj) && isJsonObject(obj.metadata) ? obj.metadata : undefined
    if (typeof meta?.resourceVersion === 'string') this.rv = meta.resourceVersion
    this._lastError = undefined
    if (ev.type === 'BOOKMARK') return
    const key = this.projection.key(obj)
    if (key === undefined) {
      this.c.log.debug('ignored malformed object', { kind: this.kind, type: ev.type })
      return
    }
    if (ev.type === 'DELETED') return this.delete(key)
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') {
      this.c.log.warn('unexpected watch event type', { kind: this.kind, type: ev.type })
      return
    }
    const view = this.projection.view(obj)
    if (view === undefined) this.delete(key)
    else this.set(key, view)
  }

  private set(key: string, view: V): void {
    const old = this.items.get(key)
    if (old !== undefined && this.projection.equal(old, view)) return
    this.items.set(key, view)
    this.c.metrics.objects.set({ kind: this.kind }, this.items.size)
    this.handler.upsert(key, view)
  }

  private delete(key: string): void {
    if (!this.items.delete(key)) return
    this.c.metrics.objects.set({ kind: this.kind }, this.items.size)
    this.handler.remove(key)
  }
}
