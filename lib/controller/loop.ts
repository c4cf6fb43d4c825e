/**
 * The controller loop: a source (the Kubernetes API or a manifest file) feeds views into the
 * records pipeline; after a short debounce the resolved snapshot is published, when
 *
 * | condition                                   | why                                                   |
 * | ------------------------------------------- | ----------------------------------------------------- |
 * | every kind was listed once (snapshot gate)  | kOps' gate: never publish a partial view of the cluster |
 * | this replica leads (or election is off)     | one writer; followers keep their state warm           |
 * | records differ from the last publish        | a new leader always publishes once                    |
 *
 * A watcher in error keeps its last good state, so an API outage publishes nothing new rather
 * than an emptied snapshot. New problems are logged, counted and (on the leader) sent as Events.
 */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'
import type { Publisher } from '../gossip/api.ts'
import type { Check } from '../http/ops-server.ts'
import type { EventRecorder } from '../k8s/events.ts'
import { RecordPipeline } from '../records/pipeline.ts'
import type { PipelineOptions } from '../records/pipeline.ts'
import { formatProblem, problemMessage, problemReason } from '../records/problems.ts'
import type { Problem } from '../records/problems.ts'
import type { ResolvedRecord } from '../records/types.ts'
import type { ViewKind } from '../records/views.ts'
import { syncObjects } from '../sources/objects.ts'
import type { ViewSink, ViewSource } from '../sources/contract.ts'
import { backoffMs } from '../util/backoff.ts'
import type { Clock } from '../util/clock.ts'
import type { Rng } from '../util/random.ts'
import { Debouncer } from '../util/debounce.ts'
import { systemTimers } from '../util/timers.ts'
import type { TimerHandle, Timers } from '../util/timers.ts'
import { decidePublish } from './decide.ts'
import type { LastPublish } from './decide.ts'
import { errorMessage } from '../util/errors.ts'
import type { Startable } from '../util/lifecycle.ts'
import type { Logger } from '../util/log.ts'

/** A failed publish is retried after a jittered backoff from this… */
const RETRY_BASE_MS = 200
/** …up to this. */
const RETRY_CAP_MS = 30_000

export interface ControllerInit {
  readonly records: PipelineOptions
  /** Quiet time after the last change before publishing. @default 100 */
  readonly debounceMs?: number
  /** Longest delay between a change and its publish under a steady stream of changes. @default 1000 */
  readonly maxWaitMs?: number
}

/** Who leads; absent means this replica always does (no election, e.g. `--from`). */
export interface Leadership {
  readonly isLeader: boolean
  onChange(listener: (leader: boolean) => void): () => void
}

export interface ControllerComponents {
  readonly log: Logger
  readonly registry: Registry
  readonly clock: Clock
  /** @default systemTimers */
  readonly timers?: Timers
  readonly rng: Rng
  readonly publisher: Publisher
  /** Builds the source around the controller's sink (so the source can be created first). */
  readonly source: (sink: ViewSink) => ViewSource
  readonly leadership?: Leadership
  readonly events?: EventRecorder
}

export interface ControllerStatus {
  readonly leader: boolean
  readonly synced: boolean
  readonly publishedRecords: number | undefined
  readonly lastPublishError: string | undefined
}

export class Controller implements Startable {
  readonly pipeline: RecordPipeline
  private readonly c: ControllerComponents
  private readonly source: ViewSource
  private readonly debouncer: Debouncer
  private reported = new Set<string>()
  private evented = new Set<string>()
  private readonly timers: Timers
  private timer: TimerHandle
  private retryTimer: TimerHandle
  private publishing = false
  private stopped = false
  private failures = 0
  private published: LastPublish | undefined
  private publishedCount: number | undefined
  private lastError: string | undefined
  private unsubscribe: (() => void) | undefined
  private readonly m: ReturnType<typeof controllerMetrics>

  constructor(init: ControllerInit, c: ControllerComponents) {
    this.c = c
    this.timers = c.timers ?? systemTimers
    this.pipeline = new RecordPipeline(init.records)
    this.debouncer = new Debouncer(init.debounceMs ?? 100, init.maxWaitMs ?? 1000)
    this.m = controllerMetrics(c.registry)
    const changed = (): void => this.poke()
    this.source = c.source({
      upsert: (view) => {
        this.pipeline.upsert(view)
        changed()
      },
      remove: (kind, key) => {
        this.pipeline.remove(kind, key)
        changed()
      },
      invalid: (_kind, _key, problem) => {
        this.pipeline.reject(problem)
        changed()
      },
      replaceAll: (objects, opts) => {
        const result = syncObjects(this.pipeline, objects, opts)
        changed()
        return result
      },
      synced: (kind: ViewKind) => {
        this.pipeline.markSynced(kind)
        changed()
      },
    })
  }

  get leader(): boolean {
    return this.c.leadership?.isLeader ?? true
  }

  status(): ControllerStatus {
    return {
      leader: this.leader,
      synced: this.source.synced,
      publishedRecords: this.publishedCount,
      lastPublishError: this.lastError,
    }
  }

  /** Alive while not stopped; an API outage is not a reason to restart us. */
  healthy(): Check {
    return this.stopped ? { ok: false, reason: 'stopped' } : { ok: true }
  }

