/**
 * One gossip network (primary or secondary) on one libp2p host, seen by the driver as opaque peers
 * and addresses. It only moves bytes: connections up and down, dials, and whole frames in and out.
 *
 * Names given to the core carry the network's label, so one core can run over two networks:
 *   peer = `<label>:<libp2p peer id>`      addr = `<label>:<multiaddr>`
 * The label is a fingerprint of the network key (`k` + 8 hex of an HMAC), or `open` without a key.
 * It names the key, not the role, so during a secret rotation a node that calls the new key
 * "primary" and one that still calls it "secondary" agree on which addresses they can dial.
 *
 * Frames travel on one long-lived stream per peer and direction (GOSSIP_PROTOCOL), varint
 * length-prefixed (lpStream) with a hard maximum; a longer frame ends that stream and is counted.
 * Sends are queued per peer with a bound on frames and bytes; overflow is dropped and counted.
 */
import { createHmac } from 'node:crypto'
import type { Libp2p } from 'libp2p'
import type { Connection, PeerId, Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../../util/errors.ts'
import type { Transport, TransportEvents } from '../transport.ts'
import { splitLabel } from '../transport.ts'
import { GOSSIP_PROTOCOL } from './host.ts'
import { answerProbes, probePeer } from './liveness.ts'

/** Frames queued for one peer before further sends are dropped. */
export const MAX_QUEUED_FRAMES = 256
/** Bytes queued for one peer before further sends are dropped. */
export const MAX_QUEUED_BYTES = 8 << 20
/** A stalled write to one peer is abandoned (and the queue dropped) after this long. */
export const WRITE_TIMEOUT_MS = 10_000
/** Streams of our protocol per connection and direction; we use one, the rest is slack for reopens. */
const MAX_STREAMS_PER_CONNECTION = 4

export interface NetworkInit {
  readonly name: 'primary' | 'secondary'
  readonly host: Libp2p
  /** The 32-byte network key, or undefined for an open network. */
  readonly psk: Uint8Array | undefined
  readonly maxFrameBytes: number
  /** Also the liveness probe's timeout. */
  readonly dialTimeoutMs: number
  readonly log: Logger
  readonly events: TransportEvents
}

/** `k` + 8 hex chars of HMAC-SHA256(psk, purpose): tells keys apart without revealing them. */
export function networkLabel(psk: Uint8Array | undefined): string {
  if (psk === undefined) return 'open'
  return 'k' + createHmac('sha256', psk).update('dns-controller/network-label/v1').digest('hex').slice(0, 8)
}

interface Link {
  readonly queue: Uint8Array[]
  queuedBytes: number
  pumping: boolean
  stream: Stream | undefined
  write: ((bytes: Uint8Array) => Promise<void>) | undefined
  hangUpWhenDrained: boolean
}

export class GossipNetwork implements Transport {
  readonly name: 'primary' | 'secondary'
  readonly label: string
  private readonly host: Libp2p
  private readonly maxFrameBytes: number
  private readonly dialTimeoutMs: number
  private readonly log: Logger
  private readonly events: TransportEvents
  private readonly up = new Set<string>()
  private readonly links = new Map<string, Link>()
  private readonly stopping = new AbortController()
  private readonly listeners: (() => void)[] = []

  constructor(init: NetworkInit) {
    this.name = init.name
    this.label = networkLabel(init.psk)
    this.host = init.host
    this.maxFrameBytes = init.maxFrameBytes
    this.dialTimeoutMs = init.dialTimeoutMs
    this.log = init.log
    this.events = init.events
  }

  /** Registers the protocol handler and connection events. The host is already started. */
  async start(): Promise<void> {
    await this.host.handle(GOSSIP_PROTOCOL, (stream, connection) => this.readFrames(stream, connection), {
      maxInboundStreams: MAX_STREAMS_PER_CONNECTION,
      maxOutboundStreams: MAX_STREAMS_PER_CONNECTION,
    })
    const onOpen = (evt: CustomEvent<Connection>): void => {
      // Inbound connections come up here; our own dials come up when dial() resolves, with the
      // address that produced them (the core needs it).
      if (evt.detail.direction === 'inbound') this.markUp(evt.detail.remotePeer, undefined)
    }
    const onDisconnect = (evt: CustomEvent<PeerId>): void => this.markDown(evt.detail)
    this.host.addEventListener('connection:open', onOpen)
    this.host.addEventListener('peer:disconnect', onDisconnect)
    this.listeners.push(
      () => this.host.removeEventListener('connection:open', onOpen),
      () => this.host.removeEventListener('peer:disconnect', onDisconnect),
    )
    await answerProbes(this.host, this.dialTimeoutMs)
  }

  async stop(): Promise<void> {
    this.stopping.abort()
    for (const off of this.listeners.splice(0)) off()
    for (const link of this.links.values()) link.stream?.abort(new Error('stopping'))
    this.links.clear()
    this.up.clear()
    await this.host.stop()
  }

  /** Our dialable addresses, labelled. Loopback ones only when we listen on loopback alone. */
  listenAddrs(): string[] {
    const all = this.host.getMultiaddrs().map((m) => m.toString())
    const isLoopback = (a: string): boolean => a.startsWith('/ip4/127.') || a.startsWith('/ip6/::1/')
    const outside = all.filter((a) => !isLoopback(a))
    return (outside.length > 0 ? outside : all).map((a) => `${this.label}:${a}`)
  }

  peerCount(): number {
    return this.up.size
  }

  peerName(id: PeerId): string {
    return `${this.label}:${id.toString()}`
  }

  /** Dials a labelled address of this network; the outcome arrives as an event. */
  dial(addr: string): void {
    const ma = splitLabel(addr)?.rest ?? ''
    const signal = AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.dialTimeoutMs)])
    void (async () => {
      try {
        const conn = await this.host.dial(multiaddr(ma), { signal })
        this.markUp(conn.remotePeer, addr)
      } catch (err) {
        if (this.stopping.signal.aborted) return
        this.log.debug('dial failed', { addr, err: errorMessage(err) })
        if (isSelfDial(err)) this.events.selfDial(addr)
        else this.events.dialFailed(addr)
      }
    })()
  }

  send(peer: string, bytes: Uint8Array): void {
    if (!this.up.has(peer)) return this.events.sendDropped('not-connected', peer)
    let link = this.links.get(peer)
    if (link === undefined) {
      link = {
        queue: [],
        queuedBytes: 0,
        pumping: false,
        stream: undefined,
        write: undefined,
        hangUpWhenDrained: false,
      }
      this.links.set(peer, link)
    }
    if (link.queue.length >= MAX_QUEUED_FRAMES || link.queuedBytes + bytes.byteLength > MAX_QUEUED_BYTES)
      return this.events.sendDropped('queue-full', peer)
    link.queue.push(bytes)
    link.queuedBytes += bytes.byteLength
    if (!link.pumping) void this.pump(peer, link)
  }

  /** Closes the connection once frames already queued for the peer are written. */
  hangUp(peer: string): void {
    const link = this.links.get(peer)
    if (link !== undefined && link.pumping) {
      link.hangUpWhenDrained = true
      return
    }
    void this.closePeer(peer)
  }

  probe(peer: string): void {
    const id = this.peerIdOf(peer)
    if (id === undefined) return
    void probePeer(this.host, id, this.dialTimeoutMs).then((ok) => {
      if (!this.stopping.signal.aborted) this.events.probed(peer, ok)
    })
  }

  abort(peer: string): void {
    const id = this.peerIdOf(peer)
    if (id === undefined) return
    for (const conn of this.host.getConnections(id))
      conn.abort(new Error('peer did not answer a liveness probe'))
  }

  private async closePeer(peer: string): Promise<void> {
    const id = this.peerIdOf(peer)
    if (id === undefined) return
    try {
      await this.host.hangUp(id, { signal: AbortSignal.timeout(this.dialTimeoutMs) })
    } catch (err) {
      this.log.debug('hang-up failed', { peer, err: errorMessage(err) })
    }
  }

  private peerIdOf(peer: string): PeerId | undefined {
    try {
      return peerIdFromString(splitLabel(peer)?.rest ?? '')
    } catch {
      return undefined
    }
  }

  private markUp(id: PeerId, dialed: string | undefined): void {
    const peer = this.peerName(id)
    const wasUp = this.up.has(peer)
    this.up.add(peer)
    // A dial that finds the peer already connected still reports, so the core clears that dial.
    if (!wasUp || dialed !== undefined) this.events.peerUp(peer, dialed)
  }

  private markDown(id: PeerId): void {
    const peer = this.peerName(id)
    if (!this.up.delete(peer)) return
    const link = this.links.get(peer)
    this.links.delete(peer)
    link?.stream?.abort(new Error('peer disconnected'))
    this.events.peerDown(peer)
  }

  /** Writes queued frames in order on the peer's stream, opening it when needed. */
  private async pump(peer: string, link: Link): Promise<void> {
    link.pumping = true
    try {
      while (link.queue.length > 0 && !this.stopping.signal.aborted) {
        if (link.write === undefined) {
          const id = this.peerIdOf(peer)
          if (id === undefined) throw new Error('bad peer id')
          const stream = await this.host.dialProtocol(id, GOSSIP_PROTOCOL, {
            signal: AbortSignal.any([this.stopping.signal, AbortSignal.timeout(this.dialTimeoutMs)]),
          })
          const lp = lpStream(stream, { maxDataLength: this.maxFrameBytes })
          link.stream = stream
          link.write = timedWriter(lp)
        }
        const bytes = link.queue[0] as Uint8Array
        await link.write(bytes)
        link.queue.shift()
        link.queuedBytes -= bytes.byteLength
      }
    } catch (err) {
      if (!this.stopping.signal.aborted) {
        this.log.debug('send failed', { peer, err: errorMessage(err) })
        for (let i = 0; i < link.queue.length; i++) this.events.sendDropped('send-failed', peer)
      }
      link.queue.length = 0
      link.queuedBytes = 0
      link.stream?.abort(err instanceof Error ? err : new Error(String(err)))
      link.stream = undefined
      link.write = undefined
    } finally {
      link.pumping = false
    }
    if (link.hangUpWhenDrained) {
      link.hangUpWhenDrained = false
      await this.closePeer(peer)
    }
  }

  /** Reads frames from one inbound stream until it ends; never throws. */
  private async readFrames(stream: Stream, connection: Connection): Promise<void> {
    const peer = this.peerName(connection.remotePeer)
    const lp = lpStream(stream, { maxDataLength: this.maxFrameBytes })
    try {
      for (;;) {
        // No signal: stop() closes the host, which ends this read (a per-read listener on a
        // long-lived signal only costs).
        const frame = await lp.read()
        this.events.frame(peer, frame.subarray())
      }
    } catch (err) {
      const name = err instanceof Error ? err.name : ''
      if (name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError') {
        this.events.inboundDropped('frame-too-large', peer)
        stream.abort(err as Error)
        return
      }
      if (name !== 'UnexpectedEOFError' && !this.stopping.signal.aborted) {
        this.events.inboundDropped('stream-error', peer)
        this.log.debug('inbound stream failed', { peer, err: errorMessage(err) })
      }
    }
    await stream
      .close({ signal: AbortSignal.timeout(1000) })
      .catch(() => stream.abort(new Error('close failed')))
  }
}

