/**
 * One DNS message in, an answer out, the same for UDP and TCP: from the current answer cache, or
 * forwarded upstream and answered later. It never throws: a packet that breaks something is
 * dropped and counted, and the next one is answered.
 */
import type { Logger } from '../../util/log.ts'
import { errorMessage } from '../../util/errors.ts'
import { rcodeAnswer, respond } from './answer.ts'
import type { Transport } from './answer.ts'
import type { AnswerCache } from './cache.ts'
import type { Forwarder } from './forward.ts'
import type { DnsMetrics } from './metrics.ts'
import type { Query } from './wire.ts'
import { RCODE } from './wire.ts'

/** Answers `msg`; `send` never throws. */
export type QueryHandler = (msg: Buffer, transport: Transport, send: (b: Buffer) => void) => void

export interface Answerer {
  readonly handle: QueryHandler
  /** Answers from `cache` from now on (the agent swaps it whole). */
  setCache(cache: AnswerCache): void
}

export interface QueryHandlerComponents {
  /** Undefined: names outside our zones are REFUSED. */
  readonly forwarder: Forwarder | undefined
  readonly metrics: DnsMetrics
  readonly log: Logger
}

export function answerer(cache: AnswerCache, c: QueryHandlerComponents): Answerer {
  const { forwarder, metrics, log } = c
  const forwarding = forwarder !== undefined
  let current = cache
  metrics.cache(cache.names.size)
  const forward = (msg: Buffer, transport: Transport, send: (b: Buffer) => void, f: Forwarder, q: Query) => {
    f.forward(msg, transport).then(
      (answer) => {
        metrics.forwarded(answer === undefined ? 'timeout' : 'ok')
        send(answer ?? rcodeAnswer(q, transport, RCODE.SERVFAIL))
        metrics.query(transport, q.qtype, answer === undefined ? RCODE.SERVFAIL : (answer[3] ?? 0) & 0xf)
      },
      () => metrics.forwarded('error'),
    )
  }
  const handle: QueryHandler = (msg, transport, send) => {
    const t0 = metrics.sample() ? performance.now() : -1
    try {
      const o = respond(msg, transport, current, forwarding)
      if (o.kind === 'answer') {
        send(o.bytes)
        metrics.query(transport, o.qtype, o.rcode)
      } else if (o.kind === 'drop') {
        metrics.dropped(o.reason)
        log.debug('dns packet dropped', { reason: o.reason, transport })
      } else if (forwarder !== undefined) forward(msg, transport, send, forwarder, o.query)
    } catch (err) {
      // A bug, not bad input: keep serving, but make it visible.
      metrics.dropped('internal-error')
      log.error('dns query failed', { err: errorMessage(err), transport })
    }
    if (t0 >= 0) metrics.observe((performance.now() - t0) / 1000)
  }
  return {
    handle,
    setCache(next) {
      current = next
      metrics.cache(next.names.size)
    },
  }
}
