/**
 * IP parsing and classification, written here because lib/records may not import node:net.
 *
 * kOps' rule: a value is IPv6 iff it parses as an IP and is not representable as IPv4, so
 * the IPv4-mapped form `::ffff:1.2.3.4` counts as IPv4 and becomes an A record. Like Go's
 * net.ParseIP we refuse IPv4 octets with leading zeros and IPv6 zone suffixes (`%eth0`).
 */

export type IpFamily = 4 | 6

/** The four octets of a dotted-quad IPv4 address, or undefined. */
export function parseIPv4(text: string): readonly number[] | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const out: number[] = []
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined
    const n = Number(p)
    if (n > 255) return undefined
    out.push(n)
  }
  return out
}

/** The sixteen bytes of an IPv6 address (with an optional dotted-quad tail), or undefined. */
export function parseIPv6(text: string): readonly number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return []
    const out: number[] = []
    const parts = s.split(':')
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i] ?? ''
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p)
        if (v4 === undefined) return undefined
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0))
        continue
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined
      out.push(parseInt(p, 16))
    }
    return out
  }
  const head = groupsOf(halves[0] ?? '')
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : []
  if (head === undefined || tail === undefined) return undefined
  // A dotted quad is only allowed at the very end.
  if (halves.length === 2 && (halves[0] ?? '').includes('.')) return undefined
  const total = head.length + tail.length
  if (halves.length === 1 ? total !== 8 : total > 7) return undefined
  const groups = [...head, ...new Array<number>(8 - total).fill(0), ...tail]
  const bytes: number[] = []
  for (const g of groups) bytes.push(g >> 8, g & 0xff)
  return bytes
}

export interface ParsedIp {
  readonly family: IpFamily
  /** IPv4 in dotted-quad form (also for IPv4-mapped input); IPv6 as given. */
  readonly text: string
}

/** Classifies an address the way kOps does; undefined when it is not an IP at all. */
export function parseIp(text: string): ParsedIp | undefined {
  if (parseIPv4(text) !== undefined) return { family: 4, text }
  const b = parseIPv6(text)
  if (b === undefined) return undefined
  const mapped = b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff
  if (mapped) return { family: 4, text: `${b[12]}.${b[13]}.${b[14]}.${b[15]}` }
  return { family: 6, text }
}

/** 4, 6 or undefined (not an IP). */
export function ipFamily(text: string): IpFamily | undefined {
  return parseIp(text)?.family
}
