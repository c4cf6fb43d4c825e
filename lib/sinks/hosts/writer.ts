/**
 * The hosts file's single I/O: read, render, and write in place only when the bytes differ.
 *
 * In place, because /etc/hosts is bind-mounted into containers and a rename would leave them on
 * the old inode. Crash-safe and full-disk-safe, because every state between two system calls is a
 * valid file, and the only step that needs new disk space runs before any old byte is touched:
 *
 * | step | system call                                           | file afterwards                  |
 * | ---- | ----------------------------------------------------- | -------------------------------- |
 * | 1    | pwrite(`\n` x growth, at the old end), only if it grows | old content + blank lines       |
 * |      | on failure (ENOSPC, EDQUOT): ftruncate(old length)    | old content, byte for byte       |
 * | 2    | pwrite(new content padded with `\n` to >= old length,  | new block + trailing blank lines |
 * |      | from the first byte that differs)                     |                                  |
 * | 3    | ftruncate(new length), only if the file shrank        | new block                        |
 *
 * Step 2 overwrites bytes the file already holds, so it needs no new blocks (on copy-on-write
 * filesystems it might; then the old bytes are written back, best effort). The caller counts and
 * logs a failure and retries later.
 *
 * A kill -9 cannot split one write(2) to a regular file inside one page; a write that spans
 * pages can be cut at a page boundary (the kernel checks for fatal signals between pages), so
 * writing only from the first differing byte keeps a typical change within one page. Bytes are
 * handled as latin1 so lines we do not own round-trip unchanged whatever their encoding.
 * A missing file is an error: we never create it (kOps did not either).
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { errorMessage } from '../../util/errors.ts'
import { applyReplicaKeepingBootstrap } from './bootstrap.ts'
import type { HostsProblem } from './block.ts'

export type HostsWriteResult = Readonly<{
  outcome: 'written' | 'unchanged'
  problems: readonly HostsProblem[]
  bytes: number
}>

function readAll(fd: number): Buffer {
  const size = fstatSync(fd).size
  let buf = Buffer.allocUnsafe(Math.max(size, 4096))
  let len = 0
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2)
      buf.copy(bigger, 0, 0, len)
      buf = bigger
    }
    const n = readSync(fd, buf, len, buf.length - len, len)
    if (n === 0) return buf.subarray(0, len)
    len += n
  }
}

/** Writes `buf` at file offset `at`, all of it (write(2) may write less than asked). */
function writeAt(fd: number, buf: Uint8Array, at: number): void {
  let done = 0
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, at + done)
}

/** The error a failed write throws: says the old file was kept, keeps the errno code. */
function notWritten(path: string, err: unknown, intact: boolean): Error {
  const e = new Error(
    `hosts file ${path} not written: ${errorMessage(err)}; ` +
      (intact ? 'the old file is unchanged' : 'restoring the old content failed'),
    { cause: err },
  ) as NodeJS.ErrnoException
  const code = (err as NodeJS.ErrnoException).code
  if (code !== undefined) e.code = code
  return e
}

/** Rewrites `path` so its block holds `desired` (name → addresses) and, with `zones`, nothing
 * outside them. Throws on I/O errors. */
export function writeHostsFile(
  path: string,
  desired: ReadonlyMap<string, readonly string[]>,
  zones?: readonly string[],
): HostsWriteResult {
  const fd = openSync(path, 'r+')
  try {
    const old = readAll(fd)
    const { text, problems } = applyReplicaKeepingBootstrap(old.toString('latin1'), desired, zones)
    const next = Buffer.from(text, 'latin1')
    if (next.equals(old)) return { outcome: 'unchanged', problems, bytes: next.length }
    const padded = Buffer.alloc(Math.max(next.length, old.length), 0x0a)
    next.copy(padded)
    // Step 1: claim the space first. Blank lines at the end keep the file valid meanwhile.
    if (padded.length > old.length) {
      try {
        writeAt(fd, Buffer.alloc(padded.length - old.length, 0x0a), old.length)
      } catch (err) {
        ftruncateSync(fd, old.length)
        throw notWritten(path, err, true)
      }
    }
    let from = 0
    while (from < old.length && padded[from] === old[from]) from++
    try {
      writeAt(fd, padded.subarray(from), from)
    } catch (err) {
      let intact = true
      try {
        writeAt(fd, old.subarray(from), from)
        ftruncateSync(fd, old.length)
      } catch {
        intact = false
      }
      throw notWritten(path, err, intact)
    }
    if (padded.length > next.length) ftruncateSync(fd, next.length)
    return { outcome: 'written', problems, bytes: next.length }
  } finally {
    closeSync(fd)
  }
}
