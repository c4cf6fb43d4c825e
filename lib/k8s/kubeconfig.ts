/**
 * Where the API server is and how to authenticate, for the common cases, without loading
 * @kubernetes/client-node (whose generated models cost ~90 MB RSS and ~1 s of start-up):
 *
 * | config | supported here |
 * | --- | --- |
 * | in-cluster (service-account token file + CA) | yes; the token file is re-read (bound tokens rotate) |
 * | kubeconfig: token, tokenFile, client cert/key, CA (file or data), insecure-skip-tls-verify, tls-server-name, basic auth | yes |
 * | kubeconfig: exec plugins, auth-provider, proxy-url | no: `needsLibrary`, and the caller uses the library |
 */
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join } from 'node:path'
import { load } from 'js-yaml'
import { isJsonObject } from '../util/json.ts'

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount'
const TOKEN_REREAD_MS = 60_000

export interface KubeAccess {
  /** `https://host:port`, no trailing slash. */
  readonly server: string
  readonly ca?: Buffer
  readonly cert?: Buffer
  readonly key?: Buffer
  readonly insecure: boolean
  readonly servername?: string
  /** The `Authorization` header value for the next request, if any. */
  authorization(): string | undefined
}

export type KubeAccessResult =
  | { readonly ok: true; readonly access: KubeAccess }
  | { readonly ok: false; readonly needsLibrary: true; readonly reason: string }

type Obj = Record<string, unknown>
const str = (x: unknown): string | undefined => (typeof x === 'string' && x !== '' ? x : undefined)

function named(list: unknown, name: string | undefined, field: string): Obj | undefined {
  if (!Array.isArray(list)) return undefined
  const entry = (list as unknown[]).find((e) => isJsonObject(e) && e.name === name)
  return isJsonObject(entry) && isJsonObject(entry[field]) ? entry[field] : undefined
}

/** A token read from a file, re-read at most once a minute. */
function fileToken(path: string, now: () => number = Date.now): () => string {
  let token = readFileSync(path, 'utf8').trim()
  let readAt = now()
  return () => {
    if (now() - readAt >= TOKEN_REREAD_MS) {
      try {
        token = readFileSync(path, 'utf8').trim()
      } catch {
        // keep the previous token; the API will say 401 if it really expired
      }
      readAt = now()
    }
    return token
  }
}

export function inClusterAccess(env: NodeJS.ProcessEnv = process.env, dir = SA_DIR): KubeAccess {
  const host = env.KUBERNETES_SERVICE_HOST
  const port = env.KUBERNETES_SERVICE_PORT ?? '443'
  if (host === undefined || host === '')
    throw new Error('not running in a cluster (no KUBERNETES_SERVICE_HOST)')
  const token = fileToken(join(dir, 'token'))
  return {
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readFileSync(join(dir, 'ca.crt')),
    insecure: false,
    authorization: () => `Bearer ${token()}`,
  }
}

/** Reads a kubeconfig file (its current context). Throws on unreadable or incomplete files. */
export function kubeconfigAccess(path: string): KubeAccessResult {
  const doc = load(readFileSync(path, 'utf8'))
  if (!isJsonObject(doc)) throw new Error(`${path}: not a kubeconfig`)
  const base = dirname(path)
  const file = (p: string): Buffer => readFileSync(isAbsolute(p) ? p : join(base, p))
  const data = (o: Obj, key: string): Buffer | undefined => {
    const d = str(o[`${key}-data`])
    if (d !== undefined) return Buffer.from(d, 'base64')
    const f = str(o[key])
    return f === undefined ? undefined : file(f)
  }
  const ctxName = str(doc['current-context'])
  if (ctxName === undefined) throw new Error(`${path}: no current-context`)
  const ctx = named(doc.contexts, ctxName, 'context')
  if (ctx === undefined) throw new Error(`${path}: context ${ctxName} not found`)
  const cluster = named(doc.clusters, str(ctx.cluster), 'cluster')
  if (cluster === undefined) throw new Error(`${path}: cluster ${String(ctx.cluster)} not found`)
  const user = named(doc.users, str(ctx.user), 'user') ?? {}
  const server = str(cluster.server)
  if (server === undefined) throw new Error(`${path}: cluster ${String(ctx.cluster)} has no server`)
  for (const [o, key] of [
    [user, 'exec'],
    [user, 'auth-provider'],
    [cluster, 'proxy-url'],
  ] as const)
    if (o[key] !== undefined) return { ok: false, needsLibrary: true, reason: `${key} in ${path}` }
  if (!server.startsWith('https://') && cluster['insecure-skip-tls-verify'] !== true)
    return { ok: false, needsLibrary: true, reason: `plain http server in ${path}` }
  const token = str(user.token)
  const tokenFile = str(user.tokenFile)
  const readToken =
    tokenFile === undefined ? undefined : fileToken(isAbsolute(tokenFile) ? tokenFile : join(base, tokenFile))
  const username = str(user.username)
  const basic =
    username === undefined
      ? undefined
      : Buffer.from(`${username}:${str(user.password) ?? ''}`).toString('base64')
  const ca = data(cluster, 'certificate-authority')
  const cert = data(user, 'client-certificate')
  const key = data(user, 'client-key')
  const servername = str(cluster['tls-server-name'])
  return {
    ok: true,
    access: {
      server: server.replace(/\/+$/, ''),
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(servername === undefined ? {} : { servername }),
      insecure: cluster['insecure-skip-tls-verify'] === true,
      authorization: () =>
        token !== undefined
          ? `Bearer ${token}`
          : readToken !== undefined
            ? `Bearer ${readToken()}`
            : basic === undefined
              ? undefined
              : `Basic ${basic}`,
    },
  }
}
