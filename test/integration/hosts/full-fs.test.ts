// A full filesystem never corrupts the hosts file: on a 16 KiB tmpfs at several fill levels, a
// write that does not fit fails with ENOSPC and leaves the old file byte for byte; one that fits
// is complete; and the retry after space is freed writes the new block.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'

interface Level {
  fillBytes: number
  from: number
  to: number
  outcome: 'written' | 'error'
  code?: string
  oldBytes: number
  newBytes: number
  intact: boolean
  correct: boolean
  retried: boolean
}

const root = process.getuid?.() === 0

test(
  'a full filesystem leaves the old hosts file byte for byte',
  { skip: !root && 'needs root (mount)', timeout: 60_000 },
  async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        'unshare',
        ['-m', '--propagation', 'private', process.execPath, join(import.meta.dirname, 'full-fs-child.ts')],
        { timeout: 50_000, killSignal: 'SIGKILL' },
        (err, stdout, stderr) =>
          err !== null ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      ),
    )
    const levels = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Level)
    assert.equal(levels.length, 9, out)
    for (const l of levels) {
      const what = JSON.stringify(l)
      if (l.outcome === 'error') {
        assert.equal(l.code, 'ENOSPC', what)
        assert.ok(l.intact, `old file changed: ${what}`)
      } else assert.ok(l.correct, `new file incomplete: ${what}`)
      assert.ok(l.retried, `retry with space failed: ${what}`)
    }
    // The levels cover both sides: writes that fit and writes that do not.
    assert.ok(
      levels.some((l) => l.outcome === 'error' && l.to > l.from),
      out,
    )
    assert.ok(
      levels.some((l) => l.outcome === 'written' && l.to > l.from && l.fillBytes > 0),
      out,
    )
    // Shrinking needs no space: it works on a full filesystem.
    assert.equal(levels.at(-1)?.outcome, 'written', out)
  },
)
