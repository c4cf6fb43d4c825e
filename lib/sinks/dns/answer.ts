/**
 * One query in, one answer out (or a decision to forward or drop). The hot path parses the header
 * and question by hand and copies a cached tail; anything unusual is parsed by slow.ts first and
 * then answered by the same rules.
 *
 * | query                                   | answer                                  |
 * | --------------------------------------- | --------------------------------------- |
 * | shorter than a header, or a response    | dropped (counted)                       |
 * | opcode other than QUERY                 | NOTIMP (checked first: even without a   |
 * |                                         | readable question)                      |
 * | undecodable, or not exactly 1 question  | FORMERR                                 |
 * | 2 OPTs, OPT outside additional, option  | FORMERR (RFC 6891 §6.1.1)               |
 * | longer than its RDATA                   |                                         |
 * | over 4 KiB or 16 records (no query is)  | FORMERR, without decoding               |
 * | EDNS version other than 0               | BADVERS (RFC 6891 §6.1.3)               |
 * | class other than IN, zone transfers     | REFUSED                                 |
 * | name inside our zones                   | from the cache, AA set                  |
 * | ... not there, a wildcard covers it     | the wildcard's answer (RFC 4592), AA    |
 * | ... before the first verified replica   | SERVFAIL (not a cacheable NXDOMAIN)     |
 * | name outside our zones                  | forwarded with --upstream, else REFUSED |
 */
import type { AnswerCache } from './cache.ts'
import { wildcardFor, zoneTail } from './cache.ts'
import { answerLimit, assemble, CLASS_IN, headerOnly, parseFast, RCODE, RCODE_BADVERS } from './wire.ts'
import type { Query, Tail } from './wire.ts'
import { parseSlow } from './slow.ts'

export type Transport = 'udp' | 'tcp'

export type Outcome =
  | { readonly kind: 'answer'; readonly bytes: Buffer; readonly rcode: number; readonly qtype: number }
  | { readonly kind: 'forward'; readonly query: Query }
  | { readonly kind: 'drop'; readonly reason: 'short' | 'response' }

const AXFR = 252
const IXFR = 251
const EMPTY = new Uint8Array(0)

function bare(rcode: number): Tail {
  return { rcode, ancount: 0, nscount: 0, bytes: EMPTY }
}

export function answerQuery(q: Query, transport: Transport, cache: AnswerCache, forward: boolean): Outcome {
  const limit = answerLimit(q, transport)
  const out = (tail: Tail, aa: boolean): Outcome => ({
    kind: 'answer',
    bytes: assemble(q, tail, limit, aa),
    rcode: tail.rcode,
    qtype: q.qtype,
  })
  if (q.opcode !== 0) return out(bare(RCODE.NOTIMP), false)
  if (q.edns !== undefined && q.edns.version !== 0) return out(bare(RCODE_BADVERS), false)
  if (q.qclass !== CLASS_IN || q.qtype === AXFR || q.qtype === IXFR) return out(bare(RCODE.REFUSED), false)
  const entry = cache.names.get(q.key)
  if (entry !== undefined && cache.serving) return out(entry.tails.get(q.qtype) ?? entry.other, true)
  const nx = zoneTail(cache, q.key)
  if (nx !== undefined && !cache.serving) return out(bare(RCODE.SERVFAIL), false)
  if (nx !== undefined) {
    const wild = wildcardFor(cache, q.key)
    return wild === undefined ? out(nx, true) : out(wild.tails.get(q.qtype) ?? wild.other, true)
  }
  if (forward) return { kind: 'forward', query: q }
  return out(bare(RCODE.REFUSED), false)
}

/** Answers a raw packet. Never throws. */
export function respond(buf: Buffer, transport: Transport, cache: AnswerCache, forward: boolean): Outcome {
  const fast = parseFast(buf)
  if (fast.ok) return answerQuery(fast.query, transport, cache, forward)
  if (fast.reason !== 'slow') return { kind: 'drop', reason: fast.reason }
  const q = parseSlow(buf)
  if (q !== undefined) return answerQuery(q, transport, cache, forward)
  // The opcode decides first: a message we cannot read under an opcode we do not implement is
  // NOTIMP (what its question should look like is the opcode's business), not FORMERR.
  const rcode = (buf[2]! & 0x78) !== 0 ? RCODE.NOTIMP : RCODE.FORMERR
  return { kind: 'answer', bytes: headerOnly(buf, rcode), rcode, qtype: 0 }
}

/** An answer carrying only `rcode` (SERVFAIL when forwarding fails). */
export function rcodeAnswer(q: Query, transport: Transport, rcode: number): Buffer {
  return assemble(q, bare(rcode), answerLimit(q, transport), false)
}
