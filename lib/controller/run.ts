/**
 * The controller process, wired in one place: its configuration (as cmd/flags/controller.ts makes
 * it) in, a running controller out, until `stopped` resolves. The command only turns flags into
 * the config and signals into `stopped`; tests pass another publisher.
 *
 * Stop order matters: the Lease is released first (another replica takes over at once), then the
 * watchers stop, then the ops server and the publisher.
 */
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { listenFlags, networksInit } from '../gossip/from-flags.ts'
import { loadSigner } from '../gossip/keys.ts'
import { createGossipNode } from '../gossip/node.ts'
import { Controller } from './loop.ts'
import type { ControllerConfig } from './config.ts'
import type { Publisher } from '../gossip/api.ts'
import { startOpsServer } from '../http/ops-server.ts'
import type { OpsServer } from '../http/ops-server.ts'
import type { KubeApi } from '../k8s/client.ts'
import { openKubeApi } from '../k8s/https-api.ts'
import { kubeWiring } from '../k8s/wiring.ts'
import type { KubeWiring } from '../k8s/wiring.ts'
import { FileSource } from '../sources/file.ts'
import { ManifestError } from '../sources/manifest.ts'
import { systemClock } from '../util/clock.ts'
import { randomRng } from '../util/random.ts'
import { ConfigError, errorMessage } from '../util/errors.ts'
import type { Startable } from '../util/lifecycle.ts'
import type { Logger } from '../util/log.ts'
import { listenConfigError } from '../util/listen-errors.ts'

export interface ControllerRunDeps {
  readonly log: Logger
  /** Builds (not starts) the publisher; the gossip node in production. */
  readonly publisher: (registry: Registry, log: Logger) => Publisher & Startable
  /** Resolves when the process should stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<unknown>
}

/**
 * The production publisher: a gossip node signing with the publisher key. The key is read here,
 * before anything starts, so a bad file exits 2 naming its flag. The controller keeps no state dir:
 * a fresh libp2p identity per start is enough, since its snapshots are identified by the
 * publisher key, not by the peer id.
 */
export async function gossipPublisher(cfg: ControllerConfig): Promise<ControllerRunDeps['publisher']> {
  const signer = loadSigner(cfg.publisherKeyFile, 'publisher-key-file')
  const networks = networksInit(cfg.gossip)
  const privateKey = await generateKeyPair('Ed25519')
  return (registry, log) =>
    createGossipNode(
      { ...networks, privateKey, trustedPublishers: [signer.publicKey], signer },
      { clock: systemClock, rng: randomRng(), log, registry },
    )
}

/** The API for --kubeconfig or in-cluster; a ConfigError naming the flag when neither works. */
export async function loadKubeApi(path: string | undefined): Promise<KubeApi> {
  try {
    return await openKubeApi(path)
  } catch (err) {
    const hint = path === undefined ? ' (give --kubeconfig PATH or --from FILE)' : ''
    throw new ConfigError('kubeconfig', `${errorMessage(err)}${hint}`, { cause: err })
  }
}

export async function runController(cfg: ControllerConfig, deps: ControllerRunDeps): Promise<number> {
  const log = deps.log
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const base = { log, registry, clock: systemClock, rng: randomRng() }
  const identity = `${hostname()}_${randomBytes(4).toString('hex')}`
  let wiring: KubeWiring | undefined
  const from = cfg.source.kind === 'file' ? cfg.source.path : undefined
  if (cfg.source.kind === 'cluster') {
    const api = await loadKubeApi(cfg.source.kubeconfig)
    const elect = cfg.leaderElection.enabled
    wiring = kubeWiring(
      api,
      {
        watchIngress: cfg.records.watchIngress,
        watchApiserver: cfg.records.apiserver !== undefined,
        ...(cfg.watchNamespace === undefined ? {} : { watchNamespace: cfg.watchNamespace }),
        instance: identity,
        ...(elect
          ? {
              leaderElection: {
                namespace: cfg.leaderElection.namespace,
                name: cfg.leaderElection.name,
                identity,
              },
            }
          : {}),
      },
      base,
    )
    log.info('watching the Kubernetes API', { server: wiring.api.server, leaderElect: elect, identity })
  }
  const publisher = deps.publisher(registry, log.child('gossip'))
  const controller = new Controller(
    { records: cfg.records },
    {
      ...base,
      log: log.child('controller'),
      publisher,
      source:
        from === undefined
          ? (wiring as KubeWiring).source
          : (sink) =>
              new FileSource(
                {
                  path: from,
                  ...(cfg.watchNamespace === undefined ? {} : { watchNamespace: cfg.watchNamespace }),
                },
                sink,
                { log: log.child('from') },
              ),
      ...(wiring?.leader === undefined ? {} : { leadership: wiring.leader }),
      ...(wiring === undefined ? {} : { events: wiring.events }),
    },
  )
  let ops: OpsServer | undefined
  const listens = listenFlags(cfg.gossip, { 'metrics-listen': cfg.metricsListen })
  try {
    await publisher.start().catch((err: unknown) => {
      throw listenConfigError(err, listens) ?? err
    })
    try {
      await controller.start()
    } catch (err) {
      if (err instanceof ManifestError) throw new ConfigError('from', err.message, { cause: err })
      throw err
    }
    if (cfg.metricsListen !== undefined)
      ops = await startOpsServer(
        {
          listen: cfg.metricsListen,
          registry,
          healthy: () => controller.healthy(),
          ready: () => controller.ready(),
          jsonRoutes: { '/status': () => ({ ...controller.status(), sources: controller.sourceStatus() }) },
        },
        log.child('ops'),
      ).catch((err: unknown) => {
        throw listenConfigError(err, listens) ?? err
      })
    await wiring?.leader?.start()
    await deps.stopped
    log.info('stopping')
    return 0
  } finally {
    await wiring?.leader?.stop()
    await controller.stop()
    await ops?.close()
    await publisher.stop()
  }
}
