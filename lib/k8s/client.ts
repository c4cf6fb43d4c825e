/**
 * A thin JSON client on top of @kubernetes/client-node's KubeConfig (auth, TLS, in-cluster config).
 *
 * Why not the generated typed APIs and the library's informer: the typed APIs deserialize whole
 * objects into model classes (costly for 10,000 Pods when we keep four fields), the informer stops
 * for good on any error but 410, and the library's `Watch` builds a new HTTP dispatcher (connection
 * pool) per call and aborts any watch silent for 30 s. Here lists and watches return plain JSON that
 * callers project at once, share one dispatcher, and errors carry the HTTP status.
 */
import type {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  KubeConfig,
  RequestContext,
} from '@kubernetes/client-node'
import { streamWatch } from './watch-stream.ts'
import { isJsonObject } from '../util/json.ts'

/** A non-2xx answer from the API server (or a watch ERROR event), with its status code. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly reason: string
  constructor(status: number, reason: string, message: string) {
    super(`${status} ${reason}: ${message}`)
    this.status = status
    this.reason = reason
  }
}

/**
 * True for "410 Gone" (resourceVersion too old, or an expired continue token): relist. The one test,
 * whether the 410 came as an HTTP status or as a watch ERROR event (both become an `ApiError`).
 */
export function isGone(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 410 || err.reason === 'Expired' || err.reason === 'Gone')
}

/**
 * The `ApiError` for a failure whose body may be a `Status` object (an error response, or the object
 * of a watch ERROR event); `status` and `fallback` stand in for what the body does not say.
 */
export function statusError(status: number | undefined, body: unknown, fallback: string): ApiError {
  const st = parseStatus(body)
  return new ApiError(status ?? st?.code ?? 500, st?.reason ?? 'Error', st?.message ?? fallback)
}

/** `statusError` for an HTTP response body as text (JSON or not). */
export function responseError(status: number, text: string): ApiError {
  return statusError(status, safeJson(text), text.slice(0, 200))
}

export interface WatchEvent {
  readonly type: string
  readonly object: unknown
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>

export interface KubeApi {
  /** The API server URL, for logs. */
  readonly server: string
  get(path: string, query?: Query, signal?: AbortSignal): Promise<unknown>
  /** POST/PUT/PATCH/DELETE with a JSON body (PATCH uses merge-patch). */
  send(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<unknown>
  /**
   * Streams watch events to `onEvent` until the server ends the watch (resolves), or the request fails,
   * nothing arrives for `inactivityMs`, or `signal` aborts (rejects).
   */
  watch(
    path: string,
    query: Query,
    onEvent: (ev: WatchEvent) => void,
    opts: { signal: AbortSignal; inactivityMs: number },
  ): Promise<void>
}

/** Per-request deadline for non-watch calls, unless `KubeApiInit` says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000

/** Options of both `KubeApi` implementations. */
export interface KubeApiInit {
  /** Per-request deadline for non-watch calls; `DEFAULT_REQUEST_TIMEOUT_MS` when absent. */
  readonly requestTimeoutMs?: number
}

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>

/**
 * KubeApi over the library's KubeConfig (any auth it supports). The library is imported on first
 * use: importing it costs ~90 MB RSS, which the controller avoids for plain configs (https-api.ts).
 */
export function createKubeApi(kc: KubeConfig, init: KubeApiInit = {}): KubeApi {
  const cluster = kc.getCurrentCluster()
  if (cluster === null) throw new Error('kubeconfig has no current cluster')
  const server = cluster.server.replace(/\/+$/, '')
  let lib: Promise<{ http: IsomorphicFetchHttpLibrary; Ctx: typeof RequestContext }> | undefined
  const library = () =>
    (lib ??= import('@kubernetes/client-node').then((m) => ({
      http: new m.IsomorphicFetchHttpLibrary(),
      Ctx: m.RequestContext,
    })))
  const requestTimeoutMs = init.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
  let dispatcher: Dispatcher | undefined

  const url = (path: string, query: Query | undefined): string => {
    const u = new URL(server + path)
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v))
    return u.toString()
  }

  // Auth headers are applied per request (token files rotate); the TLS dispatcher is reused so
  // connections are kept alive instead of one new pool per call.
  const prepare = async (
    method: HttpMethod,
    target: string,
    signal: AbortSignal,
  ): Promise<RequestContext> => {
    const ctx = new (await library()).Ctx(target, method)
    await kc.applySecurityAuthentication(ctx)
    const fresh = ctx.getDispatcher()
    if (dispatcher === undefined) dispatcher = fresh
    else if (fresh !== undefined) ctx.setDispatcher(dispatcher)
    ctx.setHeaderParam('Accept', 'application/json')
    ctx.setSignal(signal)
    return ctx
  }

  const failure = async (status: number, text: () => Promise<string>): Promise<ApiError> => {
    let body = ''
    try {
      body = await text()
    } catch {
      // keep the status alone
    }
    return responseError(status, body)
  }

  const call = async (
    method: HttpMethod,
    path: string,
    query: Query | undefined,
    body: unknown,
    signal?: AbortSignal,
  ) => {
    const timeout = AbortSignal.timeout(requestTimeoutMs)
    const ctx = await prepare(method, url(path, query), signal ? AbortSignal.any([signal, timeout]) : timeout)
    if (body !== undefined) {
      ctx.setHeaderParam(
        'Content-Type',
        method === 'PATCH' ? 'application/merge-patch+json' : 'application/json',
      )
      ctx.setBody(JSON.stringify(body))
    }
    const res = await (await library()).http.send(ctx).toPromise()
    if (res.httpStatusCode < 200 || res.httpStatusCode > 299)
      throw await failure(res.httpStatusCode, () => res.body.text())
    const text = await res.body.text()
    return text === '' ? undefined : (JSON.parse(text) as unknown)
  }

  return {
    server,
    get: (path, query, signal) => call('GET', path, query, undefined, signal),
    send: (method, path, body, signal) => call(method, path, undefined, body, signal),
    watch: (path, query, onEvent, opts) =>
      streamWatch(
        async (signal) => {
          const ctx = await prepare('GET', url(path, { ...query, watch: true }), signal)
          const res = await (await library()).http.send(ctx).toPromise()
          if (res.httpStatusCode !== 200) throw await failure(res.httpStatusCode, () => res.body.text())
          const stream = res.body.stream()
          if (stream === null) throw new Error('watch response has no body')
          return decodeText(stream)
        },
        onEvent,
        opts,
      ),
  }
}

async function* decodeText(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder()
  for await (const chunk of chunks) yield decoder.decode(chunk, { stream: true })
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown
  } catch {
    return undefined
  }
}

/** A `Status` object (error bodies and watch ERROR events). */
export function parseStatus(x: unknown): { code: number; reason: string; message: string } | undefined {
  if (!isJsonObject(x) || x.kind !== 'Status') return undefined
  return {
    code: typeof x.code === 'number' ? x.code : 0,
    reason: typeof x.reason === 'string' ? x.reason : 'Error',
    message: typeof x.message === 'string' ? x.message : '',
  }
}
