// Query builders and a seeded generator of random and mutated DNS packets (tests and bench).
import type { Rng } from '../../../lib/util/random.ts'
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

/** A resource record: owner (wire form), type, class, TTL 0, RDATA (RDLENGTH may be forced). */
export function rr(owner: Buffer, type: number, rdata: Buffer, cls = 1, rdlen = rdata.length): Buffer {
  const fixed = Buffer.alloc(10)
  fixed.writeUInt16BE(type, 0)
  fixed.writeUInt16BE(cls, 2)
  fixed.writeUInt16BE(rdlen, 8)
  return Buffer.concat([owner, fixed, rdata])
}

const ROOT = Buffer.from([0])

/** An OPT record (payload 1232, version 0) with these options already encoded. */
export function opt(options: Buffer = Buffer.alloc(0)): Buffer {
  return rr(ROOT, 41, options, 1232)
}

/** One EDNS option; `len` may lie about the data's length. */
export function option(code: number, data: Buffer, len = data.length): Buffer {
  const h = Buffer.alloc(4)
  h.writeUInt16BE(code, 0)
  h.writeUInt16BE(len, 2)
  return Buffer.concat([h, data])
}

/** A query built section by section: `qname` is raw wire bytes (labels, pointers, whatever). */
export function message(m: {
  id?: number
  opcode?: number
  qname?: Buffer
  qtype?: number
  an?: Buffer[]
  ns?: Buffer[]
  ar?: Buffer[]
  trailing?: Buffer
}): Buffer {
  const h = Buffer.alloc(12)
  h.writeUInt16BE(m.id ?? 0x4242, 0)
  h.writeUInt16BE(0x0100 | ((m.opcode ?? 0) << 11), 2)
  h.writeUInt16BE(m.qname === undefined ? 0 : 1, 4)
  h.writeUInt16BE(m.an?.length ?? 0, 6)
  h.writeUInt16BE(m.ns?.length ?? 0, 8)
  h.writeUInt16BE(m.ar?.length ?? 0, 10)
  const q = m.qname === undefined ? [] : [m.qname, Buffer.from([0, m.qtype ?? 1, 0, 1])]
  return Buffer.concat([
    h,
    ...q,
    ...(m.an ?? []),
    ...(m.ns ?? []),
    ...(m.ar ?? []),
    m.trailing ?? Buffer.alloc(0),
  ])
}

/** Wire form of labels given one by one, so a label may hold a dot: labels('api.internal', 'c'). */
export function labels(...ls: string[]): Buffer {
  return Buffer.concat([
    ...ls.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])),
    ROOT,
  ])
}
