/**
 * Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules:
 *
 * - A candidate may take the Lease when it is free (no holder: released on a clean stop), already
 *   its own, or when the record has not changed for `leaseDurationSeconds` of *local* time since it
 *   was last observed (so clock skew between replicas does not matter).
 * - The leader renews every `retryPeriodMs`; if no renewal succeeded for `renewDeadlineMs` it steps
 *   down before anyone else may take over (`renewDeadlineMs < leaseDurationMs`).
 * - Writes carry the resourceVersion read, so two candidates can't both win (409 Conflict).
 *
 * Defaults (10 s / 7 s / 2 s) hand over within about 12 s after a leader dies, and within one retry
 * period (2 s) after a leader releases the Lease on a clean stop.
 */
import type { Clock, Millis } from '../util/clock.ts'
import type { Rng } from '../util/random.ts'
import { errorMessage } from '../util/errors.ts'
import type { Startable } from '../util/lifecycle.ts'
import type { Logger } from '../util/log.ts'
import { ApiError } from './client.ts'
import type { KubeApi } from './client.ts'
import { sleep } from '../util/sleep.ts'
import type { K8sMetrics } from './metrics.ts'
import { isJsonObject } from '../util/json.ts'

export interface LeaderInit {
  readonly namespace: string
  readonly name: string
  /** Unique per replica, e.g. `hostname_randomhex`. */
  readonly identity: string
  /** @default 10000 */
  readonly leaseDurationMs?: number
  /** @default 7000 */
  readonly renewDeadlineMs?: number
  /** @default 2000 */
  readonly retryPeriodMs?: number
}

export interface LeaderComponents {
  readonly api: KubeApi
  readonly log: Logger
  readonly metrics: K8sMetrics
  readonly clock: Clock
  readonly rng: Rng
}

/** The fields of a Lease spec we use. */
export interface LeaseRecord {
  readonly holder: string
  readonly leaseDurationSeconds: number
  readonly transitions: number
  readonly acquireTime?: string
  readonly renewTime?: string
}

/** Observed lease plus the local time its record last changed. */
export interface Observed {
  readonly record: LeaseRecord
  readonly observedAt: Millis
}

/** May `me` write the Lease now? (pure; see the rules at the top of the file) */
export function mayAcquire(now: Millis, me: string, observed: Observed | undefined): boolean {
  if (observed === undefined) return true
  const { record, observedAt } = observed
  if (record.holder === '' || record.holder === me) return true
  return observedAt + record.leaseDurationSeconds * 1000 <= now
}

/** Lease MicroTime: RFC 3339 with exactly six fractional digits. */
export function microTime(ms: Millis): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z')
}

function parseLease(x: unknown): { record: LeaseRecord; resourceVersion: string } | undefined {
  if (!isJsonObject(x) || !isJsonObject(x.metadata)) return undefined
  const spec = isJsonObject(x.spec) ? x.spec : {}
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)
  const record: LeaseRecord = {
    holder: str(spec.holderIdentity) ?? '',
    leaseDurationSeconds: typeof spec.leaseDurationSeconds === 'number' ? spec.leaseDurationSeconds : 0,
    transitions: typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0,
    ...(str(spec.acquireTime) === undefined ? {} : { acquireTime: str(spec.acquireTime) as string }),
    ...(str(spec.renewTime) === undefined ? {} : { renewTime: str(spec.renewTime) as string }),
  }
  return { record, resourceVersion: str(x.metadata.resourceVersion) ?? '' }
}

function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return a.holder === b.holder && a.renewTime === b.renewTime && a.transitions === b.transitions
}

export class LeaderElector implements Startable {
  private readonly init: Required<LeaderInit>
  private readonly c: LeaderComponents
  private readonly abort = new AbortController()
  private readonly listeners = new Set<(leader: boolean) => void>()
  private loop: Promise<void> | undefined
  private observed: Observed | undefined
  private leader = false
  private stepDown: ReturnType<typeof setTimeout> | undefined

  constructor(init: LeaderInit, c: LeaderComponents) {
    this.init = { leaseDurationMs: 10_000, renewDeadlineMs: 7_000, retryPeriodMs: 2_000, ...init }
    if (this.init.renewDeadlineMs >= this.init.leaseDurationMs)
      throw new Error('renewDeadlineMs must be < leaseDurationMs')
    this.c = c
  }

  get isLeader(): boolean {
    return this.leader
  }

