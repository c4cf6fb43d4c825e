/**
 * Gossip frames: the versioned binary wire format (docs/PROTOCOL.md has the byte layout).
 *
 * frame = u8 WIRE_VERSION || u8 kind || body. The transport delimits frames; a frame never spans
 * two messages. Kinds are append only: a node drops kinds it does not know (`unknown-kind`), so a
 * newer peer can add kinds without breaking older ones. A different WIRE_VERSION means an
 * incompatible layout and is dropped as a whole.
 *
 * `decodeFrame` never throws: every malformed, truncated or oversized input comes back as
 * `{ ok: false, reason }`, and `reason` is the drop metric label.
 */
import { Reader, Writer } from './bytes.ts'
import type { Delta, RecordKey, VersionRef } from './delta.ts'
import { SIG_PREFIX_BYTES } from './delta.ts'
import type { Decoded, Limits, Snapshot } from './snapshot.ts'
import {
  PUBLIC_KEY_BYTES,
  RecordTypeCode,
  SIGNATURE_BYTES,
  readRecord,
  recordsCanonical,
  writeRecord,
} from './snapshot.ts'
import { GOSSIP_DEFAULTS } from './config.ts'
import type { Addr, Version } from './types.ts'

export const WIRE_VERSION = 1

/** Frame kinds. Append only: the numbers are protocol. */
export const Kind = { Hello: 1, Digest: 2, Full: 3, Delta: 4, Want: 5, Peers: 6 } as const
export type Kind = (typeof Kind)[keyof typeof Kind]

export type FrameKind = Frame['kind']
const KIND_NAMES: ReadonlyMap<number, FrameKind> = new Map(
  Object.entries(Kind).map(([name, code]) => [code, name.toLowerCase() as FrameKind]),
)

/** A frame's kind read from its header without decoding it (frame = version, kind, body), for
 * metrics, the "last sync" clock and the simulator's withholding peers. */
export function frameKind(bytes: Uint8Array): FrameKind | 'unknown' {
  return KIND_NAMES.get(bytes[1] ?? -1) ?? 'unknown'
}

/** Kinds that carry anti-entropy (snapshot data or its digest): receiving one is a sync. */
export function isSyncKind(kind: FrameKind | 'unknown'): boolean {
  return kind === 'digest' || kind === 'full' || kind === 'delta'
}

export interface DigestEntry {
  readonly publisher: Uint8Array
  readonly ref: VersionRef
}

export type Frame =
  /** Sent on every new connection: the sender's own dialable addresses. */
  | { readonly kind: 'hello'; readonly addrs: readonly Addr[] }
  /** Anti-entropy: the newest version held of each publisher. */
  | { readonly kind: 'digest'; readonly entries: readonly DigestEntry[] }
  | { readonly kind: 'full'; readonly snapshot: Snapshot }
  | { readonly kind: 'delta'; readonly delta: Delta }
  /** Pull: please send the full snapshot of these publishers. */
  | { readonly kind: 'want'; readonly publishers: readonly Uint8Array[] }
  /** Peer exchange: addresses to remember for later dials. */
  | { readonly kind: 'peers'; readonly addrs: readonly Addr[] }

export const DEFAULT_LIMITS: Limits = GOSSIP_DEFAULTS

function writeVersion(w: Writer, v: Version): void {
  w.varint(v.wallMs).varint(v.counter)
}

function writeRef(w: Writer, r: VersionRef): void {
  writeVersion(w, r.version)
  w.raw(r.sigPrefix)
}

function writeAddrs(w: Writer, addrs: readonly Addr[]): void {
  w.varint(addrs.length)
  for (const a of addrs) w.string(a)
}

export function encodeFrame(f: Frame): Uint8Array {
  const w = new Writer().u8(WIRE_VERSION)
  switch (f.kind) {
    case 'hello':
      writeAddrs(w.u8(Kind.Hello), f.addrs)
      break
    case 'peers':
      writeAddrs(w.u8(Kind.Peers), f.addrs)
      break
    case 'digest':
      w.u8(Kind.Digest).varint(f.entries.length)
      for (const e of f.entries) writeRef(w.raw(e.publisher), e.ref)
      break
    case 'want':
      w.u8(Kind.Want).varint(f.publishers.length)
      for (const p of f.publishers) w.raw(p)
      break
    case 'full': {
      const s = f.snapshot
      w.u8(Kind.Full).raw(s.publisher)
      writeVersion(w, s.version)
      w.varint(s.records.length)
      for (const r of s.records) writeRecord(w, r)
      w.raw(s.signature)
      break
    }
    case 'delta': {
      const d = f.delta
      w.u8(Kind.Delta).raw(d.publisher)
      writeRef(w, d.base)
      writeVersion(w, d.version)
      w.varint(d.removed.length)
      for (const k of d.removed) w.string(k.name).u8(RecordTypeCode[k.type])
      w.varint(d.upserted.length)
      for (const r of d.upserted) writeRecord(w, r)
      w.raw(d.signature)
      break
    }
  }
  return w.finish()
}

