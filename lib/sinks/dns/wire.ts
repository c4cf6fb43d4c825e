/**
 * The few wire-format pieces the hot path needs, by hand: the header, one question and an OPT
 * record (RFC 1035 §4.1, RFC 6891 §6.1). Anything else is parsed by slow.ts; answers are encoded by
 * dns2 once per replica (cache.ts).
 * Decoding never throws: it returns a reason, which doubles as a metric label.
 */

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, OPT: 41, AAAA: 28, ANY: 255 } as const
export const CLASS_IN = 1
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const
/** BADVERS is 16: its high bits travel in the OPT TTL (RFC 6891 §6.1.3). */
export const RCODE_BADVERS = 16
/** Our EDNS UDP payload size: the DNS flag day 2020 value, safe from IP fragmentation. */
export const MAX_UDP_PAYLOAD = 1232
/** Without EDNS a UDP answer is limited to 512 bytes (RFC 1035 §2.3.4). */
export const CLASSIC_UDP_PAYLOAD = 512
export const HEADER_BYTES = 12
export const OPT_BYTES = 11

export interface Edns {
  readonly payload: number
  readonly version: number
  readonly dnssecOk: boolean
}

/** A query reduced to what answering needs. `qname` keeps the client's case. */
export interface Query {
  readonly id: number
  /** The query's RD and CD bits, copied into the response. */
  readonly copyFlags: number
  readonly opcode: number
  /** Question name in wire form (labels), as sent. */
  readonly qname: Uint8Array
  /** Lower-cased wire name as a latin1 string: the cache key. */
  readonly key: string
  readonly qtype: number
  readonly qclass: number
  readonly edns: Edns | undefined
}

export type FastParse =
  | { readonly ok: true; readonly query: Query }
  | { readonly ok: false; readonly reason: 'short' | 'response' | 'slow' }

const RD = 0x0100
const CD = 0x0010

/**
 * The hot path's parser: exactly one uncompressed question and at most one OPT, nothing else.
 * Anything unusual is `slow` (slow.ts decides), packets too short for a header or responses are
 * dropped.
 */
export function parseFast(buf: Uint8Array): FastParse {
  if (buf.length < HEADER_BYTES) return { ok: false, reason: 'short' }
  const flags = (buf[2]! << 8) | buf[3]!
  if (flags & 0x8000) return { ok: false, reason: 'response' }
  const qd = (buf[4]! << 8) | buf[5]!
  const an = (buf[6]! << 8) | buf[7]!
  const ns = (buf[8]! << 8) | buf[9]!
  const ar = (buf[10]! << 8) | buf[11]!
  if (qd !== 1 || an !== 0 || ns !== 0 || ar > 1) return { ok: false, reason: 'slow' }
  let p = HEADER_BYTES
  for (;;) {
    if (p >= buf.length) return { ok: false, reason: 'slow' }
    const len = buf[p]!
    if (len === 0) break
    if (len > 63) return { ok: false, reason: 'slow' }
    p += len + 1
    if (p - HEADER_BYTES > 254) return { ok: false, reason: 'slow' }
  }
  const nameEnd = p + 1
  if (nameEnd + 4 > buf.length) return { ok: false, reason: 'slow' }
  const qtype = (buf[nameEnd]! << 8) | buf[nameEnd + 1]!
  const qclass = (buf[nameEnd + 2]! << 8) | buf[nameEnd + 3]!
  let edns: Edns | undefined
  let end = nameEnd + 4
  if (ar === 1) {
    // OPT: root name, type 41, class = payload, TTL = ext-rcode, version, flags, then RDLENGTH.
    if (end + OPT_BYTES > buf.length || buf[end] !== 0) return { ok: false, reason: 'slow' }
    if (((buf[end + 1]! << 8) | buf[end + 2]!) !== TYPE.OPT) return { ok: false, reason: 'slow' }
    const rdlen = (buf[end + 9]! << 8) | buf[end + 10]!
    edns = {
      payload: (buf[end + 3]! << 8) | buf[end + 4]!,
      version: buf[end + 6]!,
      dnssecOk: (buf[end + 7]! & 0x80) !== 0,
    }
    end += OPT_BYTES + rdlen
    if (end !== buf.length || !optionsFit(buf, end - rdlen, rdlen)) return { ok: false, reason: 'slow' }
  }
  if (end !== buf.length) return { ok: false, reason: 'slow' }
  const qname = buf.subarray(HEADER_BYTES, nameEnd)
  return {
    ok: true,
    query: {
      id: (buf[0]! << 8) | buf[1]!,
      copyFlags: flags & (RD | CD),
      opcode: (flags >> 11) & 0xf,
      qname,
      key: lowerKey(qname),
      qtype,
      qclass,
      edns,
    },
  }
}

/** True when the options in an OPT's RDATA exactly fill it (each: code, length, data). */
export function optionsFit(buf: Uint8Array, start: number, rdlen: number): boolean {
  let p = start
  const end = start + rdlen
  while (p < end) {
    if (p + 4 > end) return false
    p += 4 + ((buf[p + 2]! << 8) | buf[p + 3]!)
  }
  return p === end
}

