/** Builders for gossip nodes on loopback, shared by the gossip integration tests and benchmarks. */
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { GOSSIP_LOOPBACK } from '../../lib/gossip/core/index.ts'
import type { GossipConfig } from '../../lib/gossip/core/index.ts'
import { generatePublisherKeyPem, parsePrivateKeyPem, signerFromPrivateKey } from '../../lib/gossip/keys.ts'
import type { PublisherSigner } from '../../lib/gossip/keys.ts'
import { createGossipNode } from '../../lib/gossip/node.ts'
import type { GossipNode, GossipNetworkInit, SeedSource } from '../../lib/gossip/node.ts'
import { systemClock } from '../../lib/util/clock.ts'
import { randomRng } from '../../lib/util/random.ts'
import type { HostPort } from '../../lib/util/hostport.ts'
import { silentLogger } from '../../lib/util/log.ts'
import type { Logger } from '../../lib/util/log.ts'
import type { ResolvedRecord } from '../../lib/records/types.ts'

export function newPsk(): Uint8Array {
  return new Uint8Array(randomBytes(32))
}

export function newSigner(): PublisherSigner {
  const key = parsePrivateKeyPem(generatePublisherKeyPem().privatePem)
  if (typeof key === 'string') throw new Error(key)
  return signerFromPrivateKey(key)
}

export interface TestNodeInit {
  readonly psk: Uint8Array | undefined
  readonly trusted: readonly Uint8Array[]
  readonly seeds?: readonly HostPort[]
  readonly signer?: PublisherSigner
  readonly secondary?: GossipNetworkInit
  readonly config?: GossipConfig
  readonly log?: Logger
  readonly seedSource?: SeedSource
  /** @default 0 (any free port) */
  readonly listenPort?: number
  /** @default the node's own (LIVENESS_INTERVAL_MS) */
  readonly livenessIntervalMs?: number
}

export interface TestNode {
  readonly node: GossipNode
  readonly registry: Registry
  /** The primary listen address as HOST:PORT, for other nodes' seeds. */
  readonly addr: HostPort
  /** The secondary listen address, when there is one. */
  readonly secondaryAddr: HostPort | undefined
}

function tcpPort(addr: string): number {
  const m = /\/tcp\/(\d+)/.exec(addr)
  if (m === null) throw new Error(`no tcp port in ${addr}`)
  return Number(m[1])
}

export async function startNode(init: TestNodeInit): Promise<TestNode> {
  const registry = new Registry()
  const node = createGossipNode(
    {
      primary: {
        listen: { host: '127.0.0.1', port: init.listenPort ?? 0 },
        seeds: init.seeds ?? [],
        psk: init.psk,
      },
      ...(init.secondary === undefined ? {} : { secondary: init.secondary }),
      privateKey: await generateKeyPair('Ed25519'),
      trustedPublishers: init.trusted,
      ...(init.signer === undefined ? {} : { signer: init.signer }),
      config: init.config ?? GOSSIP_LOOPBACK,
      host: {
        inboundConnectionThreshold: 10_000,
        maxIncomingPendingConnections: 1000,
        handshakeTimeoutMs: 2000,
        ...(init.livenessIntervalMs === undefined ? {} : { livenessIntervalMs: init.livenessIntervalMs }),
      },
    },
    {
      clock: systemClock,
      rng: randomRng(),
      log: init.log ?? silentLogger,
      registry,
      ...(init.seedSource === undefined ? {} : { seedSource: init.seedSource }),
    },
  )
  await node.start()
  const addrs = node.listenAddrs()
  const primary = addrs[0]
  if (primary === undefined) throw new Error('node has no listen address')
  const secondary = init.secondary === undefined ? undefined : addrs[1]
  return {
    node,
    registry,
    addr: { host: '127.0.0.1', port: tcpPort(primary) },
    secondaryAddr: secondary === undefined ? undefined : { host: '127.0.0.1', port: tcpPort(secondary) },
  }
}

/** Resolves when `pred` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(what: string, pred: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

export function records(n: number, prefix = 'svc'): ResolvedRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `${prefix}${i}.example.local`,
    type: 'A' as const,
    values: [`10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`],
    ttlSeconds: 60,
  }))
}

/** Like waitFor, with an async predicate (metrics are read asynchronously). */
export async function eventually(
  what: string,
  pred: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The version a node holds of one publisher, or undefined. */
export function versionOf(node: GossipNode, publisherId: string): string | undefined {
  return node.current().publishers.find((p) => p.id === publisherId)?.version
}

/** A counter's value for the given labels from the node's registry. */
export async function counter(
  registry: Registry,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = registry.getSingleMetric(name)
  if (metric === undefined) return 0
  const data = await metric.get()
  return data.values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0)
}
