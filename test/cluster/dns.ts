/**
 * Names as pods see them: the probe pod (tools image, cluster DNS) and its nslookup, plus the
 * LoadBalancer Services whose annotations and status the tests change.
 */
import { readFileSync } from 'node:fs'
import { apply, execInPod, kubectl, uptime, until } from './harness.ts'
import type { Cluster } from './harness.ts'

export const PROBE = 'probe'
export const ANNOTATION_INTERNAL = 'dns.alpha.kubernetes.io/internal'
export const ANNOTATION_EXTERNAL = 'dns.alpha.kubernetes.io/external'

/** A long-running pod with busybox nslookup/wget and getent, resolving through the cluster DNS. */
export async function startProbePod(c: Cluster): Promise<void> {
  await apply(c, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: PROBE, namespace: 'default' },
    spec: {
      terminationGracePeriodSeconds: 0,
      containers: [
        { name: 'tools', image: c.toolsImage, imagePullPolicy: 'Never', command: ['sleep', 'infinity'] },
      ],
    },
  })
  await kubectl(c, 'wait', '--for=condition=Ready', `pod/${PROBE}`, '--timeout=120s')
}

/** Addresses of NAME from the probe pod (A only), or [] for NXDOMAIN/NODATA. Throws on other errors. */
export async function lookup(c: Cluster, name: string): Promise<string[]> {
  const script = `nslookup -type=a ${name}. 2>&1; true`
  const out = await kubectl(c, 'exec', PROBE, '--', 'sh', '-c', script)
  if (/NXDOMAIN|No answer/.test(out)) return []
  const addrs = parseAnswers(out)
  if (addrs.length === 0) throw new Error(`nslookup ${name}: ${out.trim()}`)
  return addrs
}

/** "Address: 1.2.3.4" lines after the server lines of busybox nslookup's output. */
export function parseAnswers(out: string): string[] {
  const body = out.split('\n\n').slice(1).join('\n')
  return [...body.matchAll(/^Address:\s+([0-9a-f.:]+)\s*$/gm)].map((m) => m[1]!).sort()
}

/** getent hosts from the probe pod (glibc: search list, then the name): addresses or []. */
export async function getent(c: Cluster, name: string): Promise<string[]> {
  const out = await kubectl(c, 'exec', PROBE, '--', 'sh', '-c', `getent hosts ${name}; true`)
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split(/\s+/)[0]!)
    .sort()
}

export function hostsLines(c: Cluster): string[] {
  return readFileSync(c.hostsFile, 'utf8').split('\n')
}

export function hostsHas(c: Cluster, name: string, addr?: string): boolean {
  return hostsLines(c).some((l) => {
    const [a, ...names] = l.trim().split(/\s+/)
    return names.includes(name) && (addr === undefined ? a !== 'dns-controller-owned' : a === addr)
  })
}

export async function loadBalancer(
  c: Cluster,
  name: string,
  annotations: Record<string, string>,
  ip: string,
): Promise<void> {
  await apply(c, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', annotations },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, targetPort: 80 }] },
  })
  await setLoadBalancerIp(c, name, ip)
}

export function setLoadBalancerIp(c: Cluster, name: string, ip: string): Promise<string> {
  const patch = JSON.stringify({ status: { loadBalancer: { ingress: [{ ip }] } } })
  return kubectl(c, 'patch', 'service', name, '--subresource=status', '--type=merge', '-p', patch)
}

/**
 * Time from the start of `change` (a kubectl call) until the probe pod, asking all along, sees
 * `done` hold for NAME. The pod stamps the moment from /proc/uptime, the clock this process reads.
 * `want`: an address to appear, or 'gone' for NXDOMAIN.
 */
export async function timeChange(
  c: Cluster,
  name: string,
  want: string,
  change: () => Promise<unknown>,
): Promise<{ total: number; afterWrite: number }> {
  const test =
    want === 'gone'
      ? 'case "$o" in *NXDOMAIN*) break;; esac'
      : `case "$o
" in *"Address: ${want}
"*) break;; esac`
  const script = `echo ready; while :; do o=$(nslookup -type=a ${name}. 2>&1); ${test}; usleep 5000; done; cut -d' ' -f1 /proc/uptime`
  const p = execInPod(c, PROBE, script)
  try {
    await p.waitFor(/^ready$/, 30_000)
    // Let the loop ask at least once before the change (for new names: a cached negative answer).
    await new Promise((r) => setTimeout(r, 150))
    const t0 = uptime()
    await change()
    const t1 = uptime()
    const stamp = await p.waitFor(/^\d+\.\d+$/, 30_000)
    const t2 = Number(stamp)
    return { total: t2 - t0, afterWrite: t2 - t1 }
  } finally {
    p.stop()
  }
}

export async function waitResolves(
  c: Cluster,
  name: string,
  want: string[] | 'gone',
  ms = 30_000,
): Promise<void> {
  const expect = want === 'gone' ? '' : want.join(',')
  await until(
    `${name} → ${expect || 'NXDOMAIN'} from the probe pod`,
    async () => ((await lookup(c, name)).join(',') === expect ? true : undefined),
    ms,
  )
}
