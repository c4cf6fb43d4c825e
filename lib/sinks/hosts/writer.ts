/**
 * The hosts file's single I/O: read, render, and write in place only when the bytes differ.
 *
 * In place, because /etc/hosts is bind-mounted into containers and a rename would leave them on
 * the old inode. Crash-safe, because every state between two system calls is a valid file:
 *
 * | step | system call                                          | file afterwards                 |
 * | ---- | ---------------------------------------------------- | ------------------------------- |
 * | 1    | pwrite(new content padded with `\n` to >= old length, | new block + trailing blank lines |
 * |      | from the first byte that differs)                    |                                 |
 * | 2    | ftruncate(new length), only if the file shrank       | new block                       |
 *
 * A kill -9 cannot split one write(2) to a regular file inside one page; a write that spans
 * pages can be cut at a page boundary (the kernel checks for fatal signals between pages), so
 * writing only from the first differing byte keeps a typical change within one page. Bytes are
 * handled as latin1 so lines we do not own round-trip unchanged whatever their encoding.
 * A missing file is an error: we never create it (kOps did not either).
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs'
import { applyReplica } from './block.ts'
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
    const { text, problems } = applyReplica(old.toString('latin1'), desired, zones)
    const next = Buffer.from(text, 'latin1')
    if (next.equals(old)) return { outcome: 'unchanged', problems, bytes: next.length }
    const padded = next.length >= old.length ? next : Buffer.alloc(old.length, 0x0a)
    if (padded !== next) next.copy(padded)
    let from = 0
    while (from < old.length && padded[from] === old[from]) from++
    let off = from
    while (off < padded.length) off += writeSync(fd, padded, off, padded.length - off, off)
    if (padded.length > next.length) ftruncateSync(fd, next.length)
    return { outcome: 'written', problems, bytes: next.length }
  } finally {
    closeSync(fd)
  }
}
