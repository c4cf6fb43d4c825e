/** Small object builders and API helpers for the integration tests (names under `.local`). */
import type { KubeCluster } from '../../harness/kube.ts'

export const EXTERNAL = 'dns.alpha.kubernetes.io/external'
export const INTERNAL = 'dns.alpha.kubernetes.io/internal'

export function lbService(ns: string, name: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, annotations },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
  }
}

export function nodePortService(ns: string, name: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns, annotations },
    spec: { type: 'NodePort', ports: [{ port: 80 }] },
  }
}

export function hostPod(ns: string, name: string, nodeName: string, annotations: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, annotations },
    spec: { nodeName, hostNetwork: true, containers: [{ name: 'c', image: 'registry.invalid/none' }] },
  }
}

export function podStatus(ip: string, ready: boolean) {
  return {
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    },
  }
}

export function node(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } }
}

export function nodeStatus(addresses: { type: string; address: string }[]) {
  return { status: { addresses } }
}

export function ingress(ns: string, name: string, host: string, backend: string) {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: ns },
    spec: {
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: backend, port: { number: 80 } } },
              },
            ],
          },
        },
      ],
    },
  }
}

export function lbStatus(entries: { ip?: string; hostname?: string }[]) {
  return { status: { loadBalancer: { ingress: entries } } }
}

/** Throws with the API's answer unless the status is 2xx. */
export async function must(kube: KubeCluster, method: string, path: string, body?: unknown, user?: string) {
  const res = await kube.request(method, path, body, user)
  if (res.status < 200 || res.status > 299)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`)
  return res.body
}
