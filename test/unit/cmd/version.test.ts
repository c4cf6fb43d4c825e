import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../../cmd/cli.ts'
import { redact } from '../../../cmd/commands/startup-log.ts'
import { buildInfo, readGitCommit } from '../../../lib/util/version.ts'
import { createLogger } from '../../../lib/util/log.ts'
import pkg from '../../../package.json' with { type: 'json' }

async function stdoutOf(args: string[]): Promise<{ code: number; out: string }> {
  let out = ''
  const write = process.stdout.write.bind(process.stdout)
  process.stdout.write = ((c: string | Uint8Array) => {
    out += String(c)
    return true
  }) as typeof process.stdout.write
  try {
    return { code: await runCli(args), out }
  } finally {
    process.stdout.write = write
  }
}

test('--version on every command prints the version and commit and exits 0', async () => {
  for (const args of [
    ['--version'],
    ['agent', '--version'],
    ['render', '--version'],
    ['demo', '--version'],
  ]) {
    const r = await stdoutOf(args)
    assert.equal(r.code, 0)
    assert.match(
      r.out,
      new RegExp(
        `^dns-controller ${pkg.version.replace(/\./g, '\\.')} \\(commit ([0-9a-f]{12}|unknown)\\)\\n$`,
      ),
    )
  }
  assert.equal(buildInfo().version, pkg.version)
})

test('readGitCommit: loose ref, packed ref, detached HEAD, no git', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsc-git-'))
  try {
    const a = 'a'.repeat(40)
    const b = 'b'.repeat(40)
    mkdirSync(join(dir, 'refs/heads'), { recursive: true })
    writeFileSync(join(dir, 'HEAD'), 'ref: refs/heads/main\n')
    writeFileSync(join(dir, 'refs/heads/main'), `${a}\n`)
    assert.equal(readGitCommit(dir), a)
    rmSync(join(dir, 'refs/heads/main'))
    writeFileSync(join(dir, 'packed-refs'), `# pack-refs\n${b} refs/heads/main\n`)
    assert.equal(readGitCommit(dir), b)
    writeFileSync(join(dir, 'HEAD'), `${a}\n`)
    assert.equal(readGitCommit(dir), a)
    assert.equal(readGitCommit(join(dir, 'nope')), undefined)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('redact hides secret strings at any depth and keeps secret file paths', () => {
  const r = redact({
    gossip: {
      primary: { secret: 's3cret-0123456789', secretFile: '/k/gossip.psk' },
      secondary: { secret: 'x' },
    },
    list: [{ gossipSecret: 'y' }],
    n: 1,
  })
  assert.deepEqual(r, {
    gossip: {
      primary: { secret: '<redacted>', secretFile: '/k/gossip.psk' },
      secondary: { secret: '<redacted>' },
    },
    list: [{ gossipSecret: '<redacted>' }],
    n: 1,
  })
})

test('--log-format=json: one object per line with time, level, component, msg and the fields', () => {
  const lines: string[] = []
  const log = createLogger({ format: 'json', component: 'agent', sink: { write: (l) => lines.push(l) } })
  log.child('hosts').warn('hosts file write failed', { path: '/etc/hosts', err: new Error('EROFS'), n: 2 })
  assert.equal(lines.length, 1)
  assert.ok(lines[0]?.endsWith('}\n'))
  const o = JSON.parse(lines[0] ?? '') as Record<string, unknown>
  assert.equal(typeof o['time'], 'string')
  assert.deepEqual(
    { ...o, time: 0 },
    {
      time: 0,
      level: 'warn',
      component: 'agent/hosts',
      msg: 'hosts file write failed',
      path: '/etc/hosts',
      err: 'EROFS',
      n: 2,
    },
  )
})
