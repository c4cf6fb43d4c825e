/**
 * The DNS server's UDP socket. Replies go back to `rinfo.address`, always an IP literal, and dgram
 * resolves every destination through `lookup`: ours answers literals at once.
 */
import { createSocket } from 'node:dgram'
import type { RemoteInfo, Socket as UdpSocket } from 'node:dgram'
import { lookup as dnsLookup } from 'node:dns'
import type { LookupOneOptions } from 'node:dns'
import { isIP, isIPv6 } from 'node:net'

/**
 * Node's default lookup answers an IP literal on the next tick: one queued callback per reply.
 * Answering literals at once gives +12 % QPS per core (bench/results/dns.md); anything else is
 * left to dns.lookup.
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

/** An unbound UDP socket for `host`'s family; each datagram goes to `message` with a reply function. */
export function udpSocket(
  host: string,
  message: (msg: Buffer, reply: (b: Buffer) => void) => void,
): UdpSocket {
  const udp = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', lookup: literalLookup })
  // No send callback: errors surface as 'error' events, and the hot path stays lean.
  udp.on('message', (msg: Buffer, rinfo: RemoteInfo) =>
    message(msg, (b) => udp.send(b, rinfo.port, rinfo.address)),
  )
  return udp
}
