/**
 * A deterministic noise + yamux session between two in-memory peers, as the bytes each side puts
 * on the wire. Keys (identity, static and ephemeral Noise keys) come from fixed seeds and Noise's
 * nonces are counters, so the same packages produce the same bytes on every run. A transcript
 * recorded with one version of the packages and replayed with another shows whether a node on
 * each can talk: identical bytes mean an old peer sees exactly what it would from an old peer.
 *
 * The packages come in as arguments, so the recording and the check run the same code:
 *   node test/integration/gossip/wire-transcript.ts OUT.json   (records with the installed packages)
 */
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import type { ComponentLogger, Logger, MultiaddrConnection, Stream } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddrConnectionPair } from '@libp2p/utils'
import type { Uint8ArrayList } from 'uint8arraylist'
import { nodeNoiseCrypto } from '../../../lib/gossip/libp2p/noise-crypto.ts'

/** The factories under test: `noise` and `yamux` as the packages export them. */
export interface Packages {
  // The packages' own option and component types differ only in name between versions.
  readonly noise: (init: any) => (components: any) => any // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly yamux: (init: any) => (components: any) => any // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface Transcript {
  /** Hex of every byte the dialler sent, in order. */
  readonly outbound: string
  /** Hex of every byte the listener sent, in order. */
  readonly inbound: string
  /** What the listener received on the yamux stream, and what the dialler got back. */
  readonly received: string
  readonly echoed: string
}

const silent: Logger = Object.assign(() => {}, {
  enabled: false,
  trace: () => {},
  error: () => {},
  newScope: () => silent,
})
const logger: ComponentLogger = { forComponent: () => silent }

const seed = (label: string): Uint8Array => createHash('sha256').update(label).digest()

/** nodeNoiseCrypto with ephemeral keys drawn from a fixed sequence instead of the OS. */
function deterministicCrypto(label: string): typeof nodeNoiseCrypto {
  let n = 0
  return {
    ...nodeNoiseCrypto,
    generateX25519KeyPair: () =>
      nodeNoiseCrypto.generateX25519KeyPairFromSeed(seed(`${label} ephemeral ${n++}`)),
  }
}

/** Records everything `conn` sends, as one byte string. */
function tap(conn: MultiaddrConnection): () => string {
  const sent: Buffer[] = []
  const send = conn.send.bind(conn)
  conn.send = (data: Uint8Array | Uint8ArrayList): boolean => {
    sent.push(Buffer.from(data.subarray()))
    return send(data)
  }
  return () => Buffer.concat(sent).toString('hex')
}

async function side(pkgs: Packages, label: string) {
  const privateKey = await generateKeyPairFromSeed('Ed25519', seed(`${label} identity`))
  const components = {
    privateKey,
    peerId: peerIdFromPrivateKey(privateKey),
    logger,
    upgrader: { getStreamMuxers: () => new Map([['/yamux/1.0.0', {}]]) },
  }
  const noise = pkgs.noise({
    crypto: deterministicCrypto(label),
    staticNoiseKey: seed(`${label} static`),
  })(components)
  return { noise, peerId: components.peerId }
}

/** Handshake, one stream, a message each way, close: the gossip's traffic in small. */
export async function transcript(pkgs: Packages): Promise<Transcript> {
  const [a, b] = await Promise.all([side(pkgs, 'dialler'), side(pkgs, 'listener')])
  const [outConn, inConn] = multiaddrConnectionPair()
  const outBytes = tap(outConn)
  const inBytes = tap(inConn)
  const [secOut, secIn] = await Promise.all([
    a.noise.secureOutbound(outConn, { remotePeer: b.peerId }),
    b.noise.secureInbound(inConn, { remotePeer: a.peerId }),
  ])
  const factory = pkgs.yamux({ enableKeepAlive: false })({})
  const dialler = factory.createStreamMuxer(secOut.connection)
  const listener = factory.createStreamMuxer(secIn.connection)
  const accepted = new Promise<Uint8Array>((resolve) => {
    listener.addEventListener('stream', (e: CustomEvent<Stream>) => {
      void (async () => {
        const chunks: Buffer[] = []
        for await (const c of e.detail) chunks.push(Buffer.from(c.subarray()))
        const got = Buffer.concat(chunks)
        e.detail.send(Buffer.from(`echo:${got.toString()}`))
        await e.detail.close()
        resolve(got)
      })()
    })
  })
  const stream = await dialler.createStream()
  stream.send(Buffer.from('digest 1 2 3'))
  await stream.close()
  const back: Buffer[] = []
  for await (const c of stream) back.push(Buffer.from(c.subarray()))
  const received = await accepted
  await dialler.close()
  await listener.close()
  return {
    outbound: outBytes(),
    inbound: inBytes(),
    received: received.toString(),
    echoed: Buffer.concat(back).toString(),
  }
}

if (import.meta.main) {
  const out = process.argv[2]
  if (out === undefined) throw new Error('usage: wire-transcript.ts OUT.json')
  const [noise, yamux] = await Promise.all([import('@libp2p/noise'), import('@libp2p/yamux')])
  writeFileSync(
    out,
    JSON.stringify(await transcript({ noise: noise.noise, yamux: yamux.yamux }), null, 2) + '\n',
  )
}
