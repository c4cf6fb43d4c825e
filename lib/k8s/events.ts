/**
 * Problems with an object become core/v1 Events on it, so `kubectl describe` shows why a name is
 * missing. Each (object, reason, message) is sent at most once per `dedupWindowMs`, and a token
 * bucket bounds the rate overall, so a flapping object or a bad relist can't flood the API.
 * Sending is fire-and-forget: a failed Event is logged and counted, never retried.
 */
import type { Clock, Millis } from '../util/clock.ts'
import { errorMessage } from '../util/errors.ts'
import type { Logger } from '../util/log.ts'
import type { ObjectRef } from '../records/types.ts'
import type { KubeApi } from './client.ts'
import type { K8sMetrics } from './metrics.ts'

export interface EventInit {
  /** `source.component` and `reportingComponent`. @default 'dns-controller' */
  readonly component?: string
  /** `reportingInstance` / `source.host`, e.g. the pod or host name. */
  readonly instance: string
  /** Same event again within this window is suppressed. @default 600000 (10 min) */
  readonly dedupWindowMs?: number
  /** Events per second on average. @default 1 */
  readonly ratePerSecond?: number
  /** Bucket size: how many may go out at once. @default 25 */
  readonly burst?: number
  /** Dedup entries kept; the oldest go first. @default 5000 */
  readonly maxTracked?: number
}

export interface EventComponents {
  readonly api: KubeApi
  readonly log: Logger
  readonly metrics: K8sMetrics
  readonly clock: Clock
}

export interface ObjectEvent {
  readonly object: ObjectRef
  readonly reason: string
  readonly message: string
  /** @default 'Warning' */
  readonly type?: 'Warning' | 'Normal'
}

const API_VERSION: Readonly<Record<ObjectRef['kind'], string>> = {
  Service: 'v1',
  Pod: 'v1',
  Node: 'v1',
  Ingress: 'networking.k8s.io/v1',
  EndpointSlice: 'discovery.k8s.io/v1',
}

export class EventRecorder {
  private readonly init: Required<EventInit>
  private readonly c: EventComponents
  private readonly sent = new Map<string, Millis>()
  private tokens: number
  private refilledAt: Millis
  private readonly inflight = new Set<Promise<void>>()

  constructor(init: EventInit, c: EventComponents) {
    this.init = {
      component: 'dns-controller',
      dedupWindowMs: 600_000,
      ratePerSecond: 1,
      burst: 25,
      maxTracked: 5000,
      ...init,
    }
    this.c = c
    this.tokens = this.init.burst
    this.refilledAt = c.clock.now()
  }

  /** Queues one Event unless it is a recent duplicate or over the rate limit. */
  record(ev: ObjectEvent): void {
    const now = this.c.clock.now()
    const o = ev.object
    const key = `${o.kind}/${o.namespace ?? ''}/${o.name}/${o.uid ?? ''}/${ev.reason}/${ev.message}`
    const last = this.sent.get(key)
    if (last !== undefined && now - last < this.init.dedupWindowMs) {
      this.c.metrics.events.inc({ result: 'duplicate' })
      return
    }
    this.tokens = Math.min(
      this.init.burst,
      this.tokens + ((now - this.refilledAt) / 1000) * this.init.ratePerSecond,
    )
    this.refilledAt = now
    if (this.tokens < 1) {
      this.c.metrics.events.inc({ result: 'rate-limited' })
      return
    }
    this.tokens -= 1
    this.sent.delete(key) // re-insert at the end: Map order is the eviction order
    this.sent.set(key, now)
    if (this.sent.size > this.init.maxTracked) {
      const oldest = this.sent.keys().next().value
      if (oldest !== undefined) this.sent.delete(oldest)
    }
    const p = this.send(ev, now).finally(() => this.inflight.delete(p))
    this.inflight.add(p)
  }

  /** Waits for Events already being sent (for a clean stop). */
  async flush(): Promise<void> {
    await Promise.all([...this.inflight])
  }

  private async send(ev: ObjectEvent, now: Millis): Promise<void> {
    const o = ev.object
    // Cluster-scoped objects (Nodes) get their Events in `default`, as kubectl expects.
    const namespace = o.namespace ?? 'default'
    const time = new Date(now).toISOString()
    const body = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { generateName: `${o.name}.`, namespace },
      involvedObject: {
        apiVersion: API_VERSION[o.kind],
        kind: o.kind,
        name: o.name,
        ...(o.namespace === undefined ? {} : { namespace: o.namespace }),
        ...(o.uid === undefined ? {} : { uid: o.uid }),
      },
      reason: ev.reason,
      message: ev.message.slice(0, 1000),
      type: ev.type ?? 'Warning',
      count: 1,
      firstTimestamp: time,
      lastTimestamp: time,
      source: { component: this.init.component, host: this.init.instance },
      reportingComponent: this.init.component,
      reportingInstance: this.init.instance,
    }
    try {
      await this.c.api.send('POST', `/api/v1/namespaces/${namespace}/events`, body)
      this.c.metrics.events.inc({ result: 'sent' })
    } catch (err) {
      this.c.metrics.events.inc({ result: 'failed' })
      this.c.log.warn('could not record event', {
        object: `${o.kind} ${namespace}/${o.name}`,
        reason: ev.reason,
        err: errorMessage(err),
      })
    }
  }
}
