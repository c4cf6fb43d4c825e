/**
 * The node agent: a verified replica (from gossip, or any `ReplicaSource`) feeds the hosts sink
 * and the DNS server; the ops server shows health, readiness, metrics and `/state`.
 *
 * | event                         | hosts file          | DNS                         | /readyz |
 * | ----------------------------- | ------------------- | --------------------------- | ------- |
 * | start, nothing known          | untouched           | SERVFAIL in our zones       | 503     |
 * | start, persisted view on disk | written from it     | served from it              | 200     |
 * | live view from the source     | written             | cache rebuilt and swapped   | 200     |
 *
 * The persisted view comes from a `SnapshotStore` (persist.ts): restored once the sinks run,
 * saved after each live view. The process around this (gossip, keys, stop order) is run.ts.
 */
import type { Registry } from 'prom-client'
import type { ReplicaSource, ReplicaView } from '../gossip/api.ts'
import type { Check } from '../http/ops-server.ts'
import { buildCache } from '../sinks/dns/cache.ts'
import type { AnswerCache } from '../sinks/dns/cache.ts'
import type { Clock } from '../util/clock.ts'
import { errorMessage } from '../util/errors.ts'
import { formatHostPort } from '../util/hostport.ts'
import type { HostPort } from '../util/hostport.ts'
import type { Startable } from '../util/lifecycle.ts'
import type { Logger } from '../util/log.ts'
import { counter, gauge } from '../util/metrics.ts'
import type { AgentSinksConfig } from './config.ts'
import type { SnapshotStore } from './persist.ts'
import { agentSinks } from './sinks.ts'
import type { Sinks } from './sinks.ts'
import { agentState, readiness, zonesMissed } from './status.ts'
import type { AgentState } from './status.ts'

export interface AgentComponents {
  readonly source: ReplicaSource
  readonly log: Logger
  readonly registry: Registry
  readonly clock: Clock
  /** Connected gossip peers, for /state. */
  readonly peers?: () => number
  /** Where the replica is persisted; absent: nothing is restored or saved. */
  readonly store?: SnapshotStore
}

export interface Agent extends Startable {
  state(): AgentState
  ready(): Check
  /** Bound addresses (useful with port 0). */
  readonly dnsAddress: HostPort | undefined
  readonly opsAddress: HostPort | undefined
}

type Origin = 'live' | 'persisted'

/** The replica metrics: what is served, and how often it changed. */
function replicaMetrics(registry: Registry): (v: ReplicaView, origin: Origin) => void {
  const updates = counter(
    registry,
    'dns_controller_agent_replica_updates_total',
    'Replica views applied to the sinks, by origin (live, persisted).',
    ['origin'],
  )
  const records = gauge(
    registry,
    'dns_controller_agent_replica_records',
    'Record sets in the replica being served.',
  )
  const versions = gauge(
    registry,
    'dns_controller_agent_replica_publisher_info',
    "Each trusted publisher's version being served (value 1).",
    ['publisher', 'version'],
  )
  return (v, origin) => {
    updates.inc({ origin })
    records.set(v.records.length)
    versions.reset()
    for (const p of v.publishers) versions.set({ publisher: p.id, version: p.version }, 1)
  }
}

/** Warns once when a view's names all miss our zones, and again after one that did not. */
function zoneWarner(log: Logger, zones: readonly string[]): (v: ReplicaView) => void {
  let warned = false
  return (v) => {
    const published = zonesMissed(v, zones)
    if (published !== undefined && !warned)
      log.warn("no published name is in this agent's zones: nothing is written or served", {
        zones: zones.join(','),
        published: published.join(','),
        hint: 'check --zone',
      })
    warned = published !== undefined
  }
}

export function createAgent(config: AgentSinksConfig, c: AgentComponents): Agent {
  const log = c.log.child('agent')
  const measure = replicaMetrics(c.registry)
  const warnZones = zoneWarner(log, config.zones)
  const zones = config.zones
  let view: ReplicaView | undefined
  let cache: AnswerCache = buildCache([], { zones, serial: 0, serving: false })
  let sinks: Sinks | undefined
  let unsubscribe: (() => void) | undefined
  let started = false
  let startedAt = 0
  let heardLive = false

  const held = () => ({ view, heardLive, startedAt, hosts: sinks?.hosts?.status() })

  /** Build, compare, swap: identical data keeps the old cache (and its SOA serial). */
  const serve = (v: ReplicaView): void => {
    const next = buildCache(v.records, { zones, serial: Math.floor(c.clock.now() / 1000) })
    if (cache.serving && next.fingerprint === cache.fingerprint) return
    cache = next
    sinks?.dns?.setCache(cache)
    for (const s of next.skipped) log.warn('record not served', s)
  }

  // Called from the gossip node's listener: a bug here must not reach the gossip driver.
  const apply = (v: ReplicaView, origin: Origin): void => {
    try {
      view = v
      measure(v, origin)
      sinks?.hosts?.update(v)
      if (origin === 'live') heardLive = true
      warnZones(v)
      serve(v)
      log.info('replica applied', {
        origin,
        records: v.records.length,
        publishers: v.publishers.length,
        versions: v.publishers.map((p) => p.version).join(','),
      })
      if (origin === 'live') c.store?.save()
    } catch (err) {
      log.error('applying the replica failed', { origin, err: errorMessage(err) })
    }
  }

  const ready = (): Check => readiness(held(), c.clock.now(), config.publisherTimeoutSeconds)
  const state = (): AgentState => {
    const listen = sinks?.dns?.address ?? config.dnsListen
    return agentState(
      held(),
      c.peers?.() ?? 0,
      listen === undefined ? undefined : { listen: formatHostPort(listen), cache },
    )
  }

  return {
    state,
    ready,
    get dnsAddress() {
      return sinks?.dns?.address
    },
    get opsAddress() {
      return sinks?.ops?.address
    },
    async start() {
      if (started) return
      started = true
      startedAt = c.clock.now()
      sinks = agentSinks(config, { log: c.log, registry: c.registry, cache, ready, state })
      try {
        await sinks.start()
      } catch (err) {
        started = false
        throw err
      }
      const restored = c.store?.restore() ?? false
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
      // The newest replica reaches the disk before the process goes: a restart serves it.
      await c.store?.flush()
      await sinks?.stop()
    },
  }
}
