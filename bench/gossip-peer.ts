/**
 * One gossip node as its own process, for bench/gossip-procs.ts (the real agent command is
 * lib/agent/run.ts; this is the gossip part alone). Driven over the IPC channel:
 *   argv[2] = JSON PeerArgs
 *   → parent: { type: 'ready', port } once listening, { type: 'version', version, atMs, peers }
 *             on every replica change, { type: 'stats', peers } when asked
 *   ← parent: { type: 'publish', n } (publisher only), { type: 'stats' }, { type: 'stop' }
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { GOSSIP_DEFAULTS } from '../lib/gossip/core/index.ts'
import { derivePsk, parsePrivateKeyPem, signerFromPrivateKey } from '../lib/gossip/keys.ts'
import { createGossipNode } from '../lib/gossip/node.ts'
import type { ResolvedRecord } from '../lib/records/types.ts'
import { systemClock } from '../lib/util/clock.ts'
import { randomRng } from '../lib/util/random.ts'
import { silentLogger } from '../lib/util/log.ts'

export interface PeerArgs {
  readonly secret: string
  readonly trusted: string
  /** PKCS#8 PEM; only the publisher has it. */
  readonly publisherKeyPem?: string
  readonly port: number
  readonly seeds: readonly number[]
  readonly syncIntervalMs?: number
  readonly livenessIntervalMs?: number
}

type FromParent = { type: 'publish'; n: number; tag: string } | { type: 'stats' } | { type: 'stop' }

function records(n: number, tag: string): ResolvedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `${tag}-${i}.bench.local`,
    type: 'A' as const,
    values: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    ttlSeconds: 60,
  }))
}

const args = JSON.parse(process.argv[2] ?? '{}') as PeerArgs
const send = (msg: unknown): void => {
  process.send?.(msg)
}
const signerKey = args.publisherKeyPem === undefined ? undefined : parsePrivateKeyPem(args.publisherKeyPem)
if (typeof signerKey === 'string') throw new Error(signerKey)
const node = createGossipNode(
  {
    primary: {
      listen: { host: '127.0.0.1', port: args.port },
      seeds: args.seeds.map((port) => ({ host: '127.0.0.1', port })),
      psk: derivePsk(args.secret, 'gossip-secret'),
    },
    privateKey: await generateKeyPair('Ed25519'),
    trustedPublishers: [Buffer.from(args.trusted, 'hex')],
    ...(signerKey === undefined ? {} : { signer: signerFromPrivateKey(signerKey) }),
    config: { ...GOSSIP_DEFAULTS, syncIntervalMs: args.syncIntervalMs ?? GOSSIP_DEFAULTS.syncIntervalMs },
    // Every process is on 127.0.0.1: libp2p's per-IP connection rate limit would refuse joins.
    host: {
      inboundConnectionThreshold: 10_000,
      maxIncomingPendingConnections: 1000,
      ...(args.livenessIntervalMs === undefined ? {} : { livenessIntervalMs: args.livenessIntervalMs }),
    },
  },
  {
    clock: systemClock,
    rng: randomRng(),
    log: silentLogger,
    registry: new Registry(),
  },
)
node.subscribe((view) => {
  const v = view.publishers[0]?.version
  if (v !== undefined) send({ type: 'version', version: v, atMs: Date.now(), peers: node.peerCount() })
})
process.on('message', (raw) => {
  const msg = raw as FromParent
  if (msg.type === 'publish') {
    node.publish(records(msg.n, msg.tag)).then(
      (v) => send({ type: 'published', version: v.version }),
      (err: unknown) => send({ type: 'error', message: String(err) }),
    )
  } else if (msg.type === 'stats') {
    send({ type: 'stats', peers: node.peerCount() })
  } else if (msg.type === 'stop') {
    void node.stop().then(() => process.exit(0))
  }
})
process.on('disconnect', () => void node.stop().then(() => process.exit(0)))
await node.start()
send({ type: 'ready', port: args.port })
