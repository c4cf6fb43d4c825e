/**
 * The node agent's wiring: a verified replica (from gossip, or any `ReplicaSource`) feeds the
 * hosts sink and the DNS server; the ops server shows health, readiness, metrics and `/state`.
 *
 * | event                         | hosts file          | DNS                         | /readyz |
 * | ----------------------------- | ------------------- | --------------------------- | ------- |
 * | start, nothing known          | untouched           | SERVFAIL in our zones       | 503     |
 * | start, persisted view on disk | written from it     | served from it              | 200     |
 * | live view from the source     | written             | cache rebuilt and swapped   | 200     |
 *
 * The signed snapshots behind the last live view are persisted in `<state-dir>/snapshots.bin`
 * (gossip/snapshot-file.ts), and given back to the source at start, which checks them exactly like
 * a peer's: a restarted agent serves at once, never serves what it cannot verify, and never goes
 * back to a version older than one it held.
 */
import { existsSync, unlinkSync } from 'node:fs'
import { join } from 'node:path'
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'
import type { ReplicaSource, ReplicaView } from './gossip/api.ts'
import { GOSSIP_DEFAULTS } from './gossip/core/config.ts'
import { SNAPSHOT_FILE, readSnapshotFile, writeSnapshotFile } from './gossip/snapshot-file.ts'
import type { Check } from './http/ops-server.ts'
import { startOpsServer } from './http/ops-server.ts'
import type { OpsServer } from './http/ops-server.ts'
import { buildCache } from './sinks/dns/cache.ts'
import type { AnswerCache } from './sinks/dns/cache.ts'
import { startDnsServer } from './sinks/dns/server.ts'
import type { DnsServer } from './sinks/dns/server.ts'
import { createHostsSink } from './sinks/hosts/sink.ts'
import type { HostsSink } from './sinks/hosts/sink.ts'
import type { Clock } from './util/clock.ts'
import { errorMessage } from './util/errors.ts'
import { formatHostPort } from './util/hostport.ts'
import type { HostPort } from './util/hostport.ts'
import type { Startable } from './util/lifecycle.ts'
import type { Logger } from './util/log.ts'

export interface AgentInit {
  /** Zones served and written (lower-case, no trailing dot). */
  readonly zones: readonly string[]
  readonly stateDir: string
  /** Write the managed block here; undefined disables the hosts sink. */
  readonly hostsFile?: string
  /** Answer DNS here (UDP and TCP); undefined disables the DNS sink. */
  readonly dnsListen?: HostPort
  readonly upstreams: readonly HostPort[]
  /** `/metrics`, `/healthz`, `/readyz`, `/state`; undefined disables. */
  readonly metricsListen?: HostPort
  /**
   * `/readyz` fails when no live snapshot of a trusted publisher has arrived this long after
   * start (a wrong key or trust file, no controller); a persisted view alone is not enough then.
   * Undefined or 0: never.
   */
  readonly publisherTimeoutMs?: number
}

export interface AgentComponents {
  readonly source: ReplicaSource
  readonly log: Logger
  readonly registry: Registry
  readonly clock: Clock
  /** Connected gossip peers, for /state. */
  readonly peers?: () => number
}

export interface AgentState {
  readonly records: readonly { name: string; type: string; values: readonly string[]; ttl: number }[]
  readonly publishers: readonly { id: string; version: string }[]
  readonly peers: number
  /** Each enabled sink and its last error (absent when it works). */
  readonly sinks?: {
    readonly hosts?: { readonly path: string; readonly lastError?: string; readonly lastErrorAt?: string }
    readonly dns?: { readonly listen: string; readonly lastError?: string }
  }
}

export interface Agent extends Startable {
  state(): AgentState
  ready(): Check
  /** Bound addresses (useful with port 0). */
  readonly dnsAddress: HostPort | undefined
  readonly opsAddress: HostPort | undefined
}

/** What versions before signed state files persisted: unsigned, so never loaded. */
export const LEGACY_REPLICA_FILE = 'replica.json'

/** The state file may hold one frame per publisher, each at most a gossip frame. */
const FILE_LIMITS = { maxFrames: GOSSIP_DEFAULTS.maxPublishers, maxFrameBytes: GOSSIP_DEFAULTS.maxFrameBytes }

/** Whether `name` is one of `zones` or under one. */
function inZones(name: string, zones: readonly string[]): boolean {
  return zones.some((z) => name === z || name.endsWith(`.${z}`))
}

