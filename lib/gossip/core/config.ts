/**
 * Gossip tuning: one documented object, defaults in one place, profiles by override.
 *
 * The defaults are sized for a cluster network (1-10 ms RTT) with one to a few publishers and up to
 * ~10,000 nodes. Idle cost per node is set by `syncIntervalMs` (one digest of ~50 bytes per publisher
 * per interval) and `rotateIntervalMs` (one connection swap); neither grows with cluster size.
 */
import type { Millis } from '../../util/clock.ts'

export interface GossipConfig {
  /** Active peers that get a new version at once (and that each receiver forwards to). More spreads
   * faster and survives loss better, at `fanout` small deltas per node per version. The default,
   * equal to `activeViewMax`, floods the active view: with 4, a node all of whose peers happened to
   * pick others waited for anti-entropy (50 real agents started together: max 1,015 ms; with 8,
   * 302 ms; bench/results/gossip-procs.md). @default 8 */
  readonly fanout: number
  /** Gap between digest exchanges with one random active peer. Sets idle cost per node and the
   * anti-entropy repair time. Jittered by ±10 %. @default 1000 */
  readonly syncIntervalMs: Millis
  /** The node dials passive addresses until it has this many active peers. @default 5 */
  readonly activeViewTarget: number
  /** Connections beyond this many are refused (after a peer-exchange reply) or trimmed. @default 8 */
  readonly activeViewMax: number
  /** Known addresses kept for later dials, learned by peer exchange; random eviction. @default 64 */
  readonly passiveViewMax: number
  /** Addresses sent in one peer-exchange frame. @default 8 */
  readonly peerExchangeSize: number
  /** Every interval the node dials one random passive address and, when over `activeViewMax`, drops
   * a random active peer. Keeps the overlay random and lets healed partitions reconnect. @default 30000 */
  readonly rotateIntervalMs: Millis
  /** A dial with no `peer-up` or `dial-failed` after this long counts as failed. @default 10000 */
  readonly dialTimeoutMs: Millis
  /** Dials in flight at once. @default 2 */
  readonly maxConcurrentDials: number
  /** Backoff between dials of one address: full jitter, exponential from base to cap. @default 200 */
  readonly dialBackoffBaseMs: Millis
  /** @default 30000 */
  readonly dialBackoffCapMs: Millis
  /** A learned (non-seed) address is forgotten after this many failures in a row; seeds never are.
   * @default 5 */
  readonly maxDialFailures: number
  /** While the node has no peer at all, a seed that failed is retried after a full-jitter delay of at
   * most this (from `dialBackoffBaseMs`), however often it failed: nodes start in any order, and one
   * started before its seeds joins within about this long of one answering (it was up to
   * `dialBackoffCapMs`: 5.8 / 10.7 / 20.9 s with the seed 3 / 20 / 60 s late). Costs one refused
   * connection per seed about every 0.6 s while isolated; once it has a peer the normal backoff applies.
   * @default 1000 */
  readonly isolatedSeedRetryCapMs: Millis
  /** The node keeps at least this many peers it dialled itself (anchors): inbound peers never evict
   * the oldest ones, and with fewer it dials, reached addresses and seeds first, even with a full
   * view. Sybils dialling a node cannot hold its whole view. @default 2 */
  readonly anchorPeers: number
  /** Of our outbound connections, at most this many go to addresses learned through one peer (seeds
   * are not counted). @default 2 */
  readonly maxActivePerSource: number
  /** Addresses learned through one peer (its hello and peer exchange) kept at once; more replace
   * that peer's own, so a peer spamming addresses cannot flush the others. @default 8 */
  readonly maxAddrsPerSource: number
  /** Dials to addresses never reached (learned, not yet connected to) per second, sustained.
   * Addresses we reached go first and are not limited; neither are seeds. @default 1 */
  readonly unreachedDialsPerSec: number
  /** Burst of dials to never-reached addresses (a node joining fills its view at once). @default 5 */
  readonly unreachedDialsBurst: number
  /** Largest frame accepted or sent; larger ones are dropped and counted. @default 1 MiB */
  readonly maxFrameBytes: number
  /** Records in one snapshot. @default 10000 */
  readonly maxRecordsPerSnapshot: number
  /** Distinct publishers a replica holds (and entries in one digest). @default 16 */
  readonly maxPublishers: number
  /** Longest record name, in bytes (DNS: 253). @default 253 */
  readonly maxNameBytes: number
  /** Values in one record set (IPs of every node behind a role alias fit). @default 1024 */
  readonly maxValuesPerRecord: number
  /** Longest value (IPv6 text or a CNAME target). @default 253 */
  readonly maxValueBytes: number
  /** Addresses in one peer-exchange or hello frame. @default 32 */
  readonly maxAddrsPerFrame: number
  /** Longest address string (a multiaddr with /p2p/<id>). @default 512 */
  readonly maxAddrBytes: number
  /** Per-peer token bucket on frames received: refill rate. @default 100 */
  readonly peerFramesPerSec: number
  /** Per-peer token bucket on frames received: burst. @default 200 */
  readonly peerFramesBurst: number
  /** Per-peer token bucket on bytes received: refill rate. @default 2 MiB */
  readonly peerBytesPerSec: number
  /** Per-peer token bucket on bytes received: burst. @default 4 MiB */
  readonly peerBytesBurst: number
  /** A snapshot whose version's wall time is more than this far ahead of our clock is dropped
   * (`too-far-ahead`), from peers and from the state file alike. Without a bound, one snapshot
   * signed at the largest version left the publisher no version to step to. Larger than any
   * clock skew a working cluster has (leases and certificates break first), small enough that
   * a version signed ahead is soon overtaken by the publisher's clock. @default 1 hour */
  readonly maxVersionSkewMs: Millis
}

