/**
 * The state file of signed snapshots (`<state-dir>/snapshots.bin`): what a restarted node gives
 * back to its gossip core (`restore`), which checks each snapshot exactly as if a peer had sent
 * it. The file itself is only a container; nothing in it is trusted.
 *
 * ```
 * file  = magic "dnscsnap" (8 bytes) || u8 format (= 1) || u32be n
 *         || n × (u32be length || a gossip `full` frame) || SHA-256 of everything before (32 bytes)
 * ```
 *
 * The checksum catches truncation and bit rot (a forged file with a correct checksum still has to
 * pass the signature check). Written crash-safe: a temporary file, fsync, rename, fsync of the
 * directory, so a crash leaves the old file or the new one.
 */
import { createHash } from 'node:crypto'
import { close, closeSync, fstatSync, fsync, mkdir, open, openSync, readSync, rename, write } from 'node:fs'
import { promisify } from 'node:util'
import { join } from 'node:path'

export const SNAPSHOT_FILE = 'snapshots.bin'
const MAGIC = Buffer.from('dnscsnap', 'latin1')
const FORMAT = 1
const HEADER = MAGIC.length + 1 + 4
const CHECKSUM = 32

/** Why a state file was dropped as a whole; also the agent's metric label. */
export type SnapshotFileProblem =
  'truncated' | 'not-a-state-file' | 'unsupported-format' | 'bad-checksum' | 'malformed' | 'too-large'

export interface FileLimits {
  /** Frames in one file (the core's maxPublishers). */
  readonly maxFrames: number
  /** Bytes in one frame (the core's maxFrameBytes). */
  readonly maxFrameBytes: number
}

export type FileDecoded =
  | { readonly ok: true; readonly frames: readonly Uint8Array[] }
  | { readonly ok: false; readonly reason: SnapshotFileProblem }

const sha256 = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest()

export function maxFileBytes(lim: FileLimits): number {
  return HEADER + lim.maxFrames * (4 + lim.maxFrameBytes) + CHECKSUM
}

export function encodeSnapshotFile(frames: readonly Uint8Array[]): Buffer {
  const body = Buffer.alloc(HEADER + frames.reduce((n, f) => n + 4 + f.length, 0))
  MAGIC.copy(body, 0)
  body.writeUInt8(FORMAT, MAGIC.length)
  body.writeUInt32BE(frames.length, MAGIC.length + 1)
  let off = HEADER
  for (const f of frames) {
    body.writeUInt32BE(f.length, off)
    body.set(f, off + 4)
    off += 4 + f.length
  }
  return Buffer.concat([body, sha256(body)])
}

/** Never throws: a file that is not exactly what encodeSnapshotFile wrote is a problem. */
export function decodeSnapshotFile(bytes: Uint8Array, lim: FileLimits): FileDecoded {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b.length > maxFileBytes(lim)) return { ok: false, reason: 'too-large' }
  if (b.length >= MAGIC.length && !b.subarray(0, MAGIC.length).equals(MAGIC))
    return { ok: false, reason: 'not-a-state-file' }
  if (b.length < HEADER + CHECKSUM) return { ok: false, reason: 'truncated' }
  if (b.readUInt8(MAGIC.length) !== FORMAT) return { ok: false, reason: 'unsupported-format' }
  const end = b.length - CHECKSUM
  if (!sha256(b.subarray(0, end)).equals(b.subarray(end))) return { ok: false, reason: 'bad-checksum' }
  const n = b.readUInt32BE(MAGIC.length + 1)
  if (n > lim.maxFrames) return { ok: false, reason: 'too-large' }
  const frames: Uint8Array[] = []
  let off = HEADER
  for (let i = 0; i < n; i++) {
    if (off + 4 > end) return { ok: false, reason: 'malformed' }
    const len = b.readUInt32BE(off)
    if (len > lim.maxFrameBytes || off + 4 + len > end) return { ok: false, reason: 'malformed' }
    frames.push(new Uint8Array(b.subarray(off + 4, off + 4 + len)))
    off += 4 + len
  }
  return off === end ? { ok: true, frames } : { ok: false, reason: 'malformed' }
}

/** Reads and decodes the file; undefined when there is none. I/O errors other than ENOENT throw. */
export function readSnapshotFile(dir: string, lim: FileLimits): FileDecoded | undefined {
  let fd: number
  try {
    fd = openSync(join(dir, SNAPSHOT_FILE), 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const size = fstatSync(fd).size
    // Checked before reading: a huge file planted in the state dir is not loaded into memory.
    if (size > maxFileBytes(lim)) return { ok: false, reason: 'too-large' }
    const buf = Buffer.alloc(size)
    let len = 0
    while (len < size) {
      const n = readSync(fd, buf, len, size - len, len)
      if (n === 0) break
      len += n
    }
    return decodeSnapshotFile(buf.subarray(0, len), lim)
  } finally {
    closeSync(fd)
  }
}

// The callback API on purpose: node:fs/promises loads internals the agent otherwise never loads
// (memory on every node; the bundle test keeps the agent's list of modules it must not load).
const fsP = {
  mkdir: promisify(mkdir),
  open: promisify(open),
  write: promisify(write),
  fsync: promisify(fsync),
  close: promisify(close),
  rename: promisify(rename),
}

/** Runs `use` on a file descriptor opened with `flags`, then closes it. */
async function withFd(
  path: string,
  flags: string,
  mode: number | undefined,
  use: (fd: number) => Promise<void>,
): Promise<void> {
  const fd = await fsP.open(path, flags, mode)
  try {
    await use(fd)
  } finally {
    await fsP.close(fd)
  }
}

/**
 * Replaces the file atomically and durably; rejects on I/O errors. Asynchronous on purpose: the
 * fsyncs run on libuv's pool, so a slow disk never stalls the event loop that relays gossip and
 * answers DNS.
 */
export async function writeSnapshotFile(dir: string, frames: readonly Uint8Array[]): Promise<void> {
  await fsP.mkdir(dir, { recursive: true, mode: 0o700 })
  const path = join(dir, SNAPSHOT_FILE)
  const tmp = `${path}.tmp`
  const bytes = encodeSnapshotFile(frames)
  await withFd(tmp, 'w', 0o600, async (fd) => {
    let off = 0
    while (off < bytes.length) off += (await fsP.write(fd, bytes, off, bytes.length - off)).bytesWritten
    await fsP.fsync(fd)
  })
  await fsP.rename(tmp, path)
  await withFd(dir, 'r', undefined, (fd) => fsP.fsync(fd))
}
