/**
 * A gossip node: the sans-IO core, the driver loop, and one or two libp2p networks (primary and an
 * optional secondary, each with its own listen address, seeds and key) feeding the same replica.
 * Running both with different keys lets an operator rotate the secret without an outage: nodes
 * that already have the new key meet on one network, the others on the other, and nodes on both
 * bridge the snapshots.
 *
 * It is the controller's `Publisher` (when given the publisher key) and the agent's
 * `ReplicaSource`. Joining never fails the process: seeds that cannot be reached or resolved are
 * retried with backoff by the core, and re-resolved here every `seedRefreshMs`.
 */
import { lookup } from 'node:dns/promises'
import { isIP } from 'node:net'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Registry } from 'prom-client'
import type { ResolvedRecord } from '../records/types.ts'
import type { Clock } from '../util/clock.ts'
import type { Rng } from '../util/random.ts'
import { errorMessage } from '../util/errors.ts'
import type { HostPort } from '../util/hostport.ts'
import type { Startable } from '../util/lifecycle.ts'
import type { Logger } from '../util/log.ts'
import { createLogLimiter } from '../util/log-limiter.ts'
import type { LogLimiter } from '../util/log-limiter.ts'
import type { Publisher, PublisherVersion, ReplicaSource, ReplicaView, RestoreOutcome } from './api.ts'
import { createGossipCore, GOSSIP_DEFAULTS } from './core/index.ts'
import type { CoreStats, GossipConfig, GossipCore, Signer } from './core/index.ts'
import { LIVENESS_INTERVAL_MS } from './core/liveness.ts'
import { GossipDriver } from './driver.ts'
import { createEd25519Verifier } from './keys.ts'
import { createHost, hostPortToMultiaddr } from './libp2p/host.ts'
import type { HostInit } from './libp2p/host.ts'
import { GossipNetwork } from './libp2p/network.ts'
import { GossipMetrics } from './metrics.ts'

export interface GossipNetworkInit {
  readonly listen: HostPort
  /** Static seeds (`--gossip-seed`); hostnames are resolved, and re-resolved periodically. */
  readonly seeds: readonly HostPort[]
  /** The 32-byte network key; undefined only with an explicit --gossip-insecure. */
  readonly psk: Uint8Array | undefined
}

/** Seeds found elsewhere (the Kubernetes API), per network; replaced whole on every change. */
export interface SeedSource extends Startable {
  subscribe(listener: (seeds: { primary: readonly HostPort[]; secondary: readonly HostPort[] }) => void): void
}

export type HostTuning = Pick<
  HostInit,
  'inboundConnectionThreshold' | 'maxIncomingPendingConnections' | 'maxConnections' | 'handshakeTimeoutMs'
> & {
  /** A connection silent this long gets a liveness probe (core/liveness.ts); 0 turns it off.
   * @default LIVENESS_INTERVAL_MS */
  readonly livenessIntervalMs?: number
}

export interface GossipNodeInit {
  readonly primary: GossipNetworkInit
  readonly secondary?: GossipNetworkInit
  /** The node's libp2p identity (identity.ts loadOrCreateNodeKey). */
  readonly privateKey: PrivateKey
  /** Raw Ed25519 public keys whose snapshots are accepted (keys.ts loadTrustedKeys). */
  readonly trustedPublishers: readonly Uint8Array[]
  /** Only on the controller: signs what `publish` sends. */
  readonly signer?: Signer
  /** @default GOSSIP_DEFAULTS */
  readonly config?: GossipConfig
  readonly host?: HostTuning
  /** Static seeds that are hostnames are re-resolved this often. @default 60000 */
  readonly seedRefreshMs?: number
}

export interface GossipNodeComponents {
  readonly clock: Clock
  readonly rng: Rng
  readonly log: Logger
  readonly registry: Registry
  readonly seedSource?: SeedSource
}

