/**
 * The libp2p side of failure detection: the probe itself. Whom to probe and when a probe has failed
 * is decided by core/liveness.ts (driven by the driver); this module only opens a stream of
 * LIVENESS_PROTOCOL on each of the peer's connections and closes it again, and answers such
 * probes from others.
 *
 * It replaces libp2p's connection monitor, which probed every connection every interval from both
 * ends: a new yamux stream and a multistream-select round trip, each frame sealed twice. Here only
 * connections that have gone silent are probed, and gossip traffic keeps almost all of them busy.
 */
import type { Libp2p } from 'libp2p'
import type { Connection, PeerId, Stream } from '@libp2p/interface'

/** The probe's protocol: the remote's handler closes the stream at once. */
export const LIVENESS_PROTOCOL = '/dns-controller/alive/1.0.0'

/** Registers the handler that answers probes. */
export async function answerProbes(host: Libp2p, timeoutMs: number): Promise<void> {
  await host.handle(LIVENESS_PROTOCOL, (stream: Stream) => {
    void stream.close({ signal: AbortSignal.timeout(timeoutMs) }).catch((err: unknown) => {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    })
  })
}

/** Probes every connection to `id`; true when all answered (or the peer has none left to probe). */
export async function probePeer(host: Libp2p, id: PeerId, timeoutMs: number): Promise<boolean> {
  const results = await Promise.all(host.getConnections(id).map((c) => probeConnection(c, timeoutMs)))
  return results.every(Boolean)
}

async function probeConnection(conn: Connection, timeoutMs: number): Promise<boolean> {
  try {
    const stream = await conn.newStream(LIVENESS_PROTOCOL, { signal: AbortSignal.timeout(timeoutMs) })
    void stream.close({ signal: AbortSignal.timeout(timeoutMs) }).catch(() => {
      stream.abort(new Error('liveness probe: close timed out'))
    })
    return true
  } catch (err) {
    // A peer that does not speak the probe's protocol still answered the negotiation.
    return err instanceof Error && err.name === 'UnsupportedProtocolError'
  }
}