export function createAgent(init: AgentInit, c: AgentComponents): Agent {
  const log = c.log.child('agent')
  const updates = new Counter({
    name: 'dns_controller_agent_replica_updates_total',
    help: 'Replica views applied to the sinks, by origin (live, persisted).',
    labelNames: ['origin'],
    registers: [c.registry],
  })
  const recordsGauge = new Gauge({
    name: 'dns_controller_agent_replica_records',
    help: 'Record sets in the replica being served.',
    registers: [c.registry],
  })
  const versions = new Gauge({
    name: 'dns_controller_agent_replica_publisher_info',
    help: "Each trusted publisher's version being served (value 1).",
    labelNames: ['publisher', 'version'],
    registers: [c.registry],
  })
  const persistErrors = new Counter({
    name: 'dns_controller_agent_persist_errors_total',
    help: 'Failed writes of the replica to the state directory.',
    registers: [c.registry],
  })
  const stateDropped = new Counter({
    name: 'dns_controller_agent_state_dropped_total',
    help: 'State files, or snapshots in one, not restored at start, by reason.',
    labelNames: ['reason'],
    registers: [c.registry],
  })
  let view: ReplicaView | undefined
  let cache: AnswerCache = buildCache([], { zones: init.zones, serial: 0, serving: false })
  let hosts: HostsSink | undefined
  let dns: DnsServer | undefined
  let ops: OpsServer | undefined
  let unsubscribe: (() => void) | undefined
  let started = false
  let startedAt = 0
  let heardLive = false
  let zonesMissed = false

  let persisted: readonly Uint8Array[] = []
  const persist = (): void => {
    const frames = c.source.signedSnapshots?.()
    // The core hands out the same frame objects until a snapshot changes.
    if (
      frames === undefined ||
      (frames.length === persisted.length && frames.every((f, i) => f === persisted[i]))
    )
      return
    try {
      writeSnapshotFile(init.stateDir, frames)
      persisted = frames
    } catch (err) {
      persistErrors.inc()
      log.warn('could not persist the replica', { dir: init.stateDir, err: errorMessage(err) })
    }
  }

  const refuse = (reason: string, fields: Record<string, unknown>): void => {
    stateDropped.inc({ reason })
    // Stale: the gossip got there first; untrusted: a rotated-out key. Both are expected.
    if (reason === 'stale' || reason === 'untrusted-publisher')
      log.info('persisted snapshot not restored', { reason, ...fields })
    else log.warn('state file dropped: nothing unverifiable is served', { reason, ...fields })
  }

  /** Gives the persisted snapshots back to the source; true when at least one was restored. */
  const restore = (): boolean => {
    const legacy = join(init.stateDir, LEGACY_REPLICA_FILE)
    if (existsSync(legacy)) {
      refuse('unsigned-legacy-file', { path: legacy })
      try {
        unlinkSync(legacy)
      } catch (err) {
        log.warn('could not remove the unsigned replica file', { path: legacy, err: errorMessage(err) })
      }
    }
    if (c.source.restore === undefined) return false
    const path = join(init.stateDir, SNAPSHOT_FILE)
    let file
    try {
      file = readSnapshotFile(init.stateDir, FILE_LIMITS)
    } catch (err) {
      refuse('unreadable', { path, err: errorMessage(err) })
      return false
    }
    if (file === undefined) return false
    if (!file.ok) {
      refuse(file.reason, { path })
      return false
    }
    let restored = false
    c.source.restore(file.frames).forEach((o, i) => {
      if (o.ok) restored = true
      else refuse(o.reason, { path, snapshot: i })
    })
    return restored
  }

  const applyUnsafe = (v: ReplicaView, origin: 'live' | 'persisted'): void => {
    view = v
    updates.inc({ origin })
    recordsGauge.set(v.records.length)
    versions.reset()
    for (const p of v.publishers) versions.set({ publisher: p.id, version: p.version }, 1)
    hosts?.update(v)
    if (origin === 'live') heardLive = true
    // Names published, none in our zones: a --zone mismatch that would otherwise look like "works".
    const missed = v.records.length > 0 && !v.records.some((r) => inZones(r.name, init.zones))
    if (missed && !zonesMissed)
      log.warn("no published name is in this agent's zones: nothing is written or served", {
        zones: init.zones.join(','),
        published: [...new Set(v.records.map((r) => r.name.split('.').slice(-2).join('.')))].join(','),
        hint: 'check --zone',
      })
    zonesMissed = missed
    const next = buildCache(v.records, { zones: init.zones, serial: Math.floor(c.clock.now() / 1000) })
    // Build, compare, swap: identical data keeps the old cache (and its SOA serial).
    if (!cache.serving || next.fingerprint !== cache.fingerprint) {
      cache = next
      dns?.setCache(cache)
      for (const s of next.skipped) log.warn('record not served', s)
    }
    log.info('replica applied', {
      origin,
      records: v.records.length,
      publishers: v.publishers.length,
      versions: v.publishers.map((p) => p.version).join(','),
    })
    if (origin === 'live') persist()
  }

  // Called from the gossip node's listener: a bug here must not reach the gossip driver.
  const apply = (v: ReplicaView, origin: 'live' | 'persisted'): void => {
    try {
      applyUnsafe(v, origin)
    } catch (err) {
      log.error('applying the replica failed', { origin, err: errorMessage(err) })
    }
  }

  const ready = (): Check => {
    const h = hosts?.status()
    if (h?.lastError !== undefined)
      return { ok: false, reason: `hosts file ${h.path} cannot be written: ${h.lastError}` }
    const timeout = init.publisherTimeoutMs ?? 0
    if (!heardLive && timeout > 0 && c.clock.now() - startedAt >= timeout)
      return {
        ok: false,
        reason: `no snapshot from a trusted publisher in ${Math.round(timeout / 1000)} s since start${view === undefined ? '' : ' (serving the persisted replica)'}: check the gossip key, --trusted-publisher-key-file and that the controller runs`,
      }
    return view === undefined
      ? { ok: false, reason: 'no verified replica yet (live or persisted)' }
      : { ok: true }
  }

  const state = (): AgentState => ({
    records: (view?.records ?? []).map((r) => ({
      name: r.name,
      type: r.type,
      values: r.values,
      ttl: r.ttlSeconds,
    })),
    publishers: (view?.publishers ?? []).map((p) => ({ id: p.id, version: p.version })),
    peers: c.peers?.() ?? 0,
    sinks: {
      ...(hosts === undefined ? {} : { hosts: hosts.status() }),
      ...(init.dnsListen === undefined
        ? {}
        : {
            dns: {
              listen: formatHostPort(dns?.address ?? init.dnsListen),
              ...(cache.skipped.length === 0
                ? {}
                : {
                    lastError: `${cache.skipped.length} record(s) not served, e.g. ${cache.skipped[0]?.name}: ${cache.skipped[0]?.reason}`,
                  }),
            },
          }),
    },
  })

  return {
    state,
    ready,
    get dnsAddress() {
      return dns?.address
    },
    get opsAddress() {
      return ops?.address
    },
    async start() {
      if (started) return
      started = true
      startedAt = c.clock.now()
      try {
        if (init.hostsFile !== undefined)
          hosts = createHostsSink(
            { path: init.hostsFile, zones: init.zones },
            { log: c.log, registry: c.registry },
          )
        if (init.dnsListen !== undefined)
          dns = await startDnsServer({ listen: init.dnsListen, upstreams: init.upstreams }, cache, {
            log: c.log,
            registry: c.registry,
          })
        if (init.metricsListen !== undefined)
          ops = await startOpsServer(
            {
              listen: init.metricsListen,
              registry: c.registry,
              healthy: () => ({ ok: true }),
              ready,
              jsonRoutes: { '/state': state },
            },
            c.log,
          )
      } catch (err) {
        // A port in use: close what did start, so the process can exit with the error.
        hosts?.stop()
        await Promise.all([dns?.close(), ops?.close()])
        started = false
        throw err
      }
      const restored = restore()
      const current = c.source.current()
      if (current.publishers.length > 0) apply(current, restored ? 'persisted' : 'live')
      // A view without any publisher verifies nothing: it never replaces what we serve.
      unsubscribe = c.source.subscribe((v) => {
        if (v.publishers.length > 0 || view !== undefined) apply(v, 'live')
      })
    },
    async stop() {
      if (!started) return
      started = false
      unsubscribe?.()
      await hosts?.idle()
      hosts?.stop()
      await Promise.all([dns?.close(), ops?.close()])
    },
  }
}
