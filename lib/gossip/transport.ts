/**
 * The contract between the gossip driver (driver.ts) and a network: what the driver needs and
 * nothing more. A transport moves whole frames between opaque, labelled peers:
 *
 *   peer = `<label>:<id>`      addr = `<label>:<address>`
 *
 * The label names the network (libp2p: a fingerprint of its key), so one driver can run a core
 * over several transports and route each action by the label of its peer or address.
 * Implementations: libp2p/network.ts (TCP, noise, yamux), and the in-memory transport of the tests
 * and the simulator (test/harness/memory-network.ts). test/integration/gossip/transport-compliance
 * checks both against this contract.
 *
 * Rules every transport keeps:
 * - `dial` reports exactly one of `peerUp` (with the dialled address as `dialed`, also when the
 *   peer was already connected), `selfDial` (the address is this node), or `dialFailed`.
 * - The accepting side reports `peerUp` with `dialed` undefined; a connection coming down reports
 *   `peerDown` once at each end that saw it up.
 * - Frames arrive whole and in send order, only while the connection is up; a frame over the
 *   transport's maximum is dropped and counted (`inboundDropped`), never delivered in part.
 * - `send` never throws: a frame it cannot carry is reported with `sendDropped`.
 * - Events may be raised from inside the call that caused them (an in-memory transport answers at
 *   once); the driver queues what arrives during a step.
 */

export type InboundDropReason = 'frame-too-large' | 'stream-error'
export type SendDropReason = 'queue-full' | 'send-failed' | 'not-connected'

export interface TransportEvents {
  /** A connection is up. `dialed`: the address of our `dial` that produced it (undefined: inbound). */
  peerUp(peer: string, dialed: string | undefined): void
  peerDown(peer: string): void
  /** A whole frame from a connected peer. */
  frame(peer: string, bytes: Uint8Array): void
  /** A `dial` failed: refused, timed out, wrong key, unreachable. */
  dialFailed(addr: string): void
  /** A `dial` reached this node itself. */
  selfDial(addr: string): void
  inboundDropped(reason: InboundDropReason, peer: string): void
  sendDropped(reason: SendDropReason, peer: string): void
  /** The outcome of a `probe`: ok when the peer answered. */
  probed(peer: string, ok: boolean): void
}

export interface Transport {
  /** The label on every peer and address of this transport. */
  readonly label: string
  /** Dials a labelled address; the outcome arrives as an event. */
  dial(addr: string): void
  /** Queues a frame for a connected peer. */
  send(peer: string, bytes: Uint8Array): void
  /** Closes the connection once frames already queued for the peer are written. */
  hangUp(peer: string): void
  /** Checks that a connected peer still answers (core/liveness.ts decides whom and when). */
  probe(peer: string): void
  /** Closes the connection at once, dropping queued frames: the peer stopped answering. */
  abort(peer: string): void
}

/** Splits `<label>:<rest>`; undefined when there is no label. */
export function splitLabel(s: string): { label: string; rest: string } | undefined {
  const i = s.indexOf(':')
  return i <= 0 ? undefined : { label: s.slice(0, i), rest: s.slice(i + 1) }
}
