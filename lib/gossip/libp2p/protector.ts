/**
 * Our private-network connection protector: a libp2p `ConnectionProtector` on node:crypto, in place
 * of @libp2p/pnet (whose xsalsa20 dependency crashes the process after any chunk over ~640 KB).
 * It sits under noise: a host without the network key cannot finish this handshake, so it never
 * reaches noise, identify or our protocol.
 *
 * Handshake (both sides at once, no roles):
 *   1. send  HELLO = MAGIC (8 bytes "dnscpn/1") || nonce (32 random bytes); read the peer's HELLO.
 *      A wrong magic or a nonce equal to ours (a reflected hello) ends the connection.
 *   2. keys: send = HKDF-SHA256(psk, salt = ourNonce || theirNonce, info = KEY_INFO, 32 bytes);
 *            receive = the same with the nonces swapped. Fresh keys per connection.
 *   3. send record #0 whose plaintext is MAGIC; read the peer's record #0 and check it. A peer
 *      with another key fails here, inside the handshake timeout.
 * Records (everything after, in both directions):
 *   length (u32 BE, = ciphertext + 16) || ChaCha20-Poly1305(key, nonce = 0^4 || seq u64 BE,
 *   aad = the length bytes) || tag (16). seq counts records per direction from 0, so a record that
 *   is replayed, reordered, dropped or altered fails authentication. Plaintext per record is at most
 *   MAX_RECORD_PLAINTEXT; a longer length field ends the connection before any buffering.
 * Any failure aborts the connection (and is reported through `onReject`); nothing throws into a
 * socket handler.
 */
import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { AbstractMultiaddrConnection, byteStream } from '@libp2p/utils'
import type { SendResult } from '@libp2p/utils'
import type {
  AbortOptions,
  ConnectionProtector,
  MessageStream,
  MultiaddrConnection,
  StreamCloseEvent,
  StreamMessageEvent,
} from '@libp2p/interface'

export const MAGIC = new TextEncoder().encode('dnscpn/1')
export const NONCE_BYTES = 32
export const HELLO_BYTES = MAGIC.byteLength + NONCE_BYTES
export const TAG_BYTES = 16
export const HEADER_BYTES = 4
/** Largest plaintext per record: bounds what one peer makes us buffer before authenticating. */
export const MAX_RECORD_PLAINTEXT = 64 * 1024
export const CONFIRM_BYTES = HEADER_BYTES + MAGIC.byteLength + TAG_BYTES
const KEY_INFO = 'dns-controller/pnet/v1 record key'
const CIPHER = 'chacha20-poly1305'

/** Why a connection was refused; a metric label. */
export type ProtectorRejectReason =
  'handshake-failed' | 'bad-hello' | 'wrong-key' | 'bad-record' | 'oversized-record'

export interface ProtectorInit {
  /** The 32-byte network key (keys.ts derivePsk). */
  readonly psk: Uint8Array
  /** The handshake must finish within this. @default 5000 */
  readonly handshakeTimeoutMs?: number
  /** Called once per refused connection, for metrics and logs. */
  readonly onReject?: (reason: ProtectorRejectReason, err: Error, remote: string) => void
}

export class ProtectorError extends Error {
  override readonly name = 'ProtectorError'
  readonly reason: ProtectorRejectReason
  constructor(reason: ProtectorRejectReason, message: string, options?: ErrorOptions) {
    super(message, options)
    this.reason = reason
  }
}

export function pskProtector(init: ProtectorInit): () => ConnectionProtector {
  if (init.psk.byteLength !== 32) throw new Error('the network key must be 32 bytes')
  return () => new PskProtector(init)
}

class PskProtector implements ConnectionProtector {
  readonly [Symbol.toStringTag] = 'dns-controller/pnet'
  private readonly psk: Uint8Array
  private readonly timeoutMs: number
  private readonly onReject: (reason: ProtectorRejectReason, err: Error, remote: string) => void

  constructor(init: ProtectorInit) {
    this.psk = init.psk
    this.timeoutMs = init.handshakeTimeoutMs ?? 5000
    this.onReject = init.onReject ?? (() => {})
  }