function readVersion(rd: Reader): Version {
  return { wallMs: rd.varint(), counter: rd.varint() }
}

function readRef(rd: Reader): VersionRef {
  const version = readVersion(rd)
  return { version, sigPrefix: rd.raw(SIG_PREFIX_BYTES).slice() }
}

function readAddrs(rd: Reader, lim: Limits): Addr[] {
  const n = rd.count(lim.maxAddrsPerFrame, 'too-many-addrs')
  const out: Addr[] = []
  for (let i = 0; i < n && !rd.error; i++) out.push(rd.string(lim.maxAddrBytes, 'addr-too-long'))
  return out
}

const TYPES = [undefined, 'A', 'AAAA', 'CNAME'] as const

function readBody(rd: Reader, kind: number, lim: Limits): Frame | undefined {
  switch (kind) {
    case Kind.Hello:
      return { kind: 'hello', addrs: readAddrs(rd, lim) }
    case Kind.Peers:
      return { kind: 'peers', addrs: readAddrs(rd, lim) }
    case Kind.Digest: {
      const n = rd.count(lim.maxPublishers, 'too-many-publishers')
      const entries: DigestEntry[] = []
      for (let i = 0; i < n && !rd.error; i++)
        entries.push({ publisher: rd.raw(PUBLIC_KEY_BYTES).slice(), ref: readRef(rd) })
      return { kind: 'digest', entries }
    }
    case Kind.Want: {
      const n = rd.count(lim.maxPublishers, 'too-many-publishers')
      const publishers: Uint8Array[] = []
      for (let i = 0; i < n && !rd.error; i++) publishers.push(rd.raw(PUBLIC_KEY_BYTES).slice())
      return { kind: 'want', publishers }
    }
    case Kind.Full: {
      const publisher = rd.raw(PUBLIC_KEY_BYTES).slice()
      const version = readVersion(rd)
      const n = rd.count(lim.maxRecordsPerSnapshot, 'too-many-records')
      const records = []
      for (let i = 0; i < n && !rd.error; i++) records.push(readRecord(rd, lim))
      const signature = rd.raw(SIGNATURE_BYTES).slice()
      if (!rd.error && !recordsCanonical(records)) rd.fail('invalid-record')
      return { kind: 'full', snapshot: { publisher, version, records, signature } }
    }
    case Kind.Delta: {
      const publisher = rd.raw(PUBLIC_KEY_BYTES).slice()
      const base = readRef(rd)
      const version = readVersion(rd)
      const nr = rd.count(lim.maxRecordsPerSnapshot, 'too-many-records')
      const removed: RecordKey[] = []
      for (let i = 0; i < nr && !rd.error; i++) {
        const name = rd.string(lim.maxNameBytes, 'name-too-long')
        const type = TYPES[rd.u8()]
        if (type === undefined) rd.fail('malformed')
        removed.push({ name, type: type ?? 'A' })
      }
      const nu = rd.count(lim.maxRecordsPerSnapshot, 'too-many-records')
      const upserted = []
      for (let i = 0; i < nu && !rd.error; i++) upserted.push(readRecord(rd, lim))
      const signature = rd.raw(SIGNATURE_BYTES).slice()
      return { kind: 'delta', delta: { publisher, base, version, removed, upserted, signature } }
    }
    default:
      rd.fail('unknown-kind')
      return undefined
  }
}

export function decodeFrame(bytes: Uint8Array, lim: Limits = DEFAULT_LIMITS): Decoded<Frame> {
  try {
    if (bytes.length > lim.maxFrameBytes) return { ok: false, reason: 'frame-too-large' }
    const rd = new Reader(bytes)
    const version = rd.u8()
    if (!rd.error && version !== WIRE_VERSION) return { ok: false, reason: 'unsupported-wire-version' }
    const kind = rd.u8()
    const frame = rd.error ? undefined : readBody(rd, kind, lim)
    if (!rd.error && rd.remaining > 0) rd.fail('trailing-bytes')
    if (rd.error || frame === undefined) return { ok: false, reason: rd.error ?? 'malformed' }
    return { ok: true, value: frame }
  } catch {
    // Unreachable by design (the Reader does not throw); a bug here must still not kill the node.
    return { ok: false, reason: 'malformed' }
  }
}
