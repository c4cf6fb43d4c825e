/**
 * What the agent says about itself, as pure functions of what it holds: `/readyz` (readiness),
 * `/state` (agentState) and the `--zone` mismatch warning.
 */
import type { ReplicaView } from '../gossip/api.ts'
import type { Check } from '../http/ops-server.ts'
import type { AnswerCache } from '../sinks/dns/cache.ts'
import type { HostsSinkStatus } from '../sinks/hosts/sink.ts'
import { zoneOf } from '../sinks/zones.ts'

export interface DnsSinkState {
  readonly listen: string
  readonly lastError?: string
}

export interface AgentState {
  readonly records: readonly { name: string; type: string; values: readonly string[]; ttl: number }[]
  readonly publishers: readonly { id: string; version: string }[]
  readonly peers: number
  /** Each enabled sink and its last error (absent when it works). */
  readonly sinks?: {
    readonly hosts?: HostsSinkStatus
    readonly dns?: DnsSinkState
  }
}

export interface Held {
  /** The view being served; undefined before the first (live or persisted). */
  readonly view: ReplicaView | undefined
  /** Whether a live view (not only the persisted one) has arrived since start. */
  readonly heardLive: boolean
  readonly startedAt: number
  readonly hosts: HostsSinkStatus | undefined
}

/** `/readyz`: a hosts file that cannot be written, or no trusted publisher heard in time, fails it. */
export function readiness(held: Held, now: number, publisherTimeoutSeconds: number): Check {
  if (held.hosts?.lastError !== undefined)
    return { ok: false, reason: `hosts file ${held.hosts.path} cannot be written: ${held.hosts.lastError}` }
  if (
    !held.heardLive &&
    publisherTimeoutSeconds > 0 &&
    now - held.startedAt >= publisherTimeoutSeconds * 1000
  )
    return {
      ok: false,
      reason: `no snapshot from a trusted publisher in ${publisherTimeoutSeconds} s since start${held.view === undefined ? '' : ' (serving the persisted replica)'}: check the gossip key, --trusted-publisher-key-file and that the controller runs`,
    }
  return held.view === undefined
    ? { ok: false, reason: 'no verified replica yet (live or persisted)' }
    : { ok: true }
}

/** The DNS sink's line in `/state`: where it listens, and records it could not serve. */
function dnsState(listen: string, cache: AnswerCache): DnsSinkState {
  const first = cache.skipped[0]
  return first === undefined
    ? { listen }
    : {
        listen,
        lastError: `${cache.skipped.length} record(s) not served, e.g. ${first.name}: ${first.reason}`,
      }
}

/** `/state`; `dnsListen` is the bound DNS address, undefined when the DNS sink is off. */
export function agentState(
  held: Held,
  peers: number,
  dns: { readonly listen: string; readonly cache: AnswerCache } | undefined,
): AgentState {
  return {
    records: (held.view?.records ?? []).map((r) => ({
      name: r.name,
      type: r.type,
      values: r.values,
      ttl: r.ttlSeconds,
    })),
    publishers: (held.view?.publishers ?? []).map((p) => ({ id: p.id, version: p.version })),
    peers,
    sinks: {
      ...(held.hosts === undefined ? {} : { hosts: held.hosts }),
      ...(dns === undefined ? {} : { dns: dnsState(dns.listen, dns.cache) }),
    },
  }
}

/**
 * The published domains (last two labels) when names are published but none is in our zones: a
 * `--zone` mismatch that would otherwise look like "works". Undefined otherwise.
 */
export function zonesMissed(view: ReplicaView, zones: readonly string[]): string[] | undefined {
  if (view.records.length === 0 || view.records.some((r) => zoneOf(r.name, zones) !== undefined))
    return undefined
  return [...new Set(view.records.map((r) => r.name.split('.').slice(-2).join('.')))]
}
