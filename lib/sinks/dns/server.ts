/**
 * The DNS server on `--dns-listen`, UDP and TCP on the same port (bind.ts). Answers come from an
 * `AnswerCache` that the agent swaps in whole when the replica changes (handler.ts); UDP datagrams
 * (udp.ts) and TCP messages (tcp.ts: RFC 7766 framing, with limits a slow client cannot starve)
 * reach the same handler.
 */
import { createServer } from 'node:net'
import type { Registry } from 'prom-client'
import type { HostPort } from '../../util/hostport.ts'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../../util/errors.ts'
import { bindSamePort } from './bind.ts'
import type { AnswerCache } from './cache.ts'
import { createForwarder } from './forward.ts'
import { answerer } from './handler.ts'
import { createDnsMetrics } from './metrics.ts'
import { TCP_DEFAULTS, tcpConnections } from './tcp.ts'
import type { TcpLimits } from './tcp.ts'
import { udpSocket } from './udp.ts'

export interface DnsServerInit {
  readonly listen: HostPort
  /** Forward names outside our zones here; empty answers them REFUSED. */
  readonly upstreams: readonly HostPort[]
  /** @default 2000 */
  readonly upstreamTimeoutMs?: number
  /** TCP connection limits. @default TCP_DEFAULTS */
  readonly tcp?: Partial<TcpLimits>
}

export interface DnsServerComponents {
  readonly log: Logger
  readonly registry: Registry
}

export interface DnsServer {
  readonly address: HostPort
  setCache(cache: AnswerCache): void
  close(): Promise<void>
}

export async function startDnsServer(
  init: DnsServerInit,
  cache: AnswerCache,
  c: DnsServerComponents,
): Promise<DnsServer> {
  const log = c.log.child('dns')
  const metrics = createDnsMetrics(c.registry)
  const forwarder =
    init.upstreams.length > 0
      ? createForwarder({ upstreams: init.upstreams, timeoutMs: init.upstreamTimeoutMs ?? 2000 })
      : undefined
  const answers = answerer(cache, { forwarder, metrics, log })
  const conns = tcpConnections(
    { ...TCP_DEFAULTS, ...init.tcp },
    {
      message: (msg, send) => answers.handle(msg, 'tcp', send),
      closed: (reason) => {
        metrics.tcpClosed(reason)
        if (reason === 'backlog') metrics.dropped('tcp-backlog')
      },
    },
  )
  metrics.tcpOpen(() => conns.size)
  const tcp = createServer({ noDelay: true }, (sock) => conns.accept(sock))
  const udp = await bindSamePort(
    init.listen,
    () => udpSocket(init.listen.host, (msg, reply) => answers.handle(msg, 'udp', reply)),
    tcp,
  )
  const port = udp.address().port
  // Send failures (a flood to unreachable ports, EPERM from a firewall) are counted, not logged each.
  udp.on('error', (err) => {
    metrics.dropped('send-error')
    log.debug('dns udp socket error', { err: errorMessage(err) })
  })
  tcp.on('error', (err) => log.warn('dns tcp server error', { err: errorMessage(err) }))
  const forwarding = forwarder !== undefined
  log.info('serving dns', { address: `${init.listen.host}:${port}`, names: cache.names.size, forwarding })

  let closed: Promise<void> | undefined
  return {
    address: { host: init.listen.host, port },
    setCache: answers.setCache,
    close() {
      closed ??= new Promise<void>((resolve) => {
        forwarder?.close()
        conns.destroyAll()
        let left = 2
        const one = (): void => {
          if (--left === 0) resolve()
        }
        udp.close(one)
        tcp.close(one)
      })
      return closed
    },
  }
}
