/**
 * The boundary of the sans-IO gossip core: the only things a driver (the libp2p
 * adapter, the simulator, unit tests) needs. The core is deterministic: no sockets, no clock, no
 * randomness of its own. Drivers feed `Input`s with the current time and execute the returned
 * `Action`s in order; they call `step(nextDeadline(), { type: 'timer' })` when the deadline passes.
 *
 * Addresses are opaque strings to the core (the libp2p adapter uses multiaddr strings ending in
 * /p2p/<id>; the simulator uses anything). Peers are identified by `PeerId`, also opaque.
 */
import type { Millis } from '../../util/clock.ts'
import type { Rng } from '../../util/random.ts'
import type { ResolvedRecord } from '../../records/types.ts'
import type { ReplicaView, PublisherVersion } from '../api.ts'
import type { GossipConfig } from './config.ts'

export type { GossipConfig } from './config.ts'
export { GOSSIP_DEFAULTS, GOSSIP_LOOPBACK, configProblems } from './config.ts'
export type { ReplicaView, PublisherVersion } from '../api.ts'

/** A transport peer id (libp2p: the base58 peer id string). */
export type PeerId = string
/** The `from` of a `dropped` action for a refused `restore` (no peer id looks like it). */
export const RESTORED: PeerId = 'restored'
/** An address the transport can dial (libp2p: a multiaddr string with /p2p/<id>). */
export type Addr = string

/** Hybrid-logical-clock version: wall-clock ms of the publisher, then a counter within that ms. */
export interface Version {
  readonly wallMs: number
  readonly counter: number
}

/** Signs with the publisher's Ed25519 private key (node:crypto in the adapter). */
export interface Signer {
  /** Raw 32-byte Ed25519 public key; its lower-case hex is the publisher id. */
  readonly publicKey: Uint8Array
  /** Ed25519 signature (64 bytes) over `message`. */
  sign(message: Uint8Array): Uint8Array
}

/** Checks Ed25519 signatures. Must return false (not throw) for malformed keys or signatures. */
export interface Verifier {
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
}

export type Input =
  /** A complete frame from a connected peer (the transport delimits frames). */
  | { readonly type: 'message'; readonly from: PeerId; readonly bytes: Uint8Array }
  /** `nextDeadline()` has passed. Spurious timers are harmless. */
  | { readonly type: 'timer' }
  /** A connection is up. `dialed` is the address of our `dial` action that produced it (absent for
   * inbound). `addrs` are the remote's transport addresses, if known; the core prefers the
   * listen addresses the peer announces in its hello frame. */
  | {
      readonly type: 'peer-up'
      readonly peer: PeerId
      readonly addrs: readonly Addr[]
      readonly dialed?: Addr
    }
  | { readonly type: 'peer-down'; readonly peer: PeerId }
  /** A `dial` action failed (refused, timeout, wrong key). */
  | { readonly type: 'dial-failed'; readonly addr: Addr }
  /** A `dial` action reached this node itself (a seed list that includes us): never dial it again. */
  | { readonly type: 'self-dial'; readonly addr: Addr }
  /** Sign and disseminate the complete desired record set (requires a `signer`). */
  | { readonly type: 'publish'; readonly records: readonly ResolvedRecord[] }
  /** Replace the seed list (static flags, or refreshed from the Kubernetes API). */
  | { readonly type: 'seeds'; readonly addrs: readonly Addr[] }
  /** Our own dialable addresses, announced to peers; the core never dials these. */
  | { readonly type: 'listen-addrs'; readonly addrs: readonly Addr[] }
  /** A `full` frame from our state file (`snapshotFrames()` of an earlier run). Checked exactly
   * like a peer's; a refusal is a `dropped` action with `from: RESTORED`. */
  | { readonly type: 'restore'; readonly bytes: Uint8Array }

/**
 * Why a frame or part of one was dropped. Also the metric label
 * `dns_controller_gossip_frames_dropped_total{reason}`. Append only.
 */
