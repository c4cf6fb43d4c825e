/**
 * Encoded frames of held snapshots, built once per snapshot: the same full or delta frame goes to
 * many peers (pushes, anti-entropy answers) and to the state file.
 */
import type { VersionRef } from './delta.ts'
import { sameRef } from './delta.ts'
import type { Held } from './replica.ts'
import { encodeFrame } from './wire.ts'

export class FrameCache {
  private readonly frames = new WeakMap<Held, { full?: Uint8Array; delta?: Uint8Array }>()

  full(h: Held): Uint8Array {
    const cache = this.frames.get(h) ?? {}
    cache.full ??= encodeFrame({ kind: 'full', snapshot: h.snapshot })
    this.frames.set(h, cache)
    return cache.full
  }

  delta(h: Held): Uint8Array {
    if (h.delta === undefined) return this.full(h)
    const cache = this.frames.get(h) ?? {}
    cache.delta ??= encodeFrame({ kind: 'delta', delta: h.delta })
    this.frames.set(h, cache)
    return cache.delta
  }

  /** The cheapest frame that brings a peer holding `theirs` to `h`'s version. */
  push(h: Held, theirs: VersionRef): Uint8Array {
    return h.delta && sameRef(h.delta.base, theirs) ? this.delta(h) : this.full(h)
  }
}
