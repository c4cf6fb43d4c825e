/**
 * The operations endpoint shared by the controller and the agent: `/metrics` (Prometheus text from
 * the given registry), `/healthz` (the process loop is alive), `/readyz` (it can do its job) and any
 * extra JSON routes (the agent's `/state`). Bound to an operator-chosen address; never to 0.0.0.0
 * by default.
 */
import { createRequire } from 'node:module'
import type * as Http from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Registry } from 'prom-client'
import type { HostPort } from '../util/hostport.ts'
import type { Logger } from '../util/log.ts'

// Not `import { createServer } from 'node:http'`: an ES import of node:http reads every export,
// including its lazy WebSocket, CloseEvent and MessageEvent getters, and those load undici with
// tls, http2 and zlib: 11 MB of RSS for nothing (test/integration/build/bundle.test.ts checks).
// require() reads only what we use.
const { createServer } = createRequire(import.meta.url)('node:http') as typeof Http

export interface Check {
  readonly ok: boolean
  readonly reason?: string
}

export interface OpsServerInit {
  readonly listen: HostPort
  readonly registry: Registry
  readonly healthy: () => Check
  readonly ready: () => Check
  /** Extra GET routes answered with JSON, e.g. `/state`. */
  readonly jsonRoutes?: Readonly<Record<string, () => unknown>>
}

export interface OpsServer {
  /** The bound address (useful with port 0). */
  readonly address: HostPort
  close(): Promise<void>
}

export async function startOpsServer(init: OpsServerInit, log: Logger): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const reply = (status: number, type: string, body: string): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' })
      res.end(body)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'method not allowed\n')
    const check = path === '/healthz' ? init.healthy : path === '/readyz' ? init.ready : undefined
    if (check !== undefined) {
      const c = check()
      return reply(c.ok ? 200 : 503, 'text/plain', c.ok ? 'ok\n' : `not ok: ${c.reason ?? 'unknown'}\n`)
    }
    if (path === '/metrics') {
      init.registry.metrics().then(
        (text) => reply(200, init.registry.contentType, text),
        (err: unknown) => {
          log.warn('metrics collection failed', { err })
          reply(500, 'text/plain', 'metrics collection failed\n')
        },
      )
      return
    }
    const route = init.jsonRoutes?.[path]
    if (route !== undefined) return reply(200, 'application/json', JSON.stringify(route()) + '\n')
    reply(404, 'text/plain', 'not found\n')
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(init.listen.port, init.listen.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const addr = server.address() as AddressInfo
  log.info('serving metrics and health', { address: `${addr.address}:${addr.port}` })
  return {
    address: { host: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
