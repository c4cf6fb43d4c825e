/**
 * Small in-memory drivers for unit tests: cores wired directly, frames delivered in order, no
 * latency, no sleeps. (test/sim has the full network model.)
 */
import { createGossipCore } from '../../../lib/gossip/core/core.ts'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import type {
  Action,
  CoreInit,
  GossipConfig,
  GossipCore,
  Input,
  Signer,
} from '../../../lib/gossip/core/types.ts'
import { seededRng } from '../../../lib/util/random.ts'
import { frameKind } from '../../../lib/gossip/core/wire.ts'
import type { FrameKind } from '../../../lib/gossip/core/wire.ts'
import type { ResolvedRecord } from '../../../lib/records/types.ts'
import { ed25519Verifier, signerFromSeed } from '../../sim/keys.ts'

export const publisherA: Signer = signerFromSeed(101)
export const publisherB: Signer = signerFromSeed(202)
export const outsider: Signer = signerFromSeed(303)
export const verifier = ed25519Verifier(false)

export function rec(name: string, values: string[], type: ResolvedRecord['type'] = 'A'): ResolvedRecord {
  return { name, type, values, ttlSeconds: 60 }
}

export function core(over: Partial<CoreInit> & { self: string; config?: GossipConfig }): GossipCore {
  return createGossipCore({
    config: GOSSIP_DEFAULTS,
    trustedPublishers: [publisherA.publicKey, publisherB.publicKey],
    verifier,
    rng: seededRng(over.self.length * 31 + 7),
    ...over,
  })
}

/** The kind of frame a `send` action carries (undefined for other actions). */
export function sentKind(a: Action): FrameKind | 'unknown' | undefined {
  return a.type === 'send' ? frameKind(a.bytes) : undefined
}

/** A fully connected little network of cores; `step` feeds an input and delivers every frame. */
export class Mesh {
  now = 1_000
  readonly cores = new Map<string, GossipCore>()
  readonly log: { from: string; action: Action }[] = []

  add(c: GossipCore, id: string): this {
    this.cores.set(id, c)
    return this
  }

  /** Connects a→b (a dialled b), then delivers until quiet. */
  connect(a: string, b: string): void {
    this.run([
      { to: b, input: { type: 'peer-up', peer: a, addrs: [] } },
      { to: a, input: { type: 'peer-up', peer: b, addrs: [], dialed: `addr/${b}` } },
    ])
  }

  /** Feeds one input and delivers every resulting frame; returns the actions of that first step. */
  input(id: string, input: Input): Action[] {
    return this.run([{ to: id, input }])
  }

  private run(start: { to: string; input: Input }[]): Action[] {
    const queue = start.slice()
    const first: Action[] = []
    for (let n = 0; queue.length > 0; n++) {
      if (n > 10_000) throw new Error('livelock: more than 10,000 deliveries')
      const { to, input: i } = queue.shift() as { to: string; input: Input }
      const c = this.cores.get(to)
      if (!c) continue
      const actions = c.step(this.now, i)
      if (n === 0) first.push(...actions)
      for (const a of actions) {
        this.log.push({ from: to, action: a })
        if (a.type === 'send' && this.cores.has(a.to))
          queue.push({ to: a.to, input: { type: 'message', from: to, bytes: a.bytes } })
      }
    }
    return first
  }

  advance(ms: number): void {
    const end = this.now + ms
    for (let n = 0; ; n++) {
      if (n > 100_000) throw new Error('livelock: timers do not advance')
      let next = Infinity
      let who = ''
      for (const [id, c] of this.cores) {
        const d = c.nextDeadline()
        if (d !== undefined && d < next) [next, who] = [d, id]
      }
      if (next > end) break
      this.now = Math.max(this.now, next)
      this.input(who, { type: 'timer' })
    }
    this.now = end
  }
}
