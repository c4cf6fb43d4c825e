// Query builders and a seeded generator of random and mutated DNS packets (tests and bench).
import type { Rng } from '../../../lib/util/clock.ts'
import { nameKey } from '../../../lib/sinks/dns/wire.ts'

export function query(name: string, qtype: number, id = 0x4242, edns = false): Buffer {
  const qname = Buffer.from(nameKey(name), 'latin1')
  const out = Buffer.alloc(12 + qname.length + 4 + (edns ? 11 : 0))
  out.writeUInt16BE(id, 0)
  out.writeUInt16BE(0x0100, 2)
  out.writeUInt16BE(1, 4)
  out.writeUInt16BE(edns ? 1 : 0, 10)
  qname.copy(out, 12)
  out.writeUInt16BE(qtype, 12 + qname.length)
  out.writeUInt16BE(1, 14 + qname.length)
  if (edns) {
    const p = 16 + qname.length
    out.writeUInt16BE(41, p + 1)
    out.writeUInt16BE(1232, p + 3)
  }
  return out
}

export function framed(b: Buffer): Buffer {
  const len = Buffer.alloc(2)
  len.writeUInt16BE(b.length)
  return Buffer.concat([len, b])
}

const SEEDS = [
  query('api.internal.c.k8s.local', 1),
  query('alias.c.k8s.local', 28, 7, true),
  query('big.c.k8s.local', 1, 9, true),
  query('nope.example.test', 255),
  query('c.k8s.local', 6, 3, true),
]

/** A random packet: pure noise, or a valid query bit-flipped, cut, extended, or with hostile counts. */
export function fuzzPacket(rng: Rng): Buffer {
  const kind = rng.int(6)
  if (kind === 0) {
    const b = Buffer.alloc(rng.int(600))
    for (let i = 0; i < b.length; i++) b[i] = rng.int(256)
    return b
  }
  const b = Buffer.from(SEEDS[rng.int(SEEDS.length)]!)
  switch (kind) {
    case 1: {
      const flips = 1 + rng.int(8)
      for (let i = 0; i < flips; i++) b[rng.int(b.length)]! ^= 1 << rng.int(8)
      return b
    }
    case 2:
      return b.subarray(0, rng.int(b.length))
    case 3: {
      const extra = Buffer.alloc(rng.int(64))
      for (let i = 0; i < extra.length; i++) extra[i] = rng.int(256)
      return Buffer.concat([b, extra])
    }
    case 4:
      // Hostile counts: many questions/records that are not there.
      b.writeUInt16BE(rng.int(0x10000), 4 + 2 * rng.int(4))
      return b
    default:
      // A compression pointer in the question, pointing at itself or anywhere.
      b[12] = 0xc0
      b[13] = rng.int(2) === 0 ? 12 : rng.int(256)
      return b
  }
}
