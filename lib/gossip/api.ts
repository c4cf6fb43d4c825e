/**
 * The contract between the gossip layer and the rest of the program. The controller only needs a
 * `Publisher`; sinks only need a `ReplicaSource`. Tests and the demo can use in-memory versions.
 */
import type { ResolvedRecord } from '../records/types.ts'

export interface PublisherVersion {
  /** Publisher id: hex of its Ed25519 public key. */
  readonly id: string
  /** Hybrid-logical-clock version, printable. */
  readonly version: string
}

/** The verified, merged view an agent serves: union of every trusted publisher's latest snapshot. */
export interface ReplicaView {
  readonly records: readonly ResolvedRecord[]
  readonly publishers: readonly PublisherVersion[]
}

/** Why a persisted snapshot was not restored: a gossip drop reason (`bad-signature`, `stale`...). */
export type RestoreOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string }

export interface ReplicaSource {
  current(): ReplicaView
  /** Called with each new view after it changes; returns an unsubscribe function. */
  subscribe(listener: (view: ReplicaView) => void): () => void
  /** The signed snapshots behind `current()`, each encoded as a gossip `full` frame, for the state
   * file. Absent on sources that hold no signed snapshots (tests): nothing is persisted. */
  signedSnapshots?(): readonly Uint8Array[]
  /** Offers persisted frames back after a restart; each is checked exactly like a peer's. */
  restore?(frames: readonly Uint8Array[]): readonly RestoreOutcome[]
}

export interface Publisher {
  /** Sign and disseminate the complete desired record set as a new version. */
  publish(records: readonly ResolvedRecord[]): Promise<PublisherVersion>
}
