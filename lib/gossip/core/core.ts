/**
 * One node's gossip protocol: `step(now, input) → actions`. Deterministic given the
 * injected Rng; no I/O, no clock, no async. Drivers: lib/gossip (libp2p adapter) and test/sim.
 *
 * Per input:
 * | input        | effect                                                                        |
 * | ------------ | ----------------------------------------------------------------------------- |
 * | peer-up      | hello to the peer; the dialling side also sends its digest                    |
 * | message      | rate limit → decode → hello/peers: learn addresses; digest: push newer, want   |
 * |              | older; want: send full; full/delta: verify, accept, forward to `fanout` peers  |
 * | timer        | digest to one random peer every sync interval; rotation; dials                 |
 * | publish      | next HLC version, sign, accept, push delta to `fanout` peers                   |
 * | restore      | a persisted full frame: checked exactly like one from a peer, then accepted    |
 * | self-dial    | the dialled address is ours: never dial it again                               |
 *
 * A publish yields `published`, or `publish-rejected` when the record set breaks a limit.
 * A restore that is refused yields `dropped` with `from: RESTORED`.
 */
import type { Millis } from '../../util/clock.ts'
import { assertNever } from '../../util/errors.ts'
import type { ResolvedRecord } from '../../records/types.ts'
import type { ReplicaView } from '../api.ts'
import { toHex } from './bytes.ts'
import type { Delta } from './delta.ts'
import { applyDelta, sameRef } from './delta.ts'
import { Cadence } from './cadence.ts'
import { FrameCache } from './frames.ts'
import { formatVersion, maxVersion } from './hlc.ts'
import { Membership } from './membership.ts'
import type { Intent } from './membership.ts'
import { signSnapshot } from './publish.ts'
import { PeerQuotas } from './quotas.ts'
import { compareDigest, refusal, staleOrUntrusted } from './sync.ts'
import type { Held } from './replica.ts'
import { Replica } from './replica.ts'
import { keyProblems } from './snapshot.ts'
import { configProblems } from './config.ts'
import type { Snapshot } from './snapshot.ts'
import type {
  Action,
  CoreInit,
  CoreStats,
  DropReason,
  GossipConfig,
  GossipCore,
  Input,
  PeerId,
  Signer,
  Verifier,
  Version,
} from './types.ts'
import { RESTORED } from './types.ts'
import type { DigestEntry, Frame } from './wire.ts'
import { decodeFrame, encodeFrame } from './wire.ts'

/**
 * Builds one node's core. The config must already be valid (`configProblems` in cmd/, where flags
 * become config); an invalid one here is a programming error and throws.
 */
export function createGossipCore(init: CoreInit): GossipCore {
  const problems = [...configProblems(init.config), ...keyProblems(init)]
  if (problems.length > 0) throw new Error(`gossip core: ${problems.join('; ')}`)
  return new Core(init)
}

class Core implements GossipCore {
  private readonly cfg: GossipConfig
  private readonly self: PeerId
  private readonly verifier: Verifier
  private readonly signer: Signer | undefined
  private readonly selfPublisher: string | undefined
  private readonly replicaState: Replica
  private readonly members: Membership
  private readonly quotas: PeerQuotas
  /** Membership's intents of the current call, turned into actions by `enact` (reused: no garbage). */
  private readonly intents: Intent[] = []
  private readonly frames = new FrameCache()
  /** Our digest frame, rebuilt only when the replica changes (it is sent every sync interval). */
  private digestBytes: Uint8Array | undefined
  private readonly cadence: Cadence
  private deadline: Millis | undefined = 0
  /** Highest version of our own publisher key known: persisted, produced, or seen in the network. */
  private lastOwn: Version | undefined
  private lastDesired: readonly ResolvedRecord[] | undefined
  /** lastDesired has been re-asserted once already (see observeOwn). */
  private reasserted = false
  private readonly counters = { framesIn: 0, framesOut: 0, bytesIn: 0, bytesOut: 0 }
  private readonly dropped: Partial<Record<DropReason, number>> = {}

  constructor(init: CoreInit) {
    this.cfg = init.config
    this.self = init.self
    this.verifier = init.verifier
    this.signer = init.signer
    this.selfPublisher = init.signer ? toHex(init.signer.publicKey) : undefined
    this.lastOwn = init.lastPublished
    this.replicaState = new Replica(init.trustedPublishers)
    this.members = new Membership(init.config, init.rng)
    this.quotas = new PeerQuotas(init.config)
    this.cadence = new Cadence(init.config, init.rng)
    this.members.setSeeds(init.seeds ?? [])
  }

  replica(): ReplicaView {
    return this.replicaState.view()
  }

  peers(): readonly PeerId[] {
    return this.members.peerIds()
  }

  nextDeadline(): Millis | undefined {
    return this.deadline
  }

