/**
 * The DNS server on `--dns-listen`, UDP and TCP on the same port. Answers come from an
 * `AnswerCache` that the agent swaps in whole when the replica changes; the socket handlers never
 * throw (a packet that breaks something is dropped and counted, and the next one is answered).
 * TCP follows RFC 7766 with limits a slow client cannot starve (tcp.ts).
 */
import { createSocket } from 'node:dgram'
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram'
import { lookup as dnsLookup } from 'node:dns'
import type { LookupOneOptions } from 'node:dns'
import { createServer, isIP, isIPv6 } from 'node:net'
import type { Server } from 'node:net'
import type { Registry } from 'prom-client'
import type { HostPort } from '../../util/hostport.ts'
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../../util/errors.ts'
import { rcodeAnswer, respond } from './answer.ts'
import type { Transport } from './answer.ts'
import type { AnswerCache } from './cache.ts'
import { createForwarder } from './forward.ts'
import { createDnsMetrics } from './metrics.ts'
import { TCP_DEFAULTS, tcpConnections } from './tcp.ts'
import type { TcpLimits } from './tcp.ts'
import { RCODE } from './wire.ts'

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

/**
 * dgram resolves every destination through `lookup`, and Node's default answers an IP literal on
 * the next tick: one queued callback per reply. Ours answers literals (every rinfo.address is one)
 * at once, +12 % QPS per core (bench/results/dns.md), and leaves anything else to dns.lookup.
 */
function literalLookup(
  host: string,
  options: LookupOneOptions,
  cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  const family = isDottedQuad(host) ? 4 : isIP(host)
  if (family !== 0) cb(null, host, family)
  else dnsLookup(host, options, cb)
}

/** A strict a.b.c.d check by hand: net.isIP runs a regular expression, measurable per reply. */
export function isDottedQuad(s: string): boolean {
  if (s.length < 7 || s.length > 15) return false
  let dots = 0
  let digits = 0
  let value = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return false
      digits = 0
      value = 0
    } else if (c >= 48 && c <= 57) {
      // No leading zeros: "010" is octal to inet_aton, so leave such strings to isIP.
      if (digits === 1 && value === 0) return false
      value = value * 10 + (c - 48)
      if (++digits > 3 || value > 255) return false
    } else return false
  }
  return dots === 3 && digits > 0
}

/** Runs `start` and resolves once it calls back, or rejects on the emitter's first error. */
function listenOnce(emitter: UdpSocket | Server, start: (done: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    emitter.once('error', reject)
    start(() => {
      emitter.off('error', reject)
      resolve()
    })
  })
}

export async function startDnsServer(
  init: DnsServerInit,
  cache: AnswerCache,
  c: DnsServerComponents,
): Promise<DnsServer> {
  const log = c.log.child('dns')
  const metrics = createDnsMetrics(c.registry)
  metrics.cache(cache.names.size)
  const forwarder =
    init.upstreams.length > 0
      ? createForwarder({ upstreams: init.upstreams, timeoutMs: init.upstreamTimeoutMs ?? 2000 })
      : undefined
  const forwarding = forwarder !== undefined
  let current = cache

  // Shared by both transports: answer now, or forward and answer later. `send` never throws.
  const handle = (msg: Buffer, transport: Transport, send: (b: Buffer) => void): void => {
    const t0 = metrics.sample() ? performance.now() : -1
    try {
      const o = respond(msg, transport, current, forwarding)
      if (o.kind === 'answer') {
        send(o.bytes)
        metrics.query(transport, o.qtype, o.rcode)
      } else if (o.kind === 'drop') {
        metrics.dropped(o.reason)
        log.debug('dns packet dropped', { reason: o.reason, transport })
      } else if (forwarder !== undefined) {
        const q = o.query
        forwarder.forward(msg, transport).then(
          (answer) => {
            metrics.forwarded(answer === undefined ? 'timeout' : 'ok')
            send(answer ?? rcodeAnswer(q, transport, RCODE.SERVFAIL))
            metrics.query(transport, q.qtype, answer === undefined ? RCODE.SERVFAIL : (answer[3] ?? 0) & 0xf)
          },
          () => metrics.forwarded('error'),
        )
      }
    } catch (err) {
      // A bug, not bad input: keep serving, but make it visible.
      metrics.dropped('internal-error')
      log.error('dns query failed', { err: errorMessage(err), transport })
    }
    if (t0 >= 0) metrics.observe((performance.now() - t0) / 1000)
  }

  const onMessage = (udp: UdpSocket) => (msg: Buffer, rinfo: RemoteInfo) => {
    // No send callback: errors surface as 'error' events, and the hot path stays lean.
    handle(msg, 'udp', (b) => udp.send(b, rinfo.port, rinfo.address))
  }

  const conns = tcpConnections(
    { ...TCP_DEFAULTS, ...init.tcp },
    {
      message: (msg, send) => handle(msg, 'tcp', send),
      closed: (reason) => {
        metrics.tcpClosed(reason)
        if (reason === 'backlog') metrics.dropped('tcp-backlog')
      },
    },
  )
  metrics.tcpOpen(() => conns.size)
  const tcp = createServer({ noDelay: true }, (sock) => conns.accept(sock))

  // UDP and TCP share the port. With port 0 the UDP port the kernel picks may be taken for TCP:
  // then pick again.
  let udp: UdpSocket | undefined
  for (let attempt = 0; udp === undefined; attempt++) {
    const u = createSocket({
      type: isIPv6(init.listen.host) ? 'udp6' : 'udp4',
      lookup: literalLookup,
    })
    u.on('message', onMessage(u))
    try {
      await listenOnce(u, (done) => u.bind(init.listen.port, init.listen.host, done))
      await listenOnce(tcp, (done) => tcp.listen(u.address().port, init.listen.host, done))
      udp = u
    } catch (err) {
      u.close()
      if (init.listen.port !== 0 || attempt >= 20 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE')
        throw err
    }
  }
  const port = udp.address().port
  // Send failures (a flood to unreachable ports, EPERM from a firewall) are counted, not logged each.
  udp.on('error', (err) => {
    metrics.dropped('send-error')
    log.debug('dns udp socket error', { err: errorMessage(err) })
  })
  tcp.on('error', (err) => log.warn('dns tcp server error', { err: errorMessage(err) }))
  log.info('serving dns', { address: `${init.listen.host}:${port}`, names: cache.names.size, forwarding })

  let closed: Promise<void> | undefined
  return {
    address: { host: init.listen.host, port },
    setCache(next) {
      current = next
      metrics.cache(next.names.size)
    },
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