  async protect(connection: MessageStream, options?: AbortOptions): Promise<MessageStream> {
    // The upgrader hands the raw transport connection over; the interface types it loosely.
    const maConn = connection as MultiaddrConnection
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const signal = options?.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout])
    const bytes = byteStream(maConn, { maxBufferSize: 64 * 1024 })
    try {
      const localNonce = randomBytes(NONCE_BYTES)
      const hello = Buffer.concat([MAGIC, localNonce])
      const [peerHello] = await Promise.all([
        bytes.read({ bytes: HELLO_BYTES, signal }),
        bytes.write(hello, { signal }),
      ])
      const theirs = Buffer.from(peerHello.subarray())
      if (!theirs.subarray(0, MAGIC.byteLength).equals(MAGIC))
        throw new ProtectorError(
          'bad-hello',
          'peer did not speak the dns-controller private network protocol',
        )
      const remoteNonce = theirs.subarray(MAGIC.byteLength)
      if (timingSafeEqual(remoteNonce, localNonce))
        throw new ProtectorError('bad-hello', 'peer reflected our nonce')
      const sealer = new Sealer(deriveKey(this.psk, localNonce, remoteNonce))
      const opener = new Opener(deriveKey(this.psk, remoteNonce, localNonce))
      const [peerConfirm] = await Promise.all([
        bytes.read({ bytes: CONFIRM_BYTES, signal }),
        bytes.write(sealer.seal([MAGIC]), { signal }),
      ])
      const confirm = opener.open(Buffer.from(peerConfirm.subarray()))
      if (confirm === undefined || !Buffer.from(MAGIC).equals(confirm))
        throw new ProtectorError('wrong-key', 'peer holds a different network key')
      return new SealedConnection({ maConn: bytes.unwrap(), sealer, opener, onReject: this.onReject })
    } catch (err) {
      const e =
        err instanceof ProtectorError
          ? err
          : new ProtectorError('handshake-failed', `private network handshake failed: ${String(err)}`, {
              cause: err,
            })
      this.onReject(e.reason, e, maConn.remoteAddr.toString())
      maConn.abort(e)
      throw e
    }
  }
}

/** A KeyObject, not bytes: createCipheriv given raw bytes throws and catches two exceptions inside
 * Node to rule out the key objects first (~4x the cost of a small record). */
function deriveKey(psk: Uint8Array, senderNonce: Uint8Array, receiverNonce: Uint8Array): KeyObject {
  return createSecretKey(
    Buffer.from(hkdfSync('sha256', psk, Buffer.concat([senderNonce, receiverNonce]), KEY_INFO, 32)),
  )
}

function nonceFor(seq: number): Buffer {
  const n = Buffer.alloc(12)
  n.writeBigUInt64BE(BigInt(seq), 4)
  return n
}

/** Encrypts records for one direction; seq advances once per record. */
class Sealer {
  private readonly key: KeyObject
  private seq = 0
  constructor(key: KeyObject) {
    this.key = key
  }

  /** One record from chunks totalling at most MAX_RECORD_PLAINTEXT bytes. */
  seal(chunks: readonly Uint8Array[]): Buffer {
    let len = 0
    for (const c of chunks) len += c.byteLength
    const header = Buffer.alloc(HEADER_BYTES)
    header.writeUInt32BE(len + TAG_BYTES)
    const cipher = createCipheriv(CIPHER, this.key, nonceFor(this.seq++), { authTagLength: TAG_BYTES })
    cipher.setAAD(header, { plaintextLength: len })
    const parts: Buffer[] = [header]
    for (const c of chunks) parts.push(cipher.update(c))
    parts.push(cipher.final(), cipher.getAuthTag())
    return Buffer.concat(parts)
  }
}

/** Decrypts records for one direction, in order. */
class Opener {
  private readonly key: KeyObject
  private seq = 0
  constructor(key: KeyObject) {
    this.key = key
  }

  /** A whole record (header included) → its plaintext, or undefined when it does not authenticate. */
  open(record: Buffer): Buffer | undefined {
    const header = record.subarray(0, HEADER_BYTES)
    const body = record.subarray(HEADER_BYTES, record.byteLength - TAG_BYTES)
    const tag = record.subarray(record.byteLength - TAG_BYTES)
    if (
      record.byteLength < HEADER_BYTES + TAG_BYTES ||
      header.readUInt32BE() !== record.byteLength - HEADER_BYTES
    )
      return undefined
    try {
      const decipher = createDecipheriv(CIPHER, this.key, nonceFor(this.seq++), { authTagLength: TAG_BYTES })
      decipher.setAAD(header, { plaintextLength: body.byteLength })
      decipher.setAuthTag(tag)
      const out = decipher.update(body)
      decipher.final() // throws when the tag does not match
      return out
    } catch {
      return undefined
    }
  }
}

/** Splits an incoming byte stream into whole records without trusting the length beyond the bound. */
class RecordReader {
  private chunks: Buffer[] = []
  private buffered = 0

  push(data: Uint8Array): void {
    this.chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
    this.buffered += data.byteLength
  }

