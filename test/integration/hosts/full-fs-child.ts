// Child process for full-fs.test.ts, run inside `unshare -m` (a private mount namespace): mounts a
// 16 KiB tmpfs, fills it to several levels, tries to grow the hosts block and prints one JSON
// line per level. The mount dies with the namespace even if the umount below never runs.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { applyReplica } from '../../../lib/sinks/hosts/block.ts'
import { writeHostsFile } from '../../../lib/sinks/hosts/writer.ts'

const USER = '127.0.0.1 localhost\n::1 localhost ip6-localhost\n# kept as it is\n'
const names = (n: number): Map<string, string[]> =>
  new Map(Array.from({ length: n }, (_, i) => [`svc-${i}.c.k8s.local`, [`10.1.${i >> 8}.${i & 255}`]]))

/** Writes up to `bytes` into a filler file; stops quietly when the filesystem is full. */
function fill(path: string, bytes: number): void {
  const fd = openSync(path, 'w')
  try {
    const chunk = Buffer.alloc(1024, 0x78)
    for (let done = 0; done < bytes;) {
      try {
        done += writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done))
      } catch {
        return
      }
    }
  } finally {
    closeSync(fd)
  }
}

const dir = mkdtempSync(join(tmpdir(), 'h-dns-fullfs-'))
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir])
try {
  const hosts = join(dir, 'hosts')
  const filler = join(dir, 'filler')
  // Grow 20 names (~1 KiB, one page) to 150 (~7.5 KiB, two pages), and shrink 20 to 2.
  const cases = [
    ...[0, 2048, 4096, 6000, 8192, 10_000, 12_288, 16_384].map((f) => ({ fillBytes: f, from: 20, to: 150 })),
    { fillBytes: 16_384, from: 20, to: 2 },
  ]
  for (const c of cases) {
    writeFileSync(hosts, USER)
    writeHostsFile(hosts, names(c.from))
    const old = readFileSync(hosts)
    fill(filler, c.fillBytes)
    const expected = Buffer.from(applyReplica(old.toString('latin1'), names(c.to)).text, 'latin1')
    let outcome = 'written'
    let code: string | undefined
    try {
      writeHostsFile(hosts, names(c.to))
    } catch (err) {
      outcome = 'error'
      code = (err as NodeJS.ErrnoException).code
    }
    const now = readFileSync(hosts)
    // The retry once space is back.
    rmSync(filler, { force: true })
    writeHostsFile(hosts, names(c.to))
    const retried = readFileSync(hosts).equals(expected)
    process.stdout.write(
      JSON.stringify({
        ...c,
        outcome,
        code,
        oldBytes: old.length,
        newBytes: expected.length,
        intact: now.equals(old),
        correct: now.equals(expected),
        retried,
      }) + '\n',
    )
    rmSync(hosts)
  }
} finally {
  execFileSync('umount', [dir])
  rmSync(dir, { recursive: true, force: true })
}
