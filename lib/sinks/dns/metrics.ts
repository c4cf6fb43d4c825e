/**
 * DNS metrics. The query path only bumps numbers in a typed array; they are turned into labelled
 * prom-client counters when /metrics is scraped, so a query costs no label hashing. Latency is
 * sampled (one query in SAMPLE_EVERY) for the same reason.
 */
import { Counter, Gauge, Histogram } from 'prom-client'
import type { Registry } from 'prom-client'
import type { Transport } from './answer.ts'

export const SAMPLE_EVERY = 64

const QTYPES = ['A', 'NS', 'CNAME', 'SOA', 'AAAA', 'ANY', 'other'] as const
const QTYPE_INDEX: Readonly<Record<number, number>> = { 1: 0, 2: 1, 5: 2, 6: 3, 28: 4, 255: 5 }
const RCODES = 24
const TRANSPORTS: readonly Transport[] = ['udp', 'tcp']
const RCODE_NAMES: Readonly<Record<number, string>> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
  16: 'BADVERS',
}

export interface DnsMetrics {
  query(transport: Transport, qtype: number, rcode: number): void
  dropped(reason: string): void
  forwarded(outcome: 'ok' | 'timeout' | 'error'): void
  /** True for the queries whose latency is measured. */
  sample(): boolean
  observe(seconds: number): void
  cache(names: number): void
  /** A TCP connection we closed, and why. */
  tcpClosed(reason: string): void
  /** Where the open TCP connection count is read from at scrape time. */
  tcpOpen(read: () => number): void
}

export function createDnsMetrics(registry: Registry): DnsMetrics {
  const counts = new Float64Array(TRANSPORTS.length * QTYPES.length * RCODES)
  const reported = new Float64Array(counts.length)
  new Counter({
    name: 'dns_controller_dns_queries_total',
    help: 'DNS queries answered, by transport, query type and response code.',
    labelNames: ['transport', 'qtype', 'rcode'],
    registers: [registry],
    collect() {
      for (let i = 0; i < counts.length; i++) {
        const delta = counts[i]! - reported[i]!
        if (delta === 0) continue
        reported[i] = counts[i]!
        const rcode = i % RCODES
        const qtype = Math.floor(i / RCODES) % QTYPES.length
        const transport = Math.floor(i / (RCODES * QTYPES.length))
        this.inc(
          {
            transport: TRANSPORTS[transport]!,
            qtype: QTYPES[qtype]!,
            rcode: RCODE_NAMES[rcode] ?? String(rcode),
          },
          delta,
        )
      }
    },
  })
  const dropped = new Counter({
    name: 'dns_controller_dns_dropped_total',
    help: 'DNS packets dropped without an answer, by reason.',
    labelNames: ['reason'],
    registers: [registry],
  })
  const forwarded = new Counter({
    name: 'dns_controller_dns_forwarded_total',
    help: 'Queries outside our zones forwarded to --upstream, by outcome.',
    labelNames: ['outcome'],
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'dns_controller_dns_answer_duration_seconds',
    help: `Time from receiving a query to handing its answer to the socket; one query in ${SAMPLE_EVERY} is measured.`,
    buckets: [0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.005, 0.05],
    registers: [registry],
  })
  const names = new Gauge({
    name: 'dns_controller_dns_cache_names',
    help: 'Names with pre-encoded answers in the DNS cache.',
    registers: [registry],
  })
  const tcpClosed = new Counter({
    name: 'dns_controller_dns_tcp_closed_total',
    help: 'TCP connections the server closed, by reason (idle, message-timeout, evicted, client-limit, backlog).',
    labelNames: ['reason'],
    registers: [registry],
  })
  let readOpen = (): number => 0
  new Gauge({
    name: 'dns_controller_dns_tcp_connections',
    help: 'Open DNS TCP connections.',
    registers: [registry],
    collect() {
      this.set(readOpen())
    },
  })
  let n = 0
  return {
    query(transport, qtype, rcode) {
      const t = transport === 'udp' ? 0 : 1
      const q = QTYPE_INDEX[qtype] ?? QTYPES.length - 1
      counts[(t * QTYPES.length + q) * RCODES + Math.min(rcode, RCODES - 1)]! += 1
    },
    dropped: (reason) => dropped.inc({ reason }),
    forwarded: (outcome) => forwarded.inc({ outcome }),
    sample: () => (++n & (SAMPLE_EVERY - 1)) === 0,
    observe: (s) => latency.observe(s),
    cache: (count) => names.set(count),
    tcpClosed: (reason) => tcpClosed.inc({ reason }),
    tcpOpen: (read) => {
      readOpen = read
    },
  }
}