  /** Called with true when this replica becomes leader and false when it stops being one. */
  onChange(listener: (leader: boolean) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  start(): Promise<void> {
    this.loop ??= this.run()
    return Promise.resolve()
  }

  /**
   * Stops trying and, when leading, releases the Lease so another replica takes over at once.
   * `release: false` leaves the Lease to expire, as a crashed replica would (for tests).
   */
  async stop(opts: { release?: boolean } = {}): Promise<void> {
    this.abort.abort()
    await this.loop
    clearTimeout(this.stepDown)
    if (this.leader && opts.release === false) this.setLeader(false)
    if (this.leader) {
      await this.release().catch((err: unknown) =>
        this.c.log.warn('lease release failed', { err: errorMessage(err) }),
      )
      this.setLeader(false)
    }
  }

  private get path(): string {
    return `/apis/coordination.k8s.io/v1/namespaces/${this.init.namespace}/leases`
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal
    while (!signal.aborted) {
      let ok = false
      try {
        // One attempt may not outlive the renew deadline.
        const attempt = AbortSignal.any([signal, AbortSignal.timeout(this.init.renewDeadlineMs)])
        ok = await this.tryAcquireOrRenew(attempt)
      } catch (err) {
        if (signal.aborted) break
        this.c.log.warn('lease update failed', { lease: this.init.name, err: errorMessage(err) })
      }
      if (ok) {
        // Step down by timer, not by the next loop turn, so a hung request can't keep us leading
        // past the deadline while another replica takes over.
        clearTimeout(this.stepDown)
        this.stepDown = setTimeout(() => {
          this.c.log.warn('could not renew the lease in time; stepping down', { lease: this.init.name })
          this.setLeader(false)
        }, this.init.renewDeadlineMs)
        this.setLeader(true)
      } else if (
        this.leader &&
        this.observed !== undefined &&
        this.observed.record.holder !== this.init.identity
      ) {
        this.setLeader(false)
      }
      // Candidates wait with jitter (up to +20 %) so they do not retry in lock-step.
      const wait = this.leader
        ? this.init.retryPeriodMs
        : this.init.retryPeriodMs * (1 + 0.2 * this.c.rng.float())
      await sleep(wait, signal)
    }
  }

  /** One round: read, decide, write. True when this replica holds the Lease afterwards. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const now = this.c.clock.now()
    const me = this.init.identity
    const spec = (old: LeaseRecord | undefined) => ({
      holderIdentity: me,
      leaseDurationSeconds: Math.ceil(this.init.leaseDurationMs / 1000),
      acquireTime: old?.holder === me && old.acquireTime !== undefined ? old.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: old === undefined ? 0 : old.holder === me ? old.transitions : old.transitions + 1,
    })
    let current: ReturnType<typeof parseLease>
    try {
      current = parseLease(await this.c.api.get(`${this.path}/${this.init.name}`, undefined, signal))
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404)) throw err
      const body = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.init.name },
        spec: spec(undefined),
      }
      await this.c.api.send('POST', this.path, body, signal)
      this.observed = {
        record: { holder: me, leaseDurationSeconds: body.spec.leaseDurationSeconds, transitions: 0 },
        observedAt: now,
      }
      return true
    }
    if (current === undefined) throw new Error('lease object is malformed')
    if (this.observed === undefined || !sameRecord(this.observed.record, current.record))
      this.observed = { record: current.record, observedAt: now }
    if (!mayAcquire(now, me, this.observed)) return false
    const body = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.init.name, resourceVersion: current.resourceVersion },
      spec: spec(current.record),
    }
    try {
      await this.c.api.send('PUT', `${this.path}/${this.init.name}`, body, signal)
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) return false // someone else wrote first
      throw err
    }
    return true
  }

  private async release(): Promise<void> {
    const current = parseLease(await this.c.api.get(`${this.path}/${this.init.name}`))
    if (current === undefined || current.record.holder !== this.init.identity) return
    const now = microTime(this.c.clock.now())
    await this.c.api.send('PUT', `${this.path}/${this.init.name}`, {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: this.init.name, resourceVersion: current.resourceVersion },
      spec: {
        leaseDurationSeconds: 1,
        leaseTransitions: current.record.transitions,
        acquireTime: now,
        renewTime: now,
      },
    })
    this.c.log.info('released the lease', { lease: this.init.name })
  }

  private setLeader(leader: boolean): void {
    if (this.leader === leader) return
    this.leader = leader
    this.c.metrics.leaderTransitions.inc()
    this.c.log.info(leader ? 'became leader' : 'no longer leader', {
      lease: `${this.init.namespace}/${this.init.name}`,
      identity: this.init.identity,
    })
    for (const l of this.listeners) l(leader)
  }
}