const MiB = 1 << 20

export const GOSSIP_DEFAULTS: GossipConfig = Object.freeze({
  fanout: 8,
  syncIntervalMs: 1000,
  activeViewTarget: 5,
  activeViewMax: 8,
  passiveViewMax: 64,
  peerExchangeSize: 8,
  rotateIntervalMs: 30_000,
  dialTimeoutMs: 10_000,
  maxConcurrentDials: 2,
  dialBackoffBaseMs: 200,
  dialBackoffCapMs: 30_000,
  maxDialFailures: 5,
  isolatedSeedRetryCapMs: 1000,
  anchorPeers: 2,
  maxActivePerSource: 2,
  maxAddrsPerSource: 8,
  unreachedDialsPerSec: 1,
  unreachedDialsBurst: 5,
  maxFrameBytes: MiB,
  maxRecordsPerSnapshot: 10_000,
  maxPublishers: 16,
  maxNameBytes: 253,
  maxValuesPerRecord: 1024,
  maxValueBytes: 253,
  maxAddrsPerFrame: 32,
  maxAddrBytes: 512,
  peerFramesPerSec: 100,
  peerFramesBurst: 200,
  peerBytesPerSec: 2 * MiB,
  peerBytesBurst: 4 * MiB,
  maxVersionSkewMs: 3_600_000,
})

/** A few nodes on 127.0.0.1 (integration tests and helpers): fast sync, short backoff. */
export const GOSSIP_LOOPBACK: GossipConfig = Object.freeze({
  ...GOSSIP_DEFAULTS,
  syncIntervalMs: 100,
  rotateIntervalMs: 2000,
  dialTimeoutMs: 2000,
  dialBackoffBaseMs: 50,
  dialBackoffCapMs: 1000,
})

/**
 * Checks a config once, where flags become config (cmd/ or the adapter). Returns the problems as
 * `field: message` strings; empty means valid. The caller turns them into a ConfigError.
 */
export function configProblems(c: GossipConfig): string[] {
  const out: string[] = []
  const positiveInt = (field: keyof GossipConfig, min = 1): void => {
    const v = c[field]
    if (!Number.isSafeInteger(v) || v < min) out.push(`${field}: must be an integer >= ${min}, got ${v}`)
  }
  for (const f of Object.keys(GOSSIP_DEFAULTS) as (keyof GossipConfig)[]) positiveInt(f)
  if (c.activeViewMax < c.activeViewTarget) out.push('activeViewMax: must be >= activeViewTarget')
  if (c.fanout > c.activeViewMax) out.push('fanout: must be <= activeViewMax')
  if (c.dialBackoffCapMs < c.dialBackoffBaseMs) out.push('dialBackoffCapMs: must be >= dialBackoffBaseMs')
  if (c.isolatedSeedRetryCapMs < c.dialBackoffBaseMs)
    out.push('isolatedSeedRetryCapMs: must be >= dialBackoffBaseMs')
  if (c.anchorPeers > c.activeViewTarget) out.push('anchorPeers: must be <= activeViewTarget')
  if (c.maxFrameBytes < 4096) out.push('maxFrameBytes: must be >= 4096')
  if (c.peerBytesBurst < c.maxFrameBytes) out.push('peerBytesBurst: must be >= maxFrameBytes')
  return out
}