export interface GossipNode extends ReplicaSource, Publisher, Startable {
  signedSnapshots(): readonly Uint8Array[]
  restore(frames: readonly Uint8Array[]): readonly RestoreOutcome[]
  /** Our libp2p peer id. */
  readonly peerId: string
  /** Connected peers over all networks. */
  peerCount(): number
  /** Our dialable addresses, labelled by network (`<label>:<multiaddr>`). */
  listenAddrs(): readonly string[]
  stats(): CoreStats
}

export function createGossipNode(init: GossipNodeInit, c: GossipNodeComponents): GossipNode {
  return new Node(init, c)
}

class Node implements GossipNode {
  readonly peerId: string
  private readonly init: GossipNodeInit
  private readonly c: GossipNodeComponents
  private readonly log: Logger
  private readonly core: GossipCore
  private readonly driver: GossipDriver
  private readonly networks: GossipNetwork[] = []
  private readonly metrics: GossipMetrics
  private readonly refusals: LogLimiter
  private external = { primary: [] as readonly HostPort[], secondary: [] as readonly HostPort[] }
  private seedTimer: ReturnType<typeof setTimeout> | undefined
  private refreshing = false
  private refreshAgain = false
  private state: 'new' | 'starting' | 'started' | 'stopped' = 'new'

  constructor(init: GossipNodeInit, c: GossipNodeComponents) {
    this.init = init
    this.c = c
    this.log = c.log.child('gossip')
    this.peerId = peerIdFromPrivateKey(init.privateKey).toString()
    this.core = createGossipCore({
      self: this.peerId,
      config: init.config ?? GOSSIP_DEFAULTS,
      trustedPublishers: init.trustedPublishers,
      verifier: createEd25519Verifier(),
      ...(init.signer === undefined ? {} : { signer: init.signer }),
      rng: c.rng,
    })
    this.metrics = new GossipMetrics(c.registry, () => ({
      peers: Object.fromEntries(this.networks.map((n) => [n.name, n.peerCount()])),
      publishers: this.core.stats().publishers,
      versions: this.core.replica().publishers,
      msSinceSync: this.driver.msSinceSync(),
    }))
    this.refusals = createLogLimiter(c.clock)
    this.driver = new GossipDriver({
      core: this.core,
      self: this.peerId,
      clock: c.clock,
      log: this.log,
      metrics: this.metrics,
      liveness: {
        intervalMs: init.host?.livenessIntervalMs ?? LIVENESS_INTERVAL_MS,
        timeoutMs: (init.config ?? GOSSIP_DEFAULTS).dialTimeoutMs,
      },
    })
  }

  async start(): Promise<void> {
    if (this.state !== 'new') return
    this.state = 'starting'
    const cfg = this.init.config ?? GOSSIP_DEFAULTS
    const nets: ['primary' | 'secondary', GossipNetworkInit][] = [['primary', this.init.primary]]
    if (this.init.secondary !== undefined) nets.push(['secondary', this.init.secondary])
    try {
      for (const [name, n] of nets) {
        const { livenessIntervalMs: _, ...hostTuning } = this.init.host ?? {}
        const host = await createHost({
          privateKey: this.init.privateKey,
          listen: n.listen,
          psk: n.psk,
          ...hostTuning,
          onProtectorReject: (reason, err, remote) => {
            this.metrics.refused.inc({ network: name, reason })
            // A wrong key is an operator's mistake on one side: say so at the default level,
            // once a minute per address. Other refusals (scanners, resets) stay at debug.
            const host = remote.replace(/\/tcp\/\d+.*$/, '')
            const shown = reason === 'wrong-key' ? this.refusals.take(`${name} ${host}`) : undefined
            if (shown !== undefined)
              this.log.warn('gossip connection refused: the peer holds a different gossip key', {
                network: name,
                remote,
                ...(shown.suppressed > 0 ? { alsoRefused: shown.suppressed } : {}),
                hint: 'both ends need the same --gossip-secret-file (or --gossip-secret)',
              })
            else this.log.debug('connection refused', { network: name, reason, remote, err: err.message })
          },
        })
        const net = new GossipNetwork({
          name,
          host,
          psk: n.psk,
          maxFrameBytes: cfg.maxFrameBytes,
          dialTimeoutMs: cfg.dialTimeoutMs,
          log: this.log.child(name),
          events: this.driver.eventsFor(name),
        })
        this.networks.push(net)
        this.driver.addNetwork(net, name)
        await net.start()
        this.log.info('gossip network listening', {
          network: name,
          label: net.label,
          addrs: net.listenAddrs(),
        })
      }
    } catch (err) {
      await this.stop()
      throw err
    }
    this.driver.input({ type: 'listen-addrs', addrs: this.listenAddrs() })
    this.c.seedSource?.subscribe((s) => {
      this.external = s
      void this.refreshSeeds()
    })
    await this.c.seedSource?.start()
    this.state = 'started'
    await this.refreshSeeds()
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return
    this.state = 'stopped'
    if (this.seedTimer !== undefined) clearTimeout(this.seedTimer)
    await this.c.seedSource?.stop()
    this.driver.stop()
    await Promise.all(this.networks.map((n) => n.stop()))
  }