/** Lower-cased wire name as a string key (DNS compares names case-insensitively). */
export function lowerKey(wire: Uint8Array): string {
  // latin1 keeps one char per byte; toLowerCase also folds a few non-ASCII latin1 letters, which
  // cannot occur in the host names we serve, so lookups are unaffected (and this is native).
  return Buffer.from(wire.buffer, wire.byteOffset, wire.length).toString('latin1').toLowerCase()
}

/** Wire form of a dotted name ("" is the root), as a latin1 key. Labels over 63 bytes are cut. */
export function nameKey(name: string): string {
  let s = ''
  for (const label of name.split('.')) {
    if (label === '') continue
    const l = label.slice(0, 63)
    s += String.fromCharCode(l.length) + l
  }
  return s + '\0'
}

/** Dotted form of a wire name key, for logs and dns2. */
export function keyToName(key: string): string {
  const labels: string[] = []
  let p = 0
  while (p < key.length) {
    const len = key.charCodeAt(p)
    if (len === 0) break
    labels.push(key.slice(p + 1, p + 1 + len))
    p += len + 1
  }
  return labels.join('.')
}

/** Byte offsets of each label start in a wire key: the suffixes are the name's ancestors. */
export function labelOffsets(key: string): number[] {
  const out: number[] = []
  let p = 0
  while (p < key.length && key.charCodeAt(p) !== 0) {
    out.push(p)
    p += key.charCodeAt(p) + 1
  }
  out.push(p)
  return out
}

/** Pre-encoded tail of a response: everything after the question, minus OPT. */
export interface Tail {
  readonly rcode: number
  readonly ancount: number
  readonly nscount: number
  readonly bytes: Uint8Array
}

/**
 * Assembles a response: header, the query's own question bytes (so its case is echoed and
 * compression pointers in the tail that point at offset 12 stay valid), the tail, and an OPT when
 * the query had one. A tail that does not fit `limit` gives an empty TC=1 answer instead.
 */
export function assemble(q: Query, tail: Tail, limit: number, aa: boolean): Buffer {
  const qlen = q.qname.length + 4
  const opt = q.edns === undefined ? 0 : OPT_BYTES
  let size = HEADER_BYTES + qlen + tail.bytes.length + opt
  const tc = size > limit
  if (tc) size = HEADER_BYTES + qlen + opt
  const out = Buffer.allocUnsafe(size)
  const rcode = tail.rcode & 0xf
  out[0] = q.id >> 8
  out[1] = q.id & 0xff
  out[2] = 0x80 | (q.opcode << 3) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0) | ((q.copyFlags >> 8) & 0x01)
  out[3] = (q.copyFlags & 0x10) | rcode
  out[4] = 0
  out[5] = 1
  const an = tc ? 0 : tail.ancount
  const ns = tc ? 0 : tail.nscount
  out[6] = an >> 8
  out[7] = an & 0xff
  out[8] = ns >> 8
  out[9] = ns & 0xff
  out[10] = 0
  out[11] = opt === 0 ? 0 : 1
  out.set(q.qname, HEADER_BYTES)
  let p = HEADER_BYTES + q.qname.length
  out[p++] = q.qtype >> 8
  out[p++] = q.qtype & 0xff
  out[p++] = q.qclass >> 8
  out[p++] = q.qclass & 0xff
  if (!tc) {
    out.set(tail.bytes, p)
    p += tail.bytes.length
  }
  if (opt !== 0) writeOpt(out, p, tail.rcode >> 4, q.edns?.dnssecOk === true)
  return out
}

function writeOpt(out: Buffer, p: number, extRcode: number, dnssecOk: boolean): void {
  out[p] = 0
  out[p + 1] = 0
  out[p + 2] = TYPE.OPT
  out[p + 3] = MAX_UDP_PAYLOAD >> 8
  out[p + 4] = MAX_UDP_PAYLOAD & 0xff
  out[p + 5] = extRcode
  out[p + 6] = 0
  out[p + 7] = dnssecOk ? 0x80 : 0
  out[p + 8] = 0
  out[p + 9] = 0
  out[p + 10] = 0
}

/** A bare error answer: the rcode only (FORMERR for a query we could not read). */
export function headerOnly(buf: Uint8Array, rcode: number): Buffer {
  const out = Buffer.alloc(HEADER_BYTES)
  out[0] = buf[0] ?? 0
  out[1] = buf[1] ?? 0
  out[2] = 0x80 | ((buf[2] ?? 0) & 0x79)
  out[3] = rcode & 0xf
  return out
}

/** The size limit for an answer to `q` over `transport`. */
export function answerLimit(q: Query, transport: 'udp' | 'tcp'): number {
  if (transport === 'tcp') return 65535
  if (q.edns === undefined) return CLASSIC_UDP_PAYLOAD
  return Math.min(MAX_UDP_PAYLOAD, Math.max(CLASSIC_UDP_PAYLOAD, q.edns.payload))
}
