/** Published names on the real node: hosts file, pod resolution, deletion, latency, api.internal. */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import {
  ANNOTATION_EXTERNAL,
  ANNOTATION_INTERNAL,
  PROBE,
  getent,
  hostsHas,
  loadBalancer,
  lookup,
  setLoadBalancerIp,
  timeChange,
  waitResolves,
} from './dns.ts'
import { CLUSTER_DIR, CLUSTER_NAME, apply, kubectl, kubectlJson, percentile, sh, until } from './harness.ts'
import type { Cluster } from './harness.ts'

const NODE_IP = '10.250.0.2'

export async function publishedNames(c: Cluster): Promise<void> {
  const web = `web.internal.${CLUSTER_NAME}`
  const shop = `shop.${CLUSTER_NAME}`
  const t0 = Date.now()
  await apply(c, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', annotations: { [ANNOTATION_INTERNAL]: web } },
    spec: {
      hostNetwork: true,
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: 'c', image: c.toolsImage, imagePullPolicy: 'Never', command: ['sleep', 'infinity'] },
      ],
    },
  })
  await loadBalancer(c, 'shop', { [ANNOTATION_EXTERNAL]: shop }, '192.0.2.10')
  await until('both names in the node hosts file', async () =>
    hostsHas(c, web, NODE_IP) && hostsHas(c, shop, '192.0.2.10') ? true : undefined,
  )
  const inHosts = Date.now() - t0
  await waitResolves(c, web, [NODE_IP])
  await waitResolves(c, shop, ['192.0.2.10'])
  console.log(`# created → in hosts file ${inHosts} ms, → resolves from a pod ${Date.now() - t0} ms`)
  assert.deepEqual(await getent(c, web), [NODE_IP], 'getent (glibc) in a pod')
  assert.deepEqual(await getent(c, shop), ['192.0.2.10'])

  const t1 = Date.now()
  await kubectl(c, 'delete', 'pod', 'web', '--wait=false')
  await kubectl(c, 'delete', 'service', 'shop', '--wait=false')
  await until('both names gone from the hosts file', async () =>
    !hostsHas(c, web) && !hostsHas(c, shop) ? true : undefined,
  )
  await waitResolves(c, web, 'gone')
  await waitResolves(c, shop, 'gone')
  console.log(`# deleted → gone from hosts file and cluster DNS in ${Date.now() - t1} ms`)
}

export interface LatencyFigures {
  readonly kind: string
  readonly totals: number[]
  readonly afterWrite: number[]
}

/** 20 changes each of new, changed and deleted names, timed from the kubectl call to the pod's answer. */
export async function latency(c: Cluster, rounds = 20): Promise<LatencyFigures[]> {
  const svc = 'lat'
  const base = `lat.${CLUSTER_NAME}`
  await loadBalancer(c, svc, { [ANNOTATION_EXTERNAL]: base }, '192.0.2.20')
  await waitResolves(c, base, ['192.0.2.20'])
  const annotate = (value: string | undefined): Promise<string> =>
    kubectl(
      c,
      'annotate',
      '--overwrite',
      'service',
      svc,
      value ? `${ANNOTATION_EXTERNAL}=${value}` : `${ANNOTATION_EXTERNAL}-`,
    )
  const out: LatencyFigures[] = []
  const measure = async (
    kind: string,
    one: (i: number) => Promise<{ total: number; afterWrite: number }>,
  ) => {
    const f = { kind, totals: [] as number[], afterWrite: [] as number[] }
    for (let i = 0; i < rounds; i++) {
      const r = await one(i)
      f.totals.push(r.total)
      f.afterWrite.push(r.afterWrite)
    }
    out.push(f)
    console.log(
      `# apply → pod resolves, ${kind} (${rounds}): p50 ${ms(percentile(f.totals, 50))} p99 ${ms(percentile(f.totals, 99))} ` +
        `max ${ms(Math.max(...f.totals))}; after the API write: p50 ${ms(percentile(f.afterWrite, 50))} p99 ${ms(percentile(f.afterWrite, 99))}`,
    )
  }
  // New names: the pod has been asking for the name (negative answers) before it exists.
  await measure('new name', (i) => {
    const name = `new${i}.${CLUSTER_NAME}`
    return timeChange(c, name, '192.0.2.20', () => annotate(name))
  })
  // Changed address of an existing name.
  await annotate(base)
  await waitResolves(c, base, ['192.0.2.20'])
  await measure('changed address', (i) => {
    const ip = `192.0.2.${100 + i}`
    return timeChange(c, base, ip, () => setLoadBalancerIp(c, svc, ip))
  })
  // Deleted names: the annotation goes; the pod has been getting the address until then.
  await measure('deleted name', async (i) => {
    const name = `del${i}.${CLUSTER_NAME}`
    await annotate(name)
    await waitResolves(c, name, [`192.0.2.${100 + rounds - 1}`])
    return timeChange(c, name, 'gone', () => annotate(undefined))
  })
  await kubectl(c, 'delete', 'service', svc)
  return out
}

export async function apiInternal(c: Cluster): Promise<void> {
  const name = `api.internal.${CLUSTER_NAME}`
  // No annotation anywhere: the controller's --cluster-name reads default/kubernetes' EndpointSlices.
  const slices = await kubectlJson<{ items: { endpoints: { addresses: string[] }[] }[] }>(
    c,
    '-n',
    'default',
    'get',
    'endpointslices',
    '-l',
    'kubernetes.io/service-name=kubernetes',
  )
  const apiAddrs = slices.items.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)).sort()
  assert.deepEqual(apiAddrs, [NODE_IP])
  await waitResolves(c, name, apiAddrs)
  assert.deepEqual(await getent(c, name), apiAddrs, `${name} from pod ${PROBE} (getent)`)
  assert.ok(hostsHas(c, name, NODE_IP), `${name} in the node hosts file`)
  // From the node: its resolver (files first) inside the cluster's namespaces.
  const holder = (await sh('cat', [join(CLUSTER_DIR, 'pids/holder.pid')])).trim()
  const node = await sh('nsenter', ['-t', holder, '-m', '-n', 'getent', 'hosts', name])
  assert.equal(node.trim().split(/\s+/)[0], NODE_IP, `getent on the node: ${node}`)
  assert.deepEqual(await lookup(c, name), apiAddrs)
}

export function ms(seconds: number): string {
  return `${Math.round(seconds * 1000)} ms`
}