  current(): ReplicaView {
    return this.driver.replica()
  }

  subscribe(listener: (view: ReplicaView) => void): () => void {
    return this.driver.subscribe(listener)
  }

  signedSnapshots(): readonly Uint8Array[] {
    return this.driver.snapshotFrames()
  }

  restore(frames: readonly Uint8Array[]): readonly RestoreOutcome[] {
    return this.driver.restore(frames)
  }

  publish(records: readonly ResolvedRecord[]): Promise<PublisherVersion> {
    if (this.init.signer === undefined)
      return Promise.reject(new Error('this gossip node holds no publisher key'))
    return this.driver.publish({ type: 'publish', records })
  }

  peerCount(): number {
    return this.networks.reduce((sum, n) => sum + n.peerCount(), 0)
  }

  listenAddrs(): readonly string[] {
    return this.networks.flatMap((n) => n.listenAddrs())
  }

  stats(): CoreStats {
    return this.core.stats()
  }

  /** Resolves static and external seeds to labelled multiaddrs and hands the list to the core.
   * Runs one at a time; a request during a run runs once more after it. */
  private async refreshSeeds(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true
      return
    }
    this.refreshing = true
    try {
      do {
        this.refreshAgain = false
        await this.refreshSeedsOnce()
      } while (this.refreshAgain)
    } finally {
      this.refreshing = false
    }
  }

  private async refreshSeedsOnce(): Promise<void> {
    if (this.state !== 'started') return
    if (this.seedTimer !== undefined) clearTimeout(this.seedTimer)
    const addrs: string[] = []
    for (const net of this.networks) {
      const n = net.name === 'primary' ? this.init.primary : this.init.secondary
      const seeds = [...(n?.seeds ?? []), ...this.external[net.name]]
      for (const hp of seeds) for (const ip of await this.resolve(hp)) addrs.push(`${net.label}:${ip}`)
    }
    if (this.state !== 'started') return
    this.driver.input({ type: 'seeds', addrs: [...new Set(addrs)] })
    this.seedTimer = setTimeout(() => void this.refreshSeeds(), this.init.seedRefreshMs ?? 60_000)
    this.seedTimer.unref()
  }

  private async resolve(hp: HostPort): Promise<string[]> {
    if (isIP(hp.host) !== 0) return [hostPortToMultiaddr(hp).toString()]
    try {
      const found = await lookup(hp.host, { all: true })
      return found.map((a) => hostPortToMultiaddr({ host: a.address, port: hp.port }).toString())
    } catch (err) {
      // Not fatal: the name may appear later (DNS not ready yet at boot); retried next refresh.
      this.log.warn('cannot resolve gossip seed', { seed: hp.host, err: errorMessage(err) })
      return []
    }
  }
}
