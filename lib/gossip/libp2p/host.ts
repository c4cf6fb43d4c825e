/**
 * One libp2p host for one gossip network: TCP, our PSK protector, noise, yamux. Nothing else
 * (no identify, no DHT, no pubsub): the gossip core does its own peer exchange, so the only
 * protocol spoken on top of yamux is ours (GOSSIP_PROTOCOL).
 */
import { createLibp2p } from 'libp2p'
import type { Libp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@libp2p/noise'
import { yamux } from '@libp2p/yamux'
import type { PrivateKey } from '@libp2p/interface'
import { multiaddr } from '@multiformats/multiaddr'
import type { Multiaddr } from '@multiformats/multiaddr'
import { isIP } from 'node:net'
import type { HostPort } from '../../util/hostport.ts'
import { nodeNoiseCrypto } from './noise-crypto.ts'
import { pskProtector } from './protector.ts'
import { installLazyYamuxWindowUpdates } from './yamux-window.ts'
import type { ProtectorRejectReason } from './protector.ts'

/** Our one stream protocol. The version is the wire version of the frames carried. */
export const GOSSIP_PROTOCOL = '/dns-controller/gossip/1.0.0'

export interface HostInit {
  readonly privateKey: PrivateKey
  readonly listen: HostPort
  /** The 32-byte network key; undefined only with an explicit --gossip-insecure. */
  readonly psk: Uint8Array | undefined
  /** Connection attempts per second accepted from one IP. Many nodes on one loopback IP need this
   * raised (libp2p's default of 5 makes their dials fail with ECONNRESET). @default 100 */
  readonly inboundConnectionThreshold?: number
  /** Upgrades (protector + noise + yamux) in progress at once. @default 64 */
  readonly maxIncomingPendingConnections?: number
  /** Connections kept at most; the gossip core keeps far fewer. @default 128 */
  readonly maxConnections?: number
  /** The protector, noise and yamux handshake must finish within this. @default 5000 */
  readonly handshakeTimeoutMs?: number
  readonly onProtectorReject?: (reason: ProtectorRejectReason, err: Error, remote: string) => void
}

export function hostPortToMultiaddr(hp: HostPort): Multiaddr {
  const family = isIP(hp.host) === 6 ? 'ip6' : isIP(hp.host) === 4 ? 'ip4' : 'dns'
  return multiaddr(`/${family}/${hp.host}/tcp/${hp.port}`)
}

/** Creates and starts a host. */
export async function createHost(init: HostInit): Promise<Libp2p> {
  const handshakeTimeoutMs = init.handshakeTimeoutMs ?? 5000
  installLazyYamuxWindowUpdates()
  return createLibp2p({
    privateKey: init.privateKey,
    addresses: { listen: [hostPortToMultiaddr(init.listen).toString()] },
    transports: [tcp()],
    connectionEncrypters: [noise({ crypto: nodeNoiseCrypto })],
    // No yamux keep-alive: its ping only measures RTT (a failed one is logged, never acted on);
    // liveness.ts is what notices a dead peer. It cost a frame each way per
    // connection every 30 s, plus one at every connection's start.
    streamMuxers: [yamux({ enableKeepAlive: false })],
    ...(init.psk === undefined
      ? {}
      : {
          connectionProtector: pskProtector({
            psk: init.psk,
            handshakeTimeoutMs,
            ...(init.onProtectorReject === undefined ? {} : { onReject: init.onProtectorReject }),
          }),
        }),
    // Off: it probed every connection from both ends every interval (a stream and a protocol
    // negotiation each). network.ts probes only connections that have gone silent (liveness.ts).
    connectionMonitor: { enabled: false },
    connectionManager: {
      inboundConnectionThreshold: init.inboundConnectionThreshold ?? 100,
      maxIncomingPendingConnections: init.maxIncomingPendingConnections ?? 64,
      maxConnections: init.maxConnections ?? 128,
      inboundUpgradeTimeout: handshakeTimeoutMs,
      dialTimeout: handshakeTimeoutMs,
    },
  })
}