  /** Ready once every kind is listed and, on the leader, the current records are published. */
  ready(): Check {
    if (!this.source.synced) {
      const waiting = this.source.status().filter((s) => !s.synced)
      return { ok: false, reason: `waiting for the first list of ${waiting.map((s) => s.kind).join(', ')}` }
    }
    if (this.leader && this.published === undefined)
      return { ok: false, reason: this.lastError ?? 'first publish pending' }
    return { ok: true }
  }

  sourceStatus(): ReturnType<ViewSource['status']> {
    return this.source.status()
  }

  async start(): Promise<void> {
    this.unsubscribe = this.c.leadership?.onChange((leader) => {
      this.m.leader.set(leader ? 1 : 0)
      // A new term publishes even unchanged records: this replica's snapshot must become current.
      if (leader) this.published = undefined
      this.poke()
    })
    this.m.leader.set(this.leader ? 1 : 0)
    await this.source.start()
  }

  async stop(): Promise<void> {
    this.stopped = true
    this.timers.clear(this.timer)
    this.timers.clear(this.retryTimer)
    this.unsubscribe?.()
    await this.source.stop()
    await this.c.events?.flush()
  }

  private poke(): void {
    if (this.stopped) return
    this.debouncer.poke(this.c.clock.now())
    this.arm()
  }

  private arm(): void {
    const deadline = this.debouncer.deadline()
    if (deadline === undefined || this.publishing) return
    this.timers.clear(this.timer)
    this.timer = this.timers.set(() => void this.tick(), Math.max(0, deadline - this.c.clock.now()))
  }

  private async tick(): Promise<void> {
    if (this.stopped) return
    this.debouncer.taken()
    const snap = this.pipeline.snapshot()
    this.m.synced.set(snap === undefined ? 0 : 1)
    if (snap !== undefined) this.report(snap.problems)
    const decision = decidePublish({ snapshot: snap, leader: this.leader, last: this.published })
    if (decision !== 'publish' || snap === undefined) return
    this.publishing = true
    const started = this.c.clock.now()
    try {
      await this.publish(snap.records)
      this.published = { version: snap.version, records: snap.records }
      this.publishedCount = snap.records.length
      this.lastError = undefined
      this.failures = 0
      this.m.publishes.inc({ result: 'ok' })
      this.m.records.set(snap.records.length)
      this.m.lastPublish.set(this.c.clock.now() / 1000)
      this.c.log.info('published', { records: snap.records.length, ms: this.c.clock.now() - started })
    } catch (err) {
      this.failures++
      this.lastError = `publish failed: ${errorMessage(err)}`
      this.m.publishes.inc({ result: 'error' })
      const retry = backoffMs(this.failures, this.c.rng, RETRY_BASE_MS, RETRY_CAP_MS)
      this.c.log.warn('publish failed; retrying', { err: errorMessage(err), retryMs: retry })
      this.timers.clear(this.retryTimer)
      this.retryTimer = this.timers.set(() => this.poke(), retry)
    } finally {
      this.publishing = false
      this.arm()
    }
  }

  private async publish(records: readonly ResolvedRecord[]): Promise<void> {
    await this.c.publisher.publish(records)
  }

  /**
   * Logs and counts the problems that are new since last time; the leader also sends Events for
   * the problems it has not sent yet in its term (a new leader reports what its predecessor did,
   * the recorder's dedup keeps repeats down).
   */
  private report(problems: readonly Problem[]): void {
    const now = new Set<string>()
    const evented = new Set<string>()
    for (const p of problems) {
      const line = formatProblem(p)
      now.add(line)
      if (!this.reported.has(line)) {
        this.m.problems.inc({ kind: p.kind })
        this.c.log.warn('record problem', { problem: p.kind, detail: line })
      }
      if (!this.leader) continue
      evented.add(line)
      if (!this.evented.has(line))
        this.c.events?.record({ object: p.object, reason: problemReason(p), message: problemMessage(p) })
    }
    this.reported = now
    this.evented = evented
  }
}

function controllerMetrics(registry: Registry) {
  const registers = [registry]
  return {
    problems: new Counter({
      name: 'dns_controller_problems_total',
      help: 'Problems found in objects (bad names, names outside the zones, …), by kind; each counted once when it appears.',
      labelNames: ['kind'],
      registers,
    }),
    publishes: new Counter({
      name: 'dns_controller_publishes_total',
      help: 'Snapshots handed to the gossip publisher, by result.',
      labelNames: ['result'],
      registers,
    }),
    records: new Gauge({
      name: 'dns_controller_published_records',
      help: 'Record sets in the last published snapshot.',
      registers,
    }),
    lastPublish: new Gauge({
      name: 'dns_controller_last_publish_timestamp_seconds',
      help: 'Unix time of the last successful publish.',
      registers,
    }),
    synced: new Gauge({
      name: 'dns_controller_synced',
      help: '1 once every watched kind has been listed (the publishing gate is open).',
      registers,
    }),
    leader: new Gauge({
      name: 'dns_controller_is_leader',
      help: '1 while this replica may publish.',
      registers,
    }),
  }
}
