/**
 * The small binary codec under the wire format: unsigned LEB128 varints (minimal form only, up to
 * 2^53 - 1), fixed-size byte strings, and length-prefixed UTF-8 strings.
 *
 * `Reader` never throws: the first problem is remembered in `error`, later reads return zero values,
 * and the caller checks `error` once at the end (one branch instead of one per field).
 */
import type { DropReason } from './types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })

export class Writer {
  private buf = new Uint8Array(64)
  private len = 0

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.len + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.len))
    this.buf = next
  }

  u8(v: number): this {
    this.reserve(1)
    this.buf[this.len++] = v & 0xff
    return this
  }

  /** Non-negative safe integer as LEB128 (division, not bit ops: values exceed 32 bits). */
  varint(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`varint out of range: ${v}`)
    this.reserve(8)
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80
      v = Math.floor(v / 0x80)
    }
    this.buf[this.len++] = v
    return this
  }

  /** Raw bytes, no length (fixed-size fields such as keys and signatures). */
  raw(b: Uint8Array): this {
    this.reserve(b.length)
    this.buf.set(b, this.len)
    this.len += b.length
    return this
  }

  string(s: string): this {
    // Fast path for ASCII (names, addresses, IPs: nearly every string we carry).
    const n = s.length
    if (n < 0x80) {
      this.reserve(n + 1)
      let ascii = true
      for (let i = 0; i < n; i++)
        if (s.charCodeAt(i) >= 0x80) {
          ascii = false
          break
        }
      if (ascii) {
        this.buf[this.len++] = n
        for (let i = 0; i < n; i++) this.buf[this.len++] = s.charCodeAt(i)
        return this
      }
    }
    const b = encoder.encode(s)
    return this.varint(b.length).raw(b)
  }

  get length(): number {
    return this.len
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len)
  }
}

export class Reader {
  private readonly buf: Uint8Array
  private pos = 0
  error: DropReason | undefined

  constructor(buf: Uint8Array) {
    this.buf = buf
  }

  fail(reason: DropReason): void {
    this.error ??= reason
  }

  get remaining(): number {
    return this.buf.length - this.pos
  }

  u8(): number {
    if (this.error) return 0
    if (this.pos >= this.buf.length) {
      this.fail('truncated')
      return 0
    }
    return this.buf[this.pos++] as number
  }

  varint(): number {
    let value = 0
    let scale = 1
    for (let i = 0; i < 8; i++) {
      if (this.error) return 0
      const b = this.u8()
      value += (b & 0x7f) * scale
      if ((b & 0x80) === 0) {
        // Minimal form only (canonical bytes), and within 2^53.
        if ((b === 0 && i > 0) || !Number.isSafeInteger(value)) break
        return value
      }
      scale *= 0x80
    }
    this.fail('malformed')
    return 0
  }

  /** A count that must not exceed `max`; `reason` names the limit. */
  count(max: number, reason: DropReason): number {
    const n = this.varint()
    if (n > max) {
      this.fail(reason)
      return 0
    }
    // Every element takes at least one byte: refuse counts the frame cannot hold before allocating.
    if (n > this.remaining) {
      this.fail('truncated')
      return 0
    }
    return n
  }

  raw(n: number): Uint8Array {
    if (this.error) return new Uint8Array(0)
    if (this.remaining < n) {
      this.fail('truncated')
      return new Uint8Array(0)
    }
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }

  string(maxBytes: number, reason: DropReason): string {
    const n = this.varint()
    if (n > maxBytes) {
      this.fail(reason)
      return ''
    }
    const b = this.raw(n)
    if (this.error) return ''
    if (n < 64) {
      // Fast path for short ASCII; anything else goes through the strict UTF-8 decoder.
      let out = ''
      for (let i = 0; i < n; i++) {
        const c = b[i] as number
        if (c >= 0x80) return this.decodeUtf8(b)
        out += String.fromCharCode(c)
      }
      return out
    }
    return this.decodeUtf8(b)
  }

  private decodeUtf8(b: Uint8Array): string {
    try {
      return decoder.decode(b)
    } catch {
      this.fail('malformed')
      return ''
    }
  }
}

/** Lexicographic byte order (signature tie-breaks, key order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && compareBytes(a, b) === 0
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function toHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += HEX[x] as string
  return s
}

/** Strict lower/upper-case hex → bytes; undefined when not hex. */
export function fromHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}
