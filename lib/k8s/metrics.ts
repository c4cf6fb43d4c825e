/** Metrics of the Kubernetes side of the controller, registered on the registry passed in. */
import { Counter, Gauge } from 'prom-client'
import type { Registry } from 'prom-client'

export interface K8sMetrics {
  readonly watchEvents: Counter<'kind' | 'type'>
  readonly watchErrors: Counter<'kind'>
  readonly relists: Counter<'kind'>
  readonly objects: Gauge<'kind'>
  readonly leaderTransitions: Counter
  readonly events: Counter<'result'>
}

export function createK8sMetrics(registry: Registry): K8sMetrics {
  const registers = [registry]
  return {
    watchEvents: new Counter({
      name: 'dns_controller_watch_events_total',
      help: 'Watch events received, by kind and event type.',
      labelNames: ['kind', 'type'],
      registers,
    }),
    watchErrors: new Counter({
      name: 'dns_controller_watch_errors_total',
      help: 'Failed lists and watches (retried with backoff), by kind.',
      labelNames: ['kind'],
      registers,
    }),
    relists: new Counter({
      name: 'dns_controller_watch_relists_total',
      help: 'Full lists, by kind (the first one, and each after 410 Gone).',
      labelNames: ['kind'],
      registers,
    }),
    objects: new Gauge({
      name: 'dns_controller_watch_objects',
      help: 'Objects kept (as small views) because they may produce records, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    leaderTransitions: new Counter({
      name: 'dns_controller_leader_transitions_total',
      help: 'Times this replica became or stopped being the leader.',
      registers,
    }),
    events: new Counter({
      name: 'dns_controller_kube_events_total',
      help: 'Kubernetes Events about problems: sent, suppressed (duplicate or rate limit), failed.',
      labelNames: ['result'],
      registers,
    }),
  }
}
