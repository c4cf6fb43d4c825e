/** An in-memory ReplicaSource: for tests, and for running the sinks without gossip. */
import type { ReplicaSource, ReplicaView } from '../../lib/gossip/api.ts'

export interface MemorySource extends ReplicaSource {
  /** Replaces the view and tells every subscriber. */
  set(view: ReplicaView): void
}

export function memorySource(initial: ReplicaView = { records: [], publishers: [] }): MemorySource {
  let view = initial
  const listeners = new Set<(v: ReplicaView) => void>()
  return {
    current: () => view,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    set(next) {
      view = next
      for (const l of [...listeners]) l(next)
    },
  }
}
