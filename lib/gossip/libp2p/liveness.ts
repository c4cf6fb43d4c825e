/**
 * Notices a silently dead peer: a connection we have heard nothing on for a whole interval gets a
 * probe (a stream of LIVENESS_PROTOCOL opened and closed), and a probe that fails or times out
 * closes that connection, so the core sees the peer go and replaces it.
 *
 * It replaces libp2p's connection monitor, which probed every connection every interval from both
 * ends: a new yamux stream and a multistream-select round trip, each frame sealed twice. Gossip
 * already carries a frame every few seconds on almost every connection (one digest per second to a
 * random peer, and the replies), and any frame proves the peer alive, so in a working cluster
 * almost no probe is ever sent. A dead host, or a process whose event loop is stuck, sends nothing
 * and answers nothing: it is probed and dropped within two intervals plus the probe timeout.
 */
import type { Libp2p } from 'libp2p'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../../util/errors.ts'

/** The probe's protocol: the remote's handler closes the stream at once. */
export const LIVENESS_PROTOCOL = '/dns-controller/alive/1.0.0'

export interface LivenessInit {
  readonly host: Libp2p
  /** A peer silent this long is probed; 0 turns probing off. */
  readonly intervalMs: number
  /** A probe not answered within this is a failure. */
  readonly timeoutMs: number
  /** Our peer name → its libp2p id (undefined: not a peer of this network). */
  readonly peerIdOf: (peer: string) => PeerId | undefined
  /** The peers connected now. */
  readonly peers: () => Iterable<string>
  /** Called once per probe of a connection; ok false: the connection is being closed. */
  readonly onProbed: (peer: string, ok: boolean) => void
  readonly log: Logger
}

export class LivenessMonitor {
  private readonly init: LivenessInit
  private readonly lastHeard = new Map<string, number>()
  private readonly probing = new Set<string>()
  private timer: ReturnType<typeof setInterval> | undefined
  private stopped = false

  constructor(init: LivenessInit) {
    this.init = init
  }

  /** Registers the probe's handler, and starts checking when probing is on. */
  async start(): Promise<void> {
    await this.init.host.handle(LIVENESS_PROTOCOL, (stream: Stream) => {
      void stream.close({ signal: AbortSignal.timeout(this.init.timeoutMs) }).catch((err: unknown) => {
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      })
    })
    if (this.init.intervalMs <= 0) return
    this.timer = setInterval(() => this.check(), this.init.intervalMs)
    this.timer.unref()
  }

  stop(): void {
    this.stopped = true
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  /** Something arrived from the peer (or it just connected). */
  heard(peer: string): void {
    this.lastHeard.set(peer, performance.now())
  }

  forget(peer: string): void {
    this.lastHeard.delete(peer)
  }

  /** Probes every peer silent for a whole interval (the timer's job; public for tests). */
  check(): void {
    const now = performance.now()
    for (const peer of this.init.peers()) {
      const last = this.lastHeard.get(peer)
      if (last === undefined) {
        // Up before we saw it (a race with connection events): start its clock now.
        this.heard(peer)
        continue
      }
      if (now - last < this.init.intervalMs || this.probing.has(peer)) continue
      void this.probe(peer)
    }
  }

  private async probe(peer: string): Promise<void> {
    const id = this.init.peerIdOf(peer)
    if (id === undefined) return
    this.probing.add(peer)
    try {
      await Promise.all(this.init.host.getConnections(id).map((conn) => this.probeConnection(peer, conn)))
    } finally {
      this.probing.delete(peer)
    }
  }

  private async probeConnection(peer: string, conn: Connection): Promise<void> {
    try {
      const stream = await conn.newStream(LIVENESS_PROTOCOL, {
        signal: AbortSignal.timeout(this.init.timeoutMs),
      })
      this.heard(peer)
      this.init.onProbed(peer, true)
      await stream.close({ signal: AbortSignal.timeout(this.init.timeoutMs) }).catch(() => {
        stream.abort(new Error('liveness probe: close timed out'))
      })
    } catch (err) {
      if (this.stopped) return
      // A peer that does not speak the probe's protocol still answered the negotiation.
      if (err instanceof Error && err.name === 'UnsupportedProtocolError') {
        this.heard(peer)
        this.init.onProbed(peer, true)
        return
      }
      this.init.log.info('peer did not answer a liveness probe; closing its connection', {
        peer,
        err: errorMessage(err),
      })
      conn.abort(err instanceof Error ? err : new Error(String(err)))
      this.init.onProbed(peer, false)
    }
  }
}
