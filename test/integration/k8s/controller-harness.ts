/**
 * An in-process controller against a test cluster (test/harness/kube.ts), publishing into a
 * MemoryPublisher. `DNSC_TEST_LOG=1` prints its logs.
 */
import { Registry } from 'prom-client'
import { Controller } from '../../../lib/controller/loop.ts'
import { createKubeApi } from '../../../lib/k8s/client.ts'
import type { KubeApi } from '../../../lib/k8s/client.ts'
import { openKubeApi } from '../../../lib/k8s/https-api.ts'
import { kubeWiring } from '../../../lib/k8s/wiring.ts'
import type { KubeWiring } from '../../../lib/k8s/wiring.ts'
import { RECORD_DEFAULTS } from '../../../lib/records/options.ts'
import { systemClock } from '../../../lib/util/clock.ts'
import { randomRng } from '../../../lib/util/random.ts'
import { createLogger, silentLogger } from '../../../lib/util/log.ts'
import { MemoryPublisher } from '../../harness/memory-publisher.ts'

export interface TestControllerInit {
  readonly kubeconfig: string
  readonly name?: string
  readonly leaderElect?: boolean
  readonly watchIngress?: boolean
  readonly watchNamespace?: string
  /** Use @kubernetes/client-node's KubeConfig (the path for exec plugins and proxies). */
  readonly viaLibrary?: boolean
  readonly cluster?: { readonly name: string; readonly externalAddresses: readonly string[] }
}

export interface TestController {
  readonly controller: Controller
  readonly publisher: MemoryPublisher
  readonly wiring: KubeWiring
  readonly registry: Registry
  /** GET requests this controller has sent for exactly this API path. */
  gets(path: string): number
  /** Sum of a metric's values, optionally only those with the given labels. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number>
  stop(opts?: { release?: boolean }): Promise<void>
}

export async function startTestController(init: TestControllerInit): Promise<TestController> {
  const name = init.name ?? 'ctl'
  const log =
    process.env.DNSC_TEST_LOG === '1' ? createLogger({ verbosity: 4, component: name }) : silentLogger
  const registry = new Registry()
  const publisher = new MemoryPublisher()
  const base = { log, registry, clock: systemClock, rng: randomRng() }
  const api = countGets(
    init.viaLibrary === true ? await libraryApi(init.kubeconfig) : await openKubeApi(init.kubeconfig),
  )
  const wiring = kubeWiring(
    api,
    {
      watchIngress: init.watchIngress ?? true,
      ...(init.watchNamespace === undefined ? {} : { watchNamespace: init.watchNamespace }),
      instance: name,
      ...(init.leaderElect === true
        ? { leaderElection: { namespace: 'kube-system', name: 'dns-controller', identity: name } }
        : {}),
      listWatch: { backoffBaseMs: 200, backoffCapMs: 2000 },
      watchApiserver: init.cluster !== undefined,
    },
    base,
  )
  const apiserver =
    init.cluster === undefined
      ? {}
      : { apiserver: { clusterName: init.cluster.name, externalAddresses: init.cluster.externalAddresses } }
  const controller = new Controller(
    {
      records: {
        ...RECORD_DEFAULTS,
        internalIPv4: true,
        watchIngress: init.watchIngress ?? true,
        ...apiserver,
      },
      debounceMs: 50,
    },
    {
      ...base,
      publisher,
      source: wiring.source,
      events: wiring.events,
      ...(wiring.leader === undefined ? {} : { leadership: wiring.leader }),
    },
  )
  await controller.start()
  await wiring.leader?.start()
  let stopped = false
  return {
    controller,
    publisher,
    wiring,
    registry,
    gets: (path) => api.gets.get(path) ?? 0,
    async metric(metricName, labels = {}) {
      const m = (await registry.getMetricsAsJSON()).find((x) => x.name === metricName)
      const match = (l: Readonly<Record<string, unknown>>) =>
        Object.entries(labels).every(([k, v]) => l[k] === v)
      return (m?.values ?? []).filter((v) => match(v.labels)).reduce((sum, v) => sum + v.value, 0)
    },
    async stop(opts = {}) {
      if (stopped) return
      stopped = true
      await wiring.leader?.stop(opts)
      await controller.stop()
    },
  }
}

/** The API, counting GETs per path (how tests see a replica's Lease attempts). */
function countGets(api: KubeApi): KubeApi & { readonly gets: ReadonlyMap<string, number> } {
  const gets = new Map<string, number>()
  return {
    server: api.server,
    get: (path, query, signal) => {
      gets.set(path, (gets.get(path) ?? 0) + 1)
      return api.get(path, query, signal)
    },
    send: (method, path, body, signal) => api.send(method, path, body, signal),
    watch: (path, query, onEvent, opts) => api.watch(path, query, onEvent, opts),
    gets,
  }
}

async function libraryApi(path: string) {
  const { KubeConfig } = await import('@kubernetes/client-node')
  const kc = new KubeConfig()
  kc.loadFromFile(path)
  return createKubeApi(kc)
}

/** Polls `check` until it returns true or the deadline passes. */
export async function eventually(
  what: string,
  timeoutMs: number,
  check: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
