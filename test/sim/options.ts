/** What a simulated network looks like (sim.ts). */
import type { GossipConfig } from '../../lib/gossip/core/types.ts'

export interface SimOptions {
  readonly seed: number
  readonly nodes: number
  readonly config: GossipConfig
  /** The first `seedNodes` nodes are every node's seeds (the control plane). @default 3 */
  readonly seedNodes?: number
  /** Nodes 0..publishers-1 hold publisher keys. @default 1 */
  readonly publishers?: number
  readonly latencyMinMs?: number
  readonly latencyMaxMs?: number
  readonly loss?: number
  /** Nodes start at random times in [0, startSpreadMs). @default 1000 */
  readonly startSpreadMs?: number
  readonly partitionDialFailMs?: number
  readonly partitionCutMs?: number
  /** A peer silent this long is probed (core/liveness.ts); 0 turns probing off.
   * @default LIVENESS_INTERVAL_MS */
  readonly livenessIntervalMs?: number
  /** Each node's seed addresses. @default the first `seedNodes` nodes, for every node */
  readonly seedsOf?: (idx: number) => readonly string[]
}
