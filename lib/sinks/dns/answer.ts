/**
 * One query in, one answer out (or a decision to forward or drop). The hot path parses the header
 * and question by hand and copies a cached tail; anything unusual is decoded by dns2 first and
 * then answered by the same rules.
 *
 * | query                                   | answer                                  |
 * | --------------------------------------- | --------------------------------------- |
 * | shorter than a header, or a response    | dropped (counted)                       |
 * | undecodable, or not exactly 1 question  | FORMERR                                 |
 * | over 4 KiB or 16 records (no query is)  | FORMERR, without decoding               |
 * | opcode other than QUERY                 | NOTIMP                                  |
 * | EDNS version other than 0               | BADVERS (RFC 6891 §6.1.3)               |
 * | class other than IN, zone transfers     | REFUSED                                 |
 * | name inside our zones                   | from the cache, AA set                  |
 * | ... before the first verified replica   | SERVFAIL (not a cacheable NXDOMAIN)     |
 * | name outside our zones                  | forwarded with --upstream, else REFUSED |
 */
import dns2 from 'dns2'
import type { AnswerCache } from './cache.ts'
import { zoneTail } from './cache.ts'
import {
  answerLimit,
  assemble,
  CLASS_IN,
  headerOnly,
  nameKey,
  parseFast,
  RCODE,
  RCODE_BADVERS,
  TYPE,
} from './wire.ts'
import type { Query, Tail } from './wire.ts'

const { Packet } = dns2

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
  if (nx !== undefined) return cache.serving ? out(nx, true) : out(bare(RCODE.SERVFAIL), false)
  if (forward) return { kind: 'forward', query: q }
  return out(bare(RCODE.REFUSED), false)
}

/** Answers a raw packet. Never throws. */
export function respond(buf: Buffer, transport: Transport, cache: AnswerCache, forward: boolean): Outcome {
  const fast = parseFast(buf)
  if (fast.ok) return answerQuery(fast.query, transport, cache, forward)
  if (fast.reason !== 'slow') return { kind: 'drop', reason: fast.reason }
  const q = parseSlow(buf)
  if (q === undefined)
    return { kind: 'answer', bytes: headerOnly(buf, RCODE.FORMERR), rcode: RCODE.FORMERR, qtype: 0 }
  return answerQuery(q, transport, cache, forward)
}

/**
 * No real query is bigger or carries more records (a question, an OPT, maybe a TSIG or cookie);
 * larger ones are refused before dns2's bit-by-bit decoder spends milliseconds on them.
 */
export const MAX_SLOW_QUERY_BYTES = 4096
export const MAX_SLOW_QUERY_RECORDS = 16

/** dns2's full decoder for the odd cases: compressed question names, extra records, trailing bytes. */
function parseSlow(buf: Buffer): Query | undefined {
  const records = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10)
  if (buf.length > MAX_SLOW_QUERY_BYTES || records > MAX_SLOW_QUERY_RECORDS) return undefined
  let p: dns2.Packet
  try {
    p = Packet.parse(buf)
  } catch {
    return undefined
  }
  const question = p.questions[0]
  if (p.errors.length > 0 || p.questions.length !== 1 || question === undefined) return undefined
  if (typeof question.name !== 'string' || question.name.length > 253) return undefined
  const wire = nameKey(question.name)
  const qname = Buffer.from(wire, 'latin1')
  const opt = p.additionals.find((r) => r.type === TYPE.OPT)
  return {
    id: p.header.id,
    copyFlags: (p.header.rd ? 0x0100 : 0) | ((buf[3] ?? 0) & 0x10),
    opcode: p.header.opcode,
    qname,
    key: wire.toLowerCase(),
    qtype: question.type,
    qclass: question.class,
    edns:
      opt === undefined
        ? undefined
        : { payload: opt.class, version: opt.version ?? 0, dnssecOk: opt.doFlag === true },
  }
}

/** An answer carrying only `rcode` (SERVFAIL when forwarding fails). */
export function rcodeAnswer(q: Query, transport: Transport, rcode: number): Buffer {
  return assemble(q, bare(rcode), answerLimit(q, transport), false)
}
