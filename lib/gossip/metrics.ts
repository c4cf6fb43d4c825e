/**
 * Gossip metrics, registered on the Registry passed in (no global registry). Gauges that mirror
 * state are computed at scrape time from the `sample` callback, so they are never stale.
 */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'
import { Kind } from './core/wire.ts'

export interface GossipSample {
  readonly peers: Readonly<Record<string, number>>
  readonly publishers: number
  /** Versions held, printable (`wallMs.counter`), per publisher id. */
  readonly versions: readonly { readonly id: string; readonly version: string }[]
  /** ms since the last anti-entropy frame (digest, full or delta) from a peer; undefined = never. */
  readonly msSinceSync: number | undefined
}

const KIND_NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(Kind).map(([name, code]) => [code, name.toLowerCase()]),
)

/** The frame kind for labels, read from the header without decoding (frame = version, kind, …). */
export function frameKind(bytes: Uint8Array): string {
  return KIND_NAMES.get(bytes[1] ?? -1) ?? 'unknown'
}

export class GossipMetrics {
  readonly frames: Counter<'direction' | 'kind'>
  readonly bytes: Counter<'direction' | 'kind'>
  readonly dropped: Counter<'reason'>
  readonly sendDropped: Counter<'reason'>
  readonly refused: Counter<'network' | 'reason'>
  readonly dials: Counter<'network' | 'result'>
  readonly livenessProbes: Counter<'network' | 'result'>
  readonly replicaChanges: Counter
  readonly coreErrors: Counter<'input'>

  constructor(registry: Registry, sample: () => GossipSample) {
    const registers = [registry]
    this.frames = new Counter({
      name: 'dns_controller_gossip_frames_total',
      help: 'Gossip frames sent (out) and received (in), by frame kind.',
      labelNames: ['direction', 'kind'],
      registers,
    })
    this.bytes = new Counter({
      name: 'dns_controller_gossip_frame_bytes_total',
      help: 'Bytes of gossip frames sent (out) and received (in), by frame kind.',
      labelNames: ['direction', 'kind'],
      registers,
    })
    this.dropped = new Counter({
      name: 'dns_controller_gossip_frames_dropped_total',
      help: 'Received gossip frames (or parts of them) dropped, by reason: bad signature, untrusted publisher, stale replay, oversized, malformed, rate-limited, ...',
      labelNames: ['reason'],
      registers,
    })
    this.sendDropped = new Counter({
      name: 'dns_controller_gossip_send_dropped_total',
      help: 'Outgoing gossip frames dropped: queue-full (slow peer), send-failed (stream broke), not-connected.',
      labelNames: ['reason'],
      registers,
    })
    this.refused = new Counter({
      name: 'dns_controller_gossip_connections_refused_total',
      help: 'Connections refused by the private-network handshake or record check (wrong key, garbage, tampering).',
      labelNames: ['network', 'reason'],
      registers,
    })
    this.dials = new Counter({
      name: 'dns_controller_gossip_dials_total',
      help: 'Outgoing gossip dials by result (ok, failed, self).',
      labelNames: ['network', 'result'],
      registers,
    })
    this.livenessProbes = new Counter({
      name: 'dns_controller_gossip_liveness_probes_total',
      help: 'Probes of connections silent for a whole liveness interval, by result (ok, failed: the connection was closed). Near zero in a working cluster: gossip traffic proves peers alive.',
      labelNames: ['network', 'result'],
      registers,
    })
    this.coreErrors = new Counter({
      name: 'dns_controller_gossip_core_errors_total',
      help: 'Inputs on which the gossip core threw (a bug; logged); the input is skipped.',
      labelNames: ['input'],
      registers,
    })
    this.replicaChanges = new Counter({
      name: 'dns_controller_gossip_replica_changes_total',
      help: 'Times the verified replica changed (a newer snapshot was accepted).',
      registers,
    })
    new Gauge({
      name: 'dns_controller_gossip_peers',
      help: 'Connected gossip peers, by network.',
      labelNames: ['network'],
      registers,
      collect() {
        for (const [network, n] of Object.entries(sample().peers)) this.set({ network }, n)
      },
    })
    new Gauge({
      name: 'dns_controller_gossip_publishers',
      help: 'Trusted publishers whose snapshot (one version each) the replica holds.',
      registers,
      collect() {
        this.set(sample().publishers)
      },
    })
    new Gauge({
      name: 'dns_controller_gossip_publisher_version_timestamp_seconds',
      help: 'Wall-clock time (hybrid logical clock) of the version held of each trusted publisher; at most maxPublishers series.',
      labelNames: ['publisher'],
      registers,
      collect() {
        this.reset()
        for (const v of sample().versions)
          this.set({ publisher: v.id }, Number(v.version.split('.')[0]) / 1000)
      },
    })
    new Gauge({
      name: 'dns_controller_gossip_seconds_since_last_sync',
      help: 'Seconds since the last anti-entropy frame (digest, full or delta) from any peer; -1 before the first.',
      registers,
      collect() {
        const ms = sample().msSinceSync
        this.set(ms === undefined ? -1 : ms / 1000)
      },
    })
  }
}
