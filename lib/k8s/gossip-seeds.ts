/**
 * `--gossip-seed-service NAMESPACE/NAME`: seeds from the ready addresses of that Service's
 * EndpointSlices (discovery.k8s.io/v1, label kubernetes.io/service-name=NAME), followed as they
 * change. It needs only namespaced read access (list, watch endpointslices in NAMESPACE) and never
 * a cloud API. Errors are retried with backoff by the list+watch; the node keeps its last seeds.
 *
 * Ports: a port named `gossip` is the primary network's, `gossip-secondary` the secondary's. Without
 * names, a lone port is the primary's; otherwise the node's own listen port is assumed (all nodes
 * of one role listen on the same port, as in kOps).
 */
import type { K8sMetrics } from './metrics.ts'
import type { KubeApi } from './client.ts'
import { ListWatch } from './list-watch.ts'
import type { Projection } from './list-watch.ts'
import type { Rng } from '../util/random.ts'
import type { HostPort } from '../util/hostport.ts'
import type { Logger } from '../util/log.ts'
import type { SeedSource } from '../gossip/node.ts'
import { isJsonObject } from '../util/json.ts'

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name'
export const PRIMARY_PORT_NAME = 'gossip'
export const SECONDARY_PORT_NAME = 'gossip-secondary'

export interface EndpointSliceView {
  /** Ready endpoint addresses (IPv4 or IPv6 literals). */
  readonly addresses: readonly string[]
  readonly ports: readonly { readonly name: string; readonly port: number }[]
}

/** The slice's ready addresses and ports, or undefined when it belongs to another Service. */
export function endpointSliceView(obj: unknown, service: string): EndpointSliceView | undefined {
  if (!isJsonObject(obj) || !isJsonObject(obj.metadata)) return undefined
  const labels = isJsonObject(obj.metadata.labels) ? obj.metadata.labels : {}
  if (labels[SERVICE_NAME_LABEL] !== service) return undefined
  if (obj.addressType !== 'IPv4' && obj.addressType !== 'IPv6') return undefined
  const addresses: string[] = []
  for (const ep of Array.isArray(obj.endpoints) ? obj.endpoints : []) {
    if (!isJsonObject(ep)) continue
    // The API says an absent `ready` means ready.
    if (isJsonObject(ep.conditions) && ep.conditions.ready === false) continue
    for (const a of Array.isArray(ep.addresses) ? ep.addresses : [])
      if (typeof a === 'string') addresses.push(a)
  }
  const ports: { name: string; port: number }[] = []
  for (const p of Array.isArray(obj.ports) ? obj.ports : []) {
    if (!isJsonObject(p) || typeof p.port !== 'number' || (p.protocol !== undefined && p.protocol !== 'TCP'))
      continue
    ports.push({ name: typeof p.name === 'string' ? p.name : '', port: p.port })
  }
  return { addresses: [...new Set(addresses)].sort(), ports }
}

export interface SeedPorts {
  readonly primary: number
  readonly secondary: number | undefined
}

/** Seeds per network from every slice of the Service. */
export function seedsFromSlices(
  slices: Iterable<EndpointSliceView>,
  listen: SeedPorts,
): { primary: HostPort[]; secondary: HostPort[] } {
  const primary: HostPort[] = []
  const secondary: HostPort[] = []
  for (const s of slices) {
    const named = (n: string): number | undefined => s.ports.find((p) => p.name === n)?.port
    const onlyPort = s.ports.length === 1 ? s.ports[0]?.port : undefined
    const pPort = named(PRIMARY_PORT_NAME) ?? onlyPort ?? listen.primary
    const sPort = named(SECONDARY_PORT_NAME) ?? listen.secondary
    for (const host of s.addresses) {
      primary.push({ host, port: pPort })
      if (sPort !== undefined) secondary.push({ host, port: sPort })
    }
  }
  return { primary, secondary }
}

export interface ServiceSeedInit {
  readonly namespace: string
  readonly name: string
  readonly listen: SeedPorts
}

export interface ServiceSeedComponents {
  readonly api: KubeApi
  readonly log: Logger
  readonly metrics: K8sMetrics
  readonly rng: Rng
}

export function createServiceSeedSource(init: ServiceSeedInit, c: ServiceSeedComponents): SeedSource {
  const slices = new Map<string, EndpointSliceView>()
  const listeners: ((s: ReturnType<typeof seedsFromSlices>) => void)[] = []
  const notify = (): void => {
    const seeds = seedsFromSlices(slices.values(), init.listen)
    for (const l of listeners) l(seeds)
  }
  const projection: Projection<EndpointSliceView> = {
    key: (obj) =>
      isJsonObject(obj) && isJsonObject(obj.metadata) && typeof obj.metadata.name === 'string'
        ? obj.metadata.name
        : undefined,
    view: (obj) => endpointSliceView(obj, init.name),
    equal: (a, b) => JSON.stringify(a) === JSON.stringify(b),
  }
  const lw = new ListWatch<EndpointSliceView>(
    {
      kind: 'EndpointSlice',
      path: `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(init.namespace)}/endpointslices`,
    },
    projection,
    {
      upsert: (key, view) => {
        slices.set(key, view)
        notify()
      },
      remove: (key) => {
        slices.delete(key)
        notify()
      },
      synced: () =>
        c.log.debug('seed service listed', {
          service: `${init.namespace}/${init.name}`,
          slices: slices.size,
        }),
    },
    { api: c.api, log: c.log.child('seed-service'), metrics: c.metrics, rng: c.rng },
  )
  return {
    subscribe: (listener) => void listeners.push(listener),
    start: () => lw.start(),
    stop: () => lw.stop(),
  }
}
