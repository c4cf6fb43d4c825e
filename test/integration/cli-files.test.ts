// A key file in a directory this user cannot enter is "permission denied", not "no such file".
// Runs the CLI as nobody (uid 65534), so it needs root to start it.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePublisherKeyPem } from '../../lib/gossip/keys.ts'

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../cmd/dns-controller.ts')

test(
  'key file behind a directory without search permission → exit 2, permission denied',
  { skip: process.getuid?.() === 0 ? false : 'needs root to run the CLI as another user' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsc-files-'))
    try {
      chmodSync(dir, 0o755)
      const locked = join(dir, 'locked')
      mkdirSync(locked, { mode: 0o700 })
      writeFileSync(join(locked, 'publisher.key'), generatePublisherKeyPem().privatePem)
      writeFileSync(join(dir, 'objects.yaml'), '')
      chmodSync(join(dir, 'objects.yaml'), 0o644)
      const r = spawnSync(
        NODE,
        [
          CLI,
          '--internal-ipv4',
          '--gossip-insecure',
          `--from=${join(dir, 'objects.yaml')}`,
          `--publisher-key-file=${join(locked, 'publisher.key')}`,
        ],
        { encoding: 'utf8', timeout: 30_000, uid: 65534, gid: 65534, cwd: '/' },
      )
      assert.equal(r.status, 2, r.stderr)
      assert.match(r.stderr, /--publisher-key-file: [^\n]*publisher\.key: permission denied/)
      assert.doesNotMatch(r.stderr, /no such file/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
