/**
 * Per-peer limits on what a connected peer can make us do: token buckets on the frames and bytes
 * it sends us (`peerFramesPerSec`/`Burst`, `peerBytesPerSec`/`Burst`), and at most one answer of the
 * same snapshot to the same peer per half `syncIntervalMs`, so a peer replaying wants or stale
 * digests cannot turn a small frame into a stream of large ones.
 */
import type { Millis } from '../../util/clock.ts'
import { Bucket } from './bucket.ts'
import type { GossipConfig } from './config.ts'
import type { PeerId } from './types.ts'

interface Quota {
  readonly frames: Bucket
  readonly bytes: Bucket
  /** Full snapshots sent on request: publisher id → signature key, time. */
  readonly answered: Map<string, { readonly key: string; readonly at: Millis }>
}

export class PeerQuotas {
  private readonly cfg: GossipConfig
  private readonly peers = new Map<PeerId, Quota>()

  constructor(cfg: GossipConfig) {
    this.cfg = cfg
  }

  /** A peer became active; a peer already known keeps its quota. */
  add(peer: PeerId, now: Millis): void {
    if (this.peers.has(peer)) return
    const c = this.cfg
    this.peers.set(peer, {
      frames: new Bucket(c.peerFramesPerSec, c.peerFramesBurst, now),
      bytes: new Bucket(c.peerBytesPerSec, c.peerBytesBurst, now),
      answered: new Map(),
    })
  }

  remove(peer: PeerId): void {
    this.peers.delete(peer)
  }

  /** Takes one frame of `bytes` from the peer's buckets; false: over its rate (or not a peer). */
  allow(peer: PeerId, bytes: number, now: Millis): boolean {
    const q = this.peers.get(peer)
    if (q === undefined) return false
    return q.frames.take(1, now) && q.bytes.take(bytes, now)
  }

  /** Whether to answer the peer's request with this snapshot (and remember that we did). */
  mayAnswer(peer: PeerId, publisher: string, key: string, now: Millis): boolean {
    const q = this.peers.get(peer)
    if (q === undefined) return false
    const last = q.answered.get(publisher)
    if (last && last.key === key && now - last.at < this.cfg.syncIntervalMs / 2) return false
    q.answered.set(publisher, { key, at: now })
    return true
  }
}
