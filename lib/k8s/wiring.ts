/**
 * The Kubernetes parts of a controller, around one API client (https-api.ts openKubeApi): the watchers'
 * source factory, the leader elector (optional) and the Event recorder. The command and the tests
 * hand these to `Controller`; `startLeading` runs after the controller has started, and `stop`
 * releases the Lease before the watchers go.
 */
import type { Registry } from 'prom-client'
import type { ViewSink } from '../sources/contract.ts'
import type { Clock } from '../util/clock.ts'
import type { Rng } from '../util/random.ts'
import type { Logger } from '../util/log.ts'
import type { KubeApi } from './client.ts'
import { EventRecorder } from './events.ts'
import { LeaderElector } from './leader.ts'
import type { LeaderInit } from './leader.ts'
import type { ListWatchInit } from './list-watch.ts'
import { createK8sMetrics } from './metrics.ts'
import { KubeSource } from '../sources/kube.ts'
import { watchedKinds } from '../records/pipeline.ts'

export interface KubeWiringInit {
  readonly watchIngress: boolean
  /** `--cluster-name`: watch the default/kubernetes EndpointSlices too. @default false */
  readonly watchApiserver?: boolean
  /** '' or undefined: all namespaces. */
  readonly watchNamespace?: string
  /** Undefined: no election, this replica always publishes. */
  readonly leaderElection?: LeaderInit
  /** Names this replica in Events (`reportingInstance`). */
  readonly instance: string
  readonly listWatch?: Omit<ListWatchInit, 'kind' | 'path'>
}

export interface KubeWiringComponents {
  readonly log: Logger
  readonly registry: Registry
  readonly clock: Clock
  readonly rng: Rng
}

export interface KubeWiring {
  readonly api: KubeApi
  readonly source: (sink: ViewSink) => KubeSource
  readonly leader: LeaderElector | undefined
  readonly events: EventRecorder
}

export function kubeWiring(api: KubeApi, init: KubeWiringInit, c: KubeWiringComponents): KubeWiring {
  const metrics = createK8sMetrics(c.registry)
  const kinds = watchedKinds(init.watchIngress, init.watchApiserver === true)
  const leader =
    init.leaderElection === undefined
      ? undefined
      : new LeaderElector(init.leaderElection, {
          api,
          log: c.log.child('leader'),
          metrics,
          clock: c.clock,
          rng: c.rng,
        })
  return {
    api,
    leader,
    events: new EventRecorder(
      { instance: init.instance },
      { api, log: c.log.child('events'), metrics, clock: c.clock },
    ),
    source: (sink) =>
      new KubeSource(
        {
          kinds,
          ...(init.watchNamespace === undefined ? {} : { watchNamespace: init.watchNamespace }),
          ...(init.listWatch === undefined ? {} : { listWatch: init.listWatch }),
        },
        sink,
        { api, log: c.log.child('watch'), metrics, rng: c.rng },
      ),
  }
}
