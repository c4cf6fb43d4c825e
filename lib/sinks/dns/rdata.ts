/**
 * The hot case of the cache, encoded by hand: an A or AAAA RRset owned by the question's name.
 * Byte for byte what dns2 produces for it (a unit test compares the two), about 50x faster, which
 * keeps a rebuild of 10,000 names in tens of milliseconds instead of a second of blocked loop.
 */
import { isIPv4, isIPv6 } from 'node:net'
import type { ResolvedRecord } from '../../records/types.ts'
import { CLASS_IN, RCODE, TYPE } from './wire.ts'
import type { Tail } from './wire.ts'

/** 16 bytes of an IPv6 address (also with an embedded IPv4 tail); undefined if invalid. */
export function ipv6Bytes(text: string): Uint8Array | undefined {
  if (!isIPv6(text)) return undefined
  let s = text
  const out = new Uint8Array(16)
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (v4 !== null) {
    const parts = (v4[1] ?? '').split('.').map(Number)
    out.set(parts, 12)
    s = s.slice(0, s.length - (v4[1] ?? '').length) + '0:0'
  }
  const [head = '', tail] = s.split('::')
  const h = head === '' ? [] : head.split(':')
  const t = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
  const limit = v4 === null ? 8 : 6
  for (let g = 0; g < limit; g++) {
    const n = parseInt(groups[g] ?? '0', 16)
    out[g * 2] = n >> 8
    out[g * 2 + 1] = n & 0xff
  }
  return out
}

/** The answer section for an A/AAAA RRset at the question name (compressed to offset 12). */
export function addressTail(r: ResolvedRecord): Tail {
  const type = r.type === 'A' ? TYPE.A : TYPE.AAAA
  const rdlen = r.type === 'A' ? 4 : 16
  const ttl = Math.min(r.ttlSeconds >>> 0, 0x7fffffff)
  const bytes = new Uint8Array(r.values.length * (12 + rdlen))
  let p = 0
  for (const v of r.values) {
    const rdata =
      r.type === 'A' ? (isIPv4(v) ? Uint8Array.from(v.split('.').map(Number)) : undefined) : ipv6Bytes(v)
    if (rdata === undefined) throw new Error(`${r.type} encode: invalid address ${JSON.stringify(v)}`)
    bytes.set([0xc0, 0x0c, type >> 8, type & 0xff, CLASS_IN >> 8, CLASS_IN & 0xff], p)
    bytes.set(
      [ttl >>> 24, (ttl >>> 16) & 0xff, (ttl >>> 8) & 0xff, ttl & 0xff, rdlen >> 8, rdlen & 0xff],
      p + 6,
    )
    bytes.set(rdata, p + 12)
    p += 12 + rdlen
  }
  return { rcode: RCODE.NOERROR, ancount: r.values.length, nscount: 0, bytes }
}
