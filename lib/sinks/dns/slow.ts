/**
 * The slow path's parser: any query the fast path (wire.ts) passes on — extra records (TSIG,
 * cookies, several additionals), non-zero ANCOUNT/NSCOUNT, a compressed question name, trailing
 * bytes. By hand, so the question name stays labels end to end: a label holding a dot
 * (`api\.internal`) is never confused with two labels, and the question is echoed byte for byte
 * (RFC 1035 §7.3; a compressed name is echoed expanded, its labels byte for byte).
 *
 * Every record after the question is walked, and the message is refused (FORMERR) when it breaks
 * the rules we rely on: names (labels of at most 63 bytes, 255 in all, compression pointers only
 * backwards, RFC 1035 §4.1.4), record bounds, and RFC 6891 §6.1.1 for OPT: at most one, in the
 * additional section only, owned by the root, its options exactly filling its RDATA.
 * Trailing bytes after the last record are ignored, as BIND does.
 */
import { HEADER_BYTES, lowerKey, optionsFit, TYPE } from './wire.ts'
import type { Edns, Query } from './wire.ts'

/**
 * No real query is bigger or carries more records (a question, an OPT, maybe a TSIG or cookie);
 * larger ones are refused before any record is walked.
 */
export const MAX_SLOW_QUERY_BYTES = 4096
export const MAX_SLOW_QUERY_RECORDS = 16

const MAX_NAME_BYTES = 255

interface Name {
  /** The name's labels in uncompressed wire form, ending with the root label. */
  readonly wire: Uint8Array
  /** Offset just past the name where it was read (past the first pointer, if any). */
  readonly end: number
}

/** Reads a possibly compressed name at `p`; undefined when it breaks the rules above. */
export function readName(buf: Uint8Array, p: number): Name | undefined {
  const out: number[] = []
  let end = -1
  // Each pointer must go strictly before the previous one: no loops, no forward references.
  let limit = p
  for (;;) {
    if (p >= buf.length) return undefined
    const len = buf[p]!
    if ((len & 0xc0) === 0xc0) {
      if (p + 1 >= buf.length) return undefined
      const target = ((len & 0x3f) << 8) | buf[p + 1]!
      if (end < 0) end = p + 2
      if (target >= limit) return undefined
      limit = target
      p = target
      continue
    }
    // 0x40 and 0x80 are the retired extended label types (RFC 6891 §5).
    if (len > 63) return undefined
    if (out.length + len + 1 > MAX_NAME_BYTES || p + len >= buf.length) return undefined
    for (let i = p; i <= p + len; i++) out.push(buf[i]!)
    p += len + 1
    if (len === 0) return { wire: Uint8Array.from(out), end: end < 0 ? p : end }
  }
}

const u16 = (buf: Uint8Array, p: number): number => (buf[p]! << 8) | buf[p + 1]!

/** The query, or undefined for FORMERR. The caller has checked the header length and QR bit. */
export function parseSlow(buf: Uint8Array): Query | undefined {
  const qd = u16(buf, 4)
  const an = u16(buf, 6)
  const ns = u16(buf, 8)
  const ar = u16(buf, 10)
  if (buf.length > MAX_SLOW_QUERY_BYTES || an + ns + ar > MAX_SLOW_QUERY_RECORDS || qd !== 1) return undefined
  const name = readName(buf, HEADER_BYTES)
  if (name === undefined || name.end + 4 > buf.length) return undefined
  const qtype = u16(buf, name.end)
  const qclass = u16(buf, name.end + 2)
  let p = name.end + 4
  let edns: Edns | undefined
  for (let i = 0; i < an + ns + ar; i++) {
    const owner = readName(buf, p)
    if (owner === undefined || owner.end + 10 > buf.length) return undefined
    p = owner.end
    const type = u16(buf, p)
    const rdlen = u16(buf, p + 8)
    if (p + 10 + rdlen > buf.length) return undefined
    if (type === TYPE.OPT) {
      const additional = i >= an + ns
      if (!additional || edns !== undefined || owner.wire.length !== 1) return undefined
      if (!optionsFit(buf, p + 10, rdlen)) return undefined
      edns = { payload: u16(buf, p + 2), version: buf[p + 5]!, dnssecOk: (buf[p + 6]! & 0x80) !== 0 }
    }
    p += 10 + rdlen
  }
  const flags = u16(buf, 2)
  return {
    id: u16(buf, 0),
    copyFlags: flags & 0x0110,
    opcode: (flags >> 11) & 0xf,
    qname: name.wire,
    key: lowerKey(name.wire),
    qtype,
    qclass,
    edns,
  }
}