/**
 * lp.write, abandoned after WRITE_TIMEOUT_MS. lp.write waits for the 'drain' event (stream.onDrain()
 * does not backpressure). One controller per stream and a plain timer per write: an
 * `AbortSignal.timeout` per write cannot be cancelled, so every frame left a 10 s timer behind that
 * later built a DOMException and dispatched an abort event nobody listened to.
 */
function timedWriter(lp: { write(b: Uint8Array, o: { signal: AbortSignal }): Promise<void> }) {
  const abort = new AbortController()
  const options = { signal: abort.signal }
  return async (bytes: Uint8Array): Promise<void> => {
    const timer = setTimeout(
      () => abort.abort(new Error(`write timed out after ${WRITE_TIMEOUT_MS} ms`)),
      WRITE_TIMEOUT_MS,
    )
    try {
      await lp.write(bytes, options)
    } finally {
      clearTimeout(timer)
    }
  }
}

/** libp2p refuses to dial this host itself; the error may be wrapped in AggregateErrors. */
function isSelfDial(err: unknown, depth = 0): boolean {
  if (!(err instanceof Error) || depth > 4) return false
  if (/dial self/i.test(err.message)) return true
  if (err instanceof AggregateError && err.errors.some((e) => isSelfDial(e, depth + 1))) return true
  return isSelfDial(err.cause, depth + 1)
}