export type DropReason =
  | 'truncated' // ended inside a field
  | 'malformed' // a field that cannot be decoded (bad varint, bad utf-8, bad enum value)
  | 'trailing-bytes' // bytes after the last field
  | 'frame-too-large'
  | 'unsupported-wire-version'
  | 'unknown-kind'
  | 'too-many-records'
  | 'too-many-publishers'
  | 'too-many-values'
  | 'too-many-addrs'
  | 'name-too-long'
  | 'value-too-long'
  | 'addr-too-long'
  | 'invalid-record' // records not canonical: unsorted, duplicate, empty values
  | 'untrusted-publisher'
  | 'bad-signature'
  | 'stale' // older than or equal to the version held (replay, duplicate delivery)
  | 'base-mismatch' // a delta whose base we do not hold; we pull the full snapshot instead
  | 'rate-limited'
  | 'unknown-peer' // a message from a peer that is not up (or one we just evicted)
  | 'invalid-name' // a record name that is not a lower-case RFC 1123 name (records/validate.ts)
  | 'invalid-value' // an A/AAAA value that is not an IP literal, a CNAME target that is not a name
  | 'too-far-ahead' // a version more than maxVersionSkewMs ahead of our clock

export type Action =
  | { readonly type: 'send'; readonly to: PeerId; readonly bytes: Uint8Array }
  | { readonly type: 'dial'; readonly addr: Addr }
  /** Close the connection; any `send` to this peer earlier in the same action list goes first. */
  | { readonly type: 'hang-up'; readonly peer: PeerId }
  /** The replica changed; `view` is the new immutable view. */
  | { readonly type: 'replica-changed'; readonly view: ReplicaView }
  /** A version was signed: persist `version` (for restarts). `reassert: true` when the core re-published
   * on its own (it saw a newer snapshot of its own key from an earlier run); only the others answer
   * a `publish` input. */
  | {
      readonly type: 'published'
      readonly version: Version
      readonly printable: PublisherVersion
      readonly reassert?: boolean
    }
  /** A frame was dropped; for logs and metrics only. `from` is the peer id (RESTORED for a restore). */
  | { readonly type: 'dropped'; readonly reason: DropReason; readonly from: PeerId }
  /** The answer to a `publish` input whose record set breaks a limit (too many records, a name too
   * long...): nothing was signed or sent. Exactly one of `published` / `publish-rejected` answers
   * each `publish` input, in order. */
  | { readonly type: 'publish-rejected'; readonly reason: DropReason }

export interface CoreStats {
  readonly activePeers: number
  readonly passiveAddrs: number
  readonly dialsInFlight: number
  readonly publishers: number
  readonly framesIn: number
  readonly framesOut: number
  readonly bytesIn: number
  readonly bytesOut: number
  /** Counts per drop reason since start. */
  readonly dropped: Readonly<Partial<Record<DropReason, number>>>
}

export interface GossipCore {
  step(now: Millis, input: Input): Action[]
  /** When the driver must call `step(t, { type: 'timer' })`; undefined = no timer needed. Before the
   * first step it is 0: start the core with any input (a timer is fine). Recomputed after each step. */
  nextDeadline(): Millis | undefined
  /** The current verified replica (immutable; same object until it changes). */
  replica(): ReplicaView
  /** The signed snapshots held, each encoded as a `full` frame: what a node persists, and gives
   * back as `restore` inputs after a restart. */
  snapshotFrames(): readonly Uint8Array[]
  stats(): CoreStats
  /** Active peers right now (for /state and tests). */
  peers(): readonly PeerId[]
}

export interface CoreInit {
  /** Our own peer id (messages never go to it). */
  readonly self: PeerId
  /** Validated config (see configProblems). */
  readonly config: GossipConfig
  /** Raw 32-byte Ed25519 public keys whose snapshots are accepted. */
  readonly trustedPublishers: readonly Uint8Array[]
  readonly verifier: Verifier
  /** Only on a publisher (the controller). */
  readonly signer?: Signer
  /** The last version this publisher produced before a restart (persisted from `published`). */
  readonly lastPublished?: Version
  readonly seeds?: readonly Addr[]
  readonly rng: Rng
}
