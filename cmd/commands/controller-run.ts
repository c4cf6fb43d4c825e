/**
 * The controller command's run part: validated flags in, a running controller out, until SIGINT or
 * SIGTERM. Flags are parsed in controller.ts; the gossip publisher is built by the caller.
 *
 * Stop order matters: the Lease is released first (another replica takes over at once), then the
 * watchers stop, then the ops server and the publisher.
 */
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { Controller } from '../../lib/controller.ts'
import type { Publisher } from '../../lib/gossip/api.ts'
import { startOpsServer } from '../../lib/http/ops-server.ts'
import type { OpsServer } from '../../lib/http/ops-server.ts'
import type { KubeApi } from '../../lib/k8s/client.ts'
import { openKubeApi } from '../../lib/k8s/https-api.ts'
import { kubeWiring } from '../../lib/k8s/wiring.ts'
import type { KubeWiring } from '../../lib/k8s/wiring.ts'
import type { PipelineOptions } from '../../lib/records/pipeline.ts'
import { FileSource } from '../../lib/sources/file.ts'
import { ManifestError } from '../../lib/sources/manifest.ts'
import { randomRng, systemClock } from '../../lib/util/clock.ts'
import { ConfigError, errorMessage } from '../../lib/util/errors.ts'
import type { HostPort } from '../../lib/util/hostport.ts'
import type { Startable } from '../../lib/util/lifecycle.ts'
import type { Logger } from '../../lib/util/log.ts'
import { listenConfigError } from '../../lib/util/listen-errors.ts'
import type { ListenFlag } from '../../lib/util/listen-errors.ts'

const SA_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace'

export interface ControllerRunConfig {
  readonly pipeline: PipelineOptions
  readonly watchNamespace?: string
  /** `--from FILE`: read objects from a manifest instead of a cluster. */
  readonly from?: string
  /** `--kubeconfig PATH`; undefined: in-cluster config. */
  readonly kubeconfig?: string
  /** Undefined: on with a cluster, off with --from. */
  readonly leaderElect?: boolean
  /** Default: the pod's namespace in a cluster, else kube-system. */
  readonly leaderElectNamespace?: string
  /** @default 'dns-controller' */
  readonly leaderElectName?: string
  readonly metricsListen?: HostPort
  /** The gossip listen flags, so a port in use is reported by its flag. */
  readonly gossipListens?: readonly ListenFlag[]
}

export interface ControllerRunDeps {
  readonly log: Logger
  /** Builds (not starts) the publisher; the gossip node in production. */
  readonly publisher: (registry: Registry, log: Logger) => Publisher & Startable
  /** Resolves when the process should stop (SIGINT/SIGTERM). */
  readonly stopped: Promise<void>
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

function podNamespace(): string | undefined {
  try {
    return readFileSync(SA_NAMESPACE_FILE, 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

export async function runController(cfg: ControllerRunConfig, deps: ControllerRunDeps): Promise<number> {
  const log = deps.log
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const base = { log, registry, clock: systemClock, rng: randomRng() }
  const identity = `${hostname()}_${randomBytes(4).toString('hex')}`
  let wiring: KubeWiring | undefined
  if (cfg.from === undefined) {
    const api = await loadKubeApi(cfg.kubeconfig)
    const elect = cfg.leaderElect ?? true
    wiring = kubeWiring(
      api,
      {
        watchIngress: cfg.pipeline.watchIngress,
        watchApiserver: cfg.pipeline.apiserver !== undefined,
        ...(cfg.watchNamespace === undefined ? {} : { watchNamespace: cfg.watchNamespace }),
        instance: identity,
        ...(elect
          ? {
              leaderElection: {
                namespace: cfg.leaderElectNamespace ?? podNamespace() ?? 'kube-system',
                name: cfg.leaderElectName ?? 'dns-controller',
                identity,
              },
            }
          : {}),
      },
      base,
    )
    log.info('watching the Kubernetes API', { server: wiring.api.server, leaderElect: elect, identity })
  } else if (cfg.leaderElect === true) {
    throw new ConfigError('leader-elect', 'needs a cluster; it cannot be combined with --from')
  }
  const publisher = deps.publisher(registry, log.child('gossip'))
  const from = cfg.from
  const controller = new Controller(
    { records: cfg.pipeline },
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
  const listens: ListenFlag[] = [
    ...(cfg.gossipListens ?? []),
    ...(cfg.metricsListen === undefined ? [] : [{ flag: 'metrics-listen', listen: cfg.metricsListen }]),
  ]
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
