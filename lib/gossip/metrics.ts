/**
 * Gossip metrics, registered on the Registry passed in (no global registry). Gauges that mirror
 * state are computed at scrape time from the `sample` callback, so they are never stale.
 */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'

export interface GossipSample {
  readonly peers: Readonly<Record<string, number>>
  readonly publishers: number
  /** Versions held, printable (`wallMs.counter`), per publisher id. */
  readonly versions: readonly { readonly id: string; readonly version: string }[]
  /** ms since the last anti-entropy frame (digest, full or delta) from a peer; undefined = never. */
  readonly msSinceSync: number | undefined
}

interface Inc<L extends string> {
  inc(labels: Partial<Record<L, string>>, value?: number): void
}

/** What the driver counts: GossipMetrics, or NO_METRICS where nobody scrapes (the simulator). */
export interface DriverMetrics {
  readonly frames: Inc<'direction' | 'kind'>
  readonly bytes: Inc<'direction' | 'kind'>
  readonly dropped: Inc<'reason'>
  readonly sendDropped: Inc<'reason'>
  readonly dials: Inc<'network' | 'result'>
  readonly livenessProbes: Inc<'network' | 'result'>
  readonly replicaChanges: { inc(): void }
  readonly coreErrors: Inc<'input'>
}

const noop = { inc: (): void => {} }
export const NO_METRICS: DriverMetrics = {
  frames: noop,
  bytes: noop,
  dropped: noop,
  sendDropped: noop,
  dials: noop,
  livenessProbes: noop,
  replicaChanges: noop,
  coreErrors: noop,
}

/** Every gossip counter: the field name on `GossipMetrics`, then what Prometheus shows. */
const COUNTERS = {
  frames: {
    name: 'dns_controller_gossip_frames_total',
    help: 'Gossip frames sent (out) and received (in), by frame kind.',
    labelNames: ['direction', 'kind'],
  },
  bytes: {
    name: 'dns_controller_gossip_frame_bytes_total',
    help: 'Bytes of gossip frames sent (out) and received (in), by frame kind.',
    labelNames: ['direction', 'kind'],
  },
  dropped: {
    name: 'dns_controller_gossip_frames_dropped_total',
    help: 'Received gossip frames (or parts of them) dropped, by reason: bad signature, untrusted publisher, stale replay, oversized, malformed, rate-limited, ...',
    labelNames: ['reason'],
  },
  sendDropped: {
    name: 'dns_controller_gossip_send_dropped_total',
    help: 'Outgoing gossip frames dropped: queue-full (slow peer), send-failed (stream broke), not-connected.',
    labelNames: ['reason'],
  },
  refused: {
    name: 'dns_controller_gossip_connections_refused_total',
    help: 'Connections refused by the private-network handshake or record check (wrong key, garbage, tampering).',
    labelNames: ['network', 'reason'],
  },
  dials: {
    name: 'dns_controller_gossip_dials_total',
    help: 'Outgoing gossip dials by result (ok, failed, self).',
    labelNames: ['network', 'result'],
  },
  livenessProbes: {
    name: 'dns_controller_gossip_liveness_probes_total',
    help: 'Probes of connections silent for a whole liveness interval, by result (ok, failed: the connection was closed). Near zero in a working cluster: gossip traffic proves peers alive.',
    labelNames: ['network', 'result'],
  },
  coreErrors: {
    name: 'dns_controller_gossip_core_errors_total',
    help: 'Inputs on which the gossip core threw (a bug; logged); the input is skipped.',
    labelNames: ['input'],
  },
  replicaChanges: {
    name: 'dns_controller_gossip_replica_changes_total',
    help: 'Times the verified replica changed (a newer snapshot was accepted).',
    labelNames: [],
  },
} as const

type GossipCounters = {
  readonly [K in keyof typeof COUNTERS]: Counter<(typeof COUNTERS)[K]['labelNames'][number]>
}

/** Gives an instance every counter in COUNTERS as a field of the same name. */
const WithCounters = class {
  constructor(registry: Registry) {
    for (const [field, spec] of Object.entries(COUNTERS))
      Object.assign(this, { [field]: new Counter({ ...spec, registers: [registry] }) })
  }
} as new (registry: Registry) => GossipCounters

/** Gauges computed from a fresh `sample` at each scrape. */
const GAUGES: readonly {
  readonly name: string
  readonly help: string
  readonly labelNames?: readonly string[]
  readonly collect: (gauge: Gauge, sample: GossipSample) => void
}[] = [
  {
    name: 'dns_controller_gossip_peers',
    help: 'Connected gossip peers, by network.',
    labelNames: ['network'],
    collect: (g, s) => {
      for (const [network, n] of Object.entries(s.peers)) g.set({ network }, n)
    },
  },
  {
    name: 'dns_controller_gossip_publishers',
    help: 'Trusted publishers whose snapshot (one version each) the replica holds.',
    collect: (g, s) => g.set(s.publishers),
  },
  {
    name: 'dns_controller_gossip_publisher_version_timestamp_seconds',
    help: 'Wall-clock time (hybrid logical clock) of the version held of each trusted publisher; at most maxPublishers series.',
    labelNames: ['publisher'],
    collect: (g, s) => {
      g.reset()
      for (const v of s.versions) g.set({ publisher: v.id }, Number(v.version.split('.')[0]) / 1000)
    },
  },
  {
    name: 'dns_controller_gossip_seconds_since_last_sync',
    help: 'Seconds since the last anti-entropy frame (digest, full or delta) from any peer; -1 before the first.',
    collect: (g, s) => g.set(s.msSinceSync === undefined ? -1 : s.msSinceSync / 1000),
  },
]

export class GossipMetrics extends WithCounters implements DriverMetrics {
  constructor(registry: Registry, sample: () => GossipSample) {
    super(registry)
    for (const { collect, ...spec } of GAUGES)
      new Gauge({
        ...spec,
        registers: [registry],
        collect() {
          collect(this, sample())
        },
      })
  }
}