  snapshotFrames(): readonly Uint8Array[] {
    return [...this.replicaState.all()].map((h) => this.frames.full(h))
  }

  stats(): CoreStats {
    return {
      activePeers: this.members.activeCount,
      passiveAddrs: this.members.passiveSize,
      dialsInFlight: this.members.dialsInFlight,
      publishers: this.replicaState.size,
      ...this.counters,
      dropped: { ...this.dropped },
    }
  }

  step(now: Millis, input: Input): Action[] {
    const out: Action[] = []
    const back = this.cadence.observe(now)
    if (back > 0) this.members.clockSteppedBack(back)
    switch (input.type) {
      case 'message':
        this.handleMessage(now, input.from, input.bytes, out)
        break
      case 'timer':
        break
      case 'peer-up':
        this.handlePeerUp(now, input.peer, input.dialed, out)
        break
      case 'peer-down':
        this.members.peerDown(now, input.peer)
        this.quotas.remove(input.peer)
        break
      case 'dial-failed':
        this.members.dialFailed(now, input.addr)
        break
      case 'self-dial':
        this.members.selfDial(input.addr)
        break
      case 'publish':
        this.publish(now, input.records, out)
        break
      case 'seeds':
        this.members.setSeeds(input.addrs)
        break
      case 'listen-addrs':
        this.members.setListenAddrs(input.addrs)
        break
      case 'restore':
        this.restore(now, input.bytes, out)
        break
      default:
        assertNever(input)
    }
    this.timers(now, out)
    this.members.maintain(now, this.intents)
    this.enact(out)
    const d = this.members.nextDeadline(now)
    this.deadline = Math.min(this.cadence.next(), d ?? Infinity)
    for (const a of out)
      if (a.type === 'send') {
        this.counters.framesOut++
        this.counters.bytesOut += a.bytes.length
      }
    return out
  }

  private timers(now: Millis, out: Action[]): void {
    if (this.cadence.syncDue(now)) {
      const to = this.members.randomPeers(1)[0]
      if (to !== undefined) this.send(out, to, this.digestFrame())
      this.cadence.synced(now)
    }
    if (this.cadence.rotateDue(now)) {
      this.members.rotate(now, this.intents)
      this.enact(out)
      this.cadence.rotated(now)
    }
  }

  /** Membership's intents as actions, in order. */
  private enact(out: Action[]): void {
    for (const i of this.intents)
      if (i.type === 'dial') out.push({ type: 'dial', addr: i.addr })
      else if (i.type === 'exchange') this.send(out, i.to, encodeFrame({ kind: 'peers', addrs: i.addrs }))
      else {
        this.quotas.remove(i.peer)
        out.push({ type: 'hang-up', peer: i.peer })
      }
    this.intents.length = 0
  }

  private send(out: Action[], to: PeerId, bytes: Uint8Array): void {
    out.push({ type: 'send', to, bytes })
  }

