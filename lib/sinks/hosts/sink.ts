/**
 * The hosts sink: turns each replica view into the desired block and writes it, coalescing bursts
 * (only the latest view is written) and retrying a failed write with backoff.
 */
import type { Registry } from 'prom-client'
import type { ReplicaView } from '../../gossip/api.ts'
import { randomRng } from '../../util/random.ts'
import { backoffMs } from '../../util/backoff.ts'
import { errorMessage } from '../../util/errors.ts'
import { counter, gauge } from '../../util/metrics.ts'
import type { Logger } from '../../util/log.ts'
import { hostEntries } from './entries.ts'
import { writeHostsFile } from './writer.ts'

export const DEFAULT_RESYNC_MS = 30_000
/** A failed write is retried after a jittered backoff from this up to the cap. */
const RETRY_BASE_MS = 500
const RETRY_CAP_MS = 30_000

export interface HostsSinkInit {
  readonly path: string
  readonly zones: readonly string[]
  /**
   * The last view is re-applied this often, so a block someone else removed (cloud-init's
   * manage_etc_hosts, an editor) comes back without a replica change; unchanged bytes are not
   * written. 0 disables. @default DEFAULT_RESYNC_MS
   */
  readonly resyncMs?: number
}

export interface HostsSinkComponents {
  readonly log: Logger
  readonly registry: Registry
}

export interface HostsSink {
  /** Schedules a write of this view (the latest view wins). */
  update(view: ReplicaView): void
  /** Resolves when no write is pending; for tests and shutdown. */
  idle(): Promise<void>
  /** The last write's outcome: `lastError` is set while writes fail (readiness, /state). */
  status(): HostsSinkStatus
  stop(): void
}

export interface HostsSinkStatus {
  readonly path: string
  /** Why the last write failed; undefined once a write succeeds. */
  readonly lastError?: string
  /** ISO time of that failure. */
  readonly lastErrorAt?: string
}

export function createHostsSink(init: HostsSinkInit, c: HostsSinkComponents): HostsSink {
  const log = c.log.child('hosts')
  const writes = counter(
    c.registry,
    'dns_controller_hosts_writes_total',
    'Hosts file updates by outcome (written, unchanged, error).',
    ['outcome'],
  )
  const problems = counter(
    c.registry,
    'dns_controller_hosts_problems_total',
    'Malformed lines or markers found in the hosts file, by kind.',
    ['kind'],
  )
  const skipped = counter(
    c.registry,
    'dns_controller_hosts_skipped_names_total',
    'Published names left out of the hosts file, by reason (wildcard: served by DNS only); each name counted once.',
    ['reason'],
  )
  const names = gauge(c.registry, 'dns_controller_hosts_names', 'Names this agent keeps in the hosts block.')
  const rng = randomRng()
  const reportedWildcards = new Set<string>()
  let pending: ReplicaView | undefined
  let scheduled: NodeJS.Immediate | NodeJS.Timeout | undefined
  let failures = 0
  let stopped = false
  let waiters: (() => void)[] = []
  let last: ReplicaView | undefined
  let lastError: { message: string; at: string } | undefined
  const resyncMs = init.resyncMs ?? DEFAULT_RESYNC_MS
  const resync =
    resyncMs > 0
      ? setInterval(() => {
          if (last !== undefined && pending === undefined && scheduled === undefined) {
            pending = last
            scheduled = setImmediate(run)
          }
        }, resyncMs)
      : undefined
  resync?.unref()

  const settle = (): void => {
    const w = waiters
    waiters = []
    for (const f of w) f()
  }
  const run = (): void => {
    scheduled = undefined
    const view = pending
    if (view === undefined || stopped) return settle()
    pending = undefined
    const entries = hostEntries(view.records, init.zones)
    for (const name of entries.unresolved) log.debug('cname not written: chain leaves our data', { name })
    for (const name of entries.wildcards) {
      if (reportedWildcards.has(name)) continue
      reportedWildcards.add(name)
      skipped.inc({ reason: 'wildcard' })
      log.info('wildcard name not written to the hosts file (DNS answers it)', { name })
    }
    try {
      const r = writeHostsFile(init.path, entries.hosts, init.zones)
      failures = 0
      lastError = undefined
      writes.inc({ outcome: r.outcome })
      names.set(entries.hosts.size)
      for (const p of r.problems) {
        problems.inc({ kind: p.kind })
        log.warn('hosts file problem', { path: init.path, ...p })
      }
      if (r.outcome === 'written')
        log.info('hosts file written', { path: init.path, names: entries.hosts.size })
    } catch (err) {
      writes.inc({ outcome: 'error' })
      lastError = { message: errorMessage(err), at: new Date().toISOString() }
      pending ??= view
      const delay = backoffMs(failures++, rng, RETRY_BASE_MS, RETRY_CAP_MS)
      log.error('hosts file write failed', { path: init.path, err: errorMessage(err), retryMs: delay })
      scheduled = setTimeout(run, delay)
      scheduled.unref()
      return settle()
    }
    if (pending !== undefined) scheduled = setImmediate(run)
    else settle()
  }

  return {
    update(view) {
      pending = last = view
      if (scheduled === undefined && !stopped) scheduled = setImmediate(run)
    },
    idle: () =>
      scheduled === undefined || pending === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push(resolve)),
    status: () => ({
      path: init.path,
      ...(lastError === undefined ? {} : { lastError: lastError.message, lastErrorAt: lastError.at }),
    }),
    stop() {
      stopped = true
      if (resync !== undefined) clearInterval(resync)
      if (scheduled !== undefined) {
        clearTimeout(scheduled as NodeJS.Timeout)
        clearImmediate(scheduled as NodeJS.Immediate)
      }
      scheduled = undefined
      settle()
    },
  }
}