  /** The next whole record, undefined when more bytes are needed, or 'oversized'. */
  next(): Buffer | undefined | 'oversized' {
    if (this.buffered < HEADER_BYTES) return undefined
    const head = this.peek(HEADER_BYTES)
    const len = head.readUInt32BE()
    if (len < TAG_BYTES || len > MAX_RECORD_PLAINTEXT + TAG_BYTES) return 'oversized'
    if (this.buffered < HEADER_BYTES + len) return undefined
    return this.take(HEADER_BYTES + len)
  }

  /** Makes the first chunk hold at least n bytes (callers checked that enough are buffered). */
  private front(n: number): Buffer {
    let first = this.chunks[0] ?? Buffer.alloc(0)
    if (first.byteLength < n) {
      // Join only the chunks this record spans, so a burst of records is not copied over and over.
      let k = 0
      let len = 0
      while (len < n && k < this.chunks.length) len += this.chunks[k++]?.byteLength ?? 0
      first = Buffer.concat(this.chunks.slice(0, k))
      this.chunks.splice(0, k, first)
    }
    return first
  }

  private peek(n: number): Buffer {
    return this.front(n).subarray(0, n)
  }

  private take(n: number): Buffer {
    const first = this.front(n)
    const rest = first.subarray(n)
    if (rest.byteLength > 0) this.chunks[0] = rest
    else this.chunks.shift()
    this.buffered -= n
    return first.subarray(0, n)
  }
}

interface SealedInit {
  readonly maConn: MultiaddrConnection
  readonly sealer: Sealer
  readonly opener: Opener
  readonly onReject: (reason: ProtectorRejectReason, err: Error, remote: string) => void
}

/** The protected connection handed to noise: plaintext above, sealed records below. */
class SealedConnection extends AbstractMultiaddrConnection {
  private readonly maConn: MultiaddrConnection
  private readonly sealer: Sealer
  private readonly opener: Opener
  private readonly reader = new RecordReader()
  private readonly onReject: (reason: ProtectorRejectReason, err: Error, remote: string) => void
  private failed = false

  constructor(init: SealedInit) {
    super({
      log: init.maConn.log.newScope('pnet'),
      remoteAddr: init.maConn.remoteAddr,
      direction: init.maConn.direction,
      // Hand sendData at most one record's worth at a time.
      maxMessageSize: MAX_RECORD_PLAINTEXT,
    })
    this.maConn = init.maConn
    this.sealer = init.sealer
    this.opener = init.opener
    this.onReject = init.onReject
    this.maConn.addEventListener('message', (evt: StreamMessageEvent) => {
      // An exception here would escape into the socket handler and kill the process: never throw.
      try {
        const data = evt.data
        if (data instanceof Uint8Array) this.reader.push(data)
        else for (const chunk of data) this.reader.push(chunk)
        this.drainRecords()
      } catch (err) {
        this.fail('bad-record', err instanceof Error ? err : new Error(String(err)))
      }
    })
    this.maConn.addEventListener('drain', () => this.onMuxerDrain())
    this.maConn.addEventListener('close', (evt: StreamCloseEvent) => {
      if (evt.error == null) this.onTransportClosed()
      else if (evt.local === true) this.abort(evt.error)
      else this.onRemoteReset()
    })
  }

  private drainRecords(): void {
    while (!this.failed) {
      const record = this.reader.next()
      if (record === undefined) return
      if (record === 'oversized')
        return this.fail(
          'oversized-record',
          new ProtectorError('oversized-record', 'record length out of bounds'),
        )
      const plain = this.opener.open(record)
      if (plain === undefined)
        return this.fail('bad-record', new ProtectorError('bad-record', 'record failed authentication'))
      if (plain.byteLength > 0) this.onData(plain)
    }
  }

  private fail(reason: ProtectorRejectReason, err: Error): void {
    if (this.failed) return
    this.failed = true
    this.onReject(reason, err, this.maConn.remoteAddr.toString())
    this.abort(err)
    this.maConn.abort(err)
  }

  sendData(data: Parameters<AbstractMultiaddrConnection['sendData']>[0]): SendResult {
    const chunks = [...data]
    return { sentBytes: data.byteLength, canSendMore: this.maConn.send(this.sealer.seal(chunks)) }
  }

  async sendClose(options?: AbortOptions): Promise<void> {
    await this.maConn.close(options)
  }

  sendReset(err: Error): void {
    this.maConn.abort(err)
  }

  sendPause(): void {
    this.maConn.pause()
  }

  sendResume(): void {
    this.maConn.resume()
  }
}