  private drop(out: Action[], reason: DropReason, from: PeerId): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1
    out.push({ type: 'dropped', reason, from })
  }

  private reject(out: Action[], reason: DropReason): void {
    this.dropped[reason] = (this.dropped[reason] ?? 0) + 1
    out.push({ type: 'publish-rejected', reason })
  }

  private handlePeerUp(now: Millis, peer: PeerId, dialed: string | undefined, out: Action[]): void {
    // Our own id on a connection: a transport that cannot tell a self-dial apart. Hang up.
    if (peer === this.self) {
      if (dialed !== undefined) this.members.selfDial(dialed)
      return void out.push({ type: 'hang-up', peer })
    }
    this.members.peerUp(peer, dialed, this.intents)
    this.quotas.add(peer, now)
    this.enact(out)
    this.send(out, peer, encodeFrame({ kind: 'hello', addrs: this.members.ownAddrs() }))
    // Only the dialling side opens with a digest: if both did, each would push and pull the same data.
    if (dialed !== undefined) this.send(out, peer, this.digestFrame())
  }

  private handleMessage(now: Millis, from: PeerId, bytes: Uint8Array, out: Action[]): void {
    this.counters.framesIn++
    this.counters.bytesIn += bytes.length
    if (!this.members.isActive(from)) return this.drop(out, 'unknown-peer', from)
    if (!this.quotas.allow(from, bytes.length, now)) return this.drop(out, 'rate-limited', from)
    const d = decodeFrame(bytes, this.cfg)
    if (!d.ok) return this.drop(out, d.reason, from)
    const f: Frame = d.value
    switch (f.kind) {
      case 'hello':
        return this.members.announce(from, f.addrs)
      case 'peers':
        return this.members.learn(from, f.addrs)
      case 'digest':
        return this.handleDigest(now, from, f.entries, out)
      case 'want':
        for (const p of f.publishers) {
          const h = this.replicaState.get(toHex(p))
          if (h && this.answerable(now, from, h)) this.send(out, from, this.frames.full(h))
        }
        return
      case 'full':
        return this.offer(now, f.snapshot, from, out)
      case 'delta':
        return this.handleDelta(now, f.delta, from, out)
      default:
        assertNever(f)
    }
  }

  /** A full frame from our state file: the same checks as a peer's, so it cannot roll us back. */
  private restore(now: Millis, bytes: Uint8Array, out: Action[]): void {
    const d = decodeFrame(bytes, this.cfg)
    if (!d.ok) return this.drop(out, d.reason, RESTORED)
    if (d.value.kind !== 'full') return this.drop(out, 'malformed', RESTORED)
    this.offer(now, d.value.snapshot, RESTORED, out)
  }

  private handleDigest(now: Millis, from: PeerId, entries: readonly DigestEntry[], out: Action[]): void {
    const a = compareDigest(this.replicaState, entries, now, this.cfg.maxVersionSkewMs)
    for (const { held, theirs } of a.newer)
      if (this.answerable(now, from, held)) this.send(out, from, this.frames.push(held, theirs))
    for (const h of a.unknown) if (this.answerable(now, from, h)) this.send(out, from, this.frames.full(h))
    if (a.wants.length > 0) this.send(out, from, encodeFrame({ kind: 'want', publishers: [...a.wants] }))
  }

  private handleDelta(now: Millis, d: Delta, from: PeerId, out: Action[]): void {
    const refused = staleOrUntrusted(this.replicaState, d, now, this.cfg.maxVersionSkewMs)
    if (refused !== undefined) return this.drop(out, refused, from)
    const h = this.replicaState.get(toHex(d.publisher))
    if (h === undefined || !sameRef(h.ref, d.base)) {
      this.drop(out, 'base-mismatch', from)
      return this.send(out, from, encodeFrame({ kind: 'want', publishers: [d.publisher] }))
    }
    const r = applyDelta(h.snapshot.records, d, this.cfg)
    if (!r.ok) return this.drop(out, r.reason, from)
    const { publisher, version, signature } = d
    this.offer(now, { publisher, version, records: r.value, signature }, from, out)
  }

  /** Verify and accept a candidate snapshot from a peer; forward it when it is new. */
  private offer(now: Millis, s: Snapshot, from: PeerId, out: Action[]): void {
    const refused = refusal(this.replicaState, this.verifier, s, now, this.cfg.maxVersionSkewMs)
    if (refused !== undefined) return this.drop(out, refused, from)
    this.accept(s, from, out)
    if (toHex(s.publisher) === this.selfPublisher) this.observeOwn(now, s, out)
  }

  private accept(s: Snapshot, from: PeerId | undefined, out: Action[]): void {
    const h = this.replicaState.accept(s)
    this.digestBytes = undefined
    out.push({ type: 'replica-changed', view: this.replicaState.view() })
    const bytes = this.frames.delta(h)
    for (const to of this.members.randomPeers(this.cfg.fanout, from)) this.send(out, to, bytes)
  }

  /**
   * Our own key's snapshot came from the network (a previous run, or another leader). Move the clock
   * past it, and if it is not what we last published in this process, re-assert ours on top, once
   * per publish: a restarted controller whose clock is behind still wins over its previous run, and
   * two overlapping leaders cannot ping-pong (the newest wins; the next publish settles it).
   */
  private observeOwn(now: Millis, s: Snapshot, out: Action[]): void {
    this.lastOwn = maxVersion(this.lastOwn, s.version)
    const mine = this.lastDesired
    if (mine !== undefined && !this.reasserted && JSON.stringify(mine) !== JSON.stringify(s.records))
      this.publish(now, mine, out, true)
  }

  private publish(now: Millis, records: readonly ResolvedRecord[], out: Action[], reassert = false): void {
    const signer = this.signer
    if (signer === undefined) throw new Error('gossip core: publish without a signer')
    const held = this.selfPublisher ? this.replicaState.get(this.selfPublisher) : undefined
    const r = signSnapshot(signer, this.cfg, records, maxVersion(this.lastOwn, held?.snapshot.version), now)
    if (!r.ok) return this.reject(out, r.reason)
    const s = r.snapshot
    this.lastOwn = s.version
    this.lastDesired = s.records
    this.reasserted = reassert
    const printable = { id: toHex(s.publisher), version: formatVersion(s.version) }
    out.push(
      reassert
        ? { type: 'published', version: s.version, printable, reassert }
        : { type: 'published', version: s.version, printable },
    )
    this.accept(s, undefined, out)
  }

  private digestFrame(): Uint8Array {
    this.digestBytes ??= encodeFrame({ kind: 'digest', entries: this.replicaState.digest() })
    return this.digestBytes
  }

  private answerable(now: Millis, peer: PeerId, h: Held): boolean {
    return this.quotas.mayAnswer(peer, h.id, toHex(h.ref.sigPrefix), now)
  }
}
