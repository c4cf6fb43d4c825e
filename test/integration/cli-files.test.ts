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

test(
  'a hosts file the agent cannot write exits 2 at start, like a missing one',
  { skip: process.getuid?.() === 0 ? false : 'needs root to run the CLI as another user' },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsc-files-'))
    try {
      chmodSync(dir, 0o755)
      writeFileSync(join(dir, 'publisher.pub'), generatePublisherKeyPem().publicPem, { mode: 0o644 })
      writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n', { mode: 0o644 })
      const agent = (hosts: string): ReturnType<typeof spawnSync> =>
        spawnSync(
          NODE,
          [
            CLI,
            'agent',
            '--gossip-insecure',
            `--trusted-publisher-key-file=${join(dir, 'publisher.pub')}`,
            `--hosts-file=${hosts}`,
            `--state-dir=${join(dir, 'state')}`,
          ],
          { encoding: 'utf8', timeout: 30_000, uid: 65534, gid: 65534, cwd: '/' },
        )
      const unwritable = agent(join(dir, 'hosts'))
      assert.equal(unwritable.status, 2, String(unwritable.stderr))
      assert.match(
        String(unwritable.stderr),
        /--hosts-file: [^\n]*hosts: permission denied [^\n]*not writable/,
      )
      const missing = agent(join(dir, 'nope'))
      assert.equal(missing.status, 2, String(missing.stderr))
      assert.match(String(missing.stderr), /--hosts-file: [^\n]*nope: no such file/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  },
)
