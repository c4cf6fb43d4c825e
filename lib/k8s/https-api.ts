/**
 * `KubeApi` on node:https with one keep-alive agent: what the controller uses for in-cluster and
 * plain kubeconfigs (see kubeconfig.ts). `openKubeApi` falls back to @kubernetes/client-node for
 * the configs only it understands (exec plugins, auth providers, proxies), loading it on demand.
 */
import { Agent, request } from 'node:https'
import type { IncomingMessage } from 'node:http'
import { DEFAULT_REQUEST_TIMEOUT_MS, responseError } from './client.ts'
import type { KubeApi, KubeApiInit, Query } from './client.ts'
import { inClusterAccess, kubeconfigAccess } from './kubeconfig.ts'
import type { KubeAccess } from './kubeconfig.ts'
import { streamWatch } from './watch-stream.ts'

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (c: Buffer) => chunks.push(c))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}

export function createHttpsKubeApi(access: KubeAccess, init: KubeApiInit = {}): KubeApi {
  const agent = new Agent({
    keepAlive: true,
    keepAliveMsecs: 30_000,
    ...(access.ca === undefined ? {} : { ca: access.ca }),
    ...(access.cert === undefined ? {} : { cert: access.cert }),
    ...(access.key === undefined ? {} : { key: access.key }),
    ...(access.servername === undefined ? {} : { servername: access.servername }),
    rejectUnauthorized: !access.insecure,
  })
  const timeoutMs = init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  const url = (path: string, query: Query | undefined): URL => {
    const u = new URL(access.server + path)
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v))
    return u
  }
  const headers = (body: string | undefined, method: string): Record<string, string> => {
    const auth = access.authorization()
    return {
      accept: 'application/json',
      ...(auth === undefined ? {} : { authorization: auth }),
      ...(body === undefined
        ? {}
        : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
    }
  }
  /** Sends one request; resolves with the response once its headers arrived. */
  const open = (method: string, target: URL, body: string | undefined, signal: AbortSignal) =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const req = request(target, { method, agent, headers: headers(body, method), signal }, resolve)
      req.on('error', reject)
      req.end(body)
    })

  const call = async (
    method: string,
    path: string,
    query: Query | undefined,
    body: unknown,
    signal?: AbortSignal,
  ) => {
    const timeout = AbortSignal.timeout(timeoutMs)
    const s = signal === undefined ? timeout : AbortSignal.any([signal, timeout])
    const res = await open(method, url(path, query), body === undefined ? undefined : JSON.stringify(body), s)
    const text = await readBody(res)
    const status = res.statusCode ?? 0
    if (status < 200 || status > 299) throw responseError(status, text)
    return text === '' ? undefined : (JSON.parse(text) as unknown)
  }

  return {
    server: access.server,
    get: (path, query, signal) => call('GET', path, query, undefined, signal),
    send: (method, path, body, signal) => call(method, path, undefined, body, signal),
    watch: (path, query, onEvent, opts) =>
      streamWatch(
        async (signal) => {
          const res = await open('GET', url(path, { ...query, watch: true }), undefined, signal)
          if (res.statusCode !== 200) throw responseError(res.statusCode ?? 0, await readBody(res))
          res.setEncoding('utf8')
          return res as AsyncIterable<string>
        },
        onEvent,
        opts,
      ),
  }
}

/**
 * The API for `--kubeconfig PATH` (or in-cluster config when undefined): node:https when the
 * config allows, else @kubernetes/client-node (loaded only then). Throws with a reason when the
 * config can't be read.
 */
export async function openKubeApi(kubeconfig: string | undefined): Promise<KubeApi> {
  if (kubeconfig === undefined) return createHttpsKubeApi(inClusterAccess())
  const r = kubeconfigAccess(kubeconfig)
  if (r.ok) return createHttpsKubeApi(r.access)
  const { KubeConfig } = await import('@kubernetes/client-node')
  const { createKubeApi } = await import('./client.ts')
  const kc = new KubeConfig()
  kc.loadFromFile(kubeconfig)
  return createKubeApi(kc)
}
