// Usage errors name what was wrong (in-process: runCli stops before any handler runs).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../../cmd/cli.ts'
import { checkRawValues, parseBoolWord } from '../../../cmd/flags/raw-values.ts'
import { unknownCommandMessage } from '../../../cmd/suggest.ts'
import { fileChecker } from '../../../cmd/flags/gossip.ts'
import { ConfigError } from '../../../lib/util/errors.ts'
import { probeReadableFile } from '../../../lib/util/file-probe.ts'

async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = ''
  const write = process.stderr.write.bind(process.stderr)
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk)
    return true
  }) as typeof process.stderr.write
  try {
    return { code: await runCli(args), stderr }
  } finally {
    process.stderr.write = write
  }
}

const cases = [
  { args: ['rendr'], message: /^dns-controller: unknown command "rendr"; did you mean "render"\?\n$/ },
  { args: ['agnet', '--zone=x'], message: /unknown command "agnet"; did you mean "agent"\?/ },
  { args: ['frobnicate'], message: /unknown command "frobnicate"; commands: agent, render/ },
  {
    args: ['--internal-ipv4=maybe', '--gossip-insecure'],
    message: /^dns-controller: --internal-ipv4: expected true or false, got "maybe"\n$/,
  },
  { args: ['-v=abc', '--internal-ipv4'], message: /^dns-controller: --v: expected a number, got "abc"\n$/ },
  { args: ['agent', '--v', 'abc'], message: /--v: expected a number, got "abc"/ },
  {
    args: ['render', '-f', '/nonexistent.yaml', '--watch-ingress=nope'],
    message: /--watch-ingress: expected true or false/,
  },
  { args: ['keygen', '--out=x', '--force=yes'], message: /--force: expected true or false, got "yes"/ },
]
for (const c of cases) {
  test(`exit 2: ${c.args.join(' ')}`, async () => {
    const r = await cli(c.args)
    assert.equal(r.code, 2)
    assert.match(r.stderr, c.message)
  })
}

test("pflag's boolean words are accepted (kOps' parser took them)", () => {
  const flags = { boolean: ['internal-ipv4', 'watch-ingress'], number: ['v'], alias: {} }
  const got = checkRawValues(['--internal-ipv4=T', '--watch-ingress=0', '-v=2', '--v', '4'], flags)
  assert.deepEqual(
    [...got],
    [
      ['internal-ipv4', true],
      ['watch-ingress', false],
    ],
  )
  for (const w of ['1', 't', 'T', 'TRUE', 'true', 'True']) assert.equal(parseBoolWord(w), true)
  for (const w of ['0', 'f', 'F', 'FALSE', 'false', 'False']) assert.equal(parseBoolWord(w), false)
  assert.equal(parseBoolWord('yes'), undefined)
  // after `--` nothing is a flag
  assert.deepEqual([...checkRawValues(['--', '--internal-ipv4=maybe'], flags)], [])
})

test('aliases share the canonical name', () => {
  const flags = { boolean: ['force'], number: [], alias: { force: ['f'] } }
  assert.throws(
    () => checkRawValues(['-f=maybe'], flags),
    (e: unknown) => e instanceof ConfigError && e.flag === 'force',
  )
})

test('unknownCommandMessage suggests only close names', () => {
  const names = ['agent', 'render', 'keygen', 'state', 'demo']
  assert.match(unknownCommandMessage('keygn', names), /did you mean "keygen"/)
  assert.match(unknownCommandMessage('DEMO', names), /did you mean "demo"/)
  assert.doesNotMatch(unknownCommandMessage('zzz', names), /did you mean/)
})

test('fileChecker names the reason a file cannot be used, not always "no such file"', () => {
  const need = fileChecker((p) =>
    p === '/missing' ? false : p === '/locked/key' ? 'permission denied' : true,
  )
  assert.throws(
    () => need('publisher-key-file', '/missing', 'hint'),
    /--publisher-key-file: \/missing: no such file \(hint\)/,
  )
  assert.throws(
    () => need('publisher-key-file', '/locked/key', 'hint'),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError)
      assert.equal(e.message, '--publisher-key-file: /locked/key: permission denied')
      return true
    },
  )
  need('publisher-key-file', '/ok', 'hint')
})

test('probeReadableFile: a file, a missing file, a directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsc-probe-'))
  try {
    writeFileSync(join(dir, 'f'), 'x')
    assert.equal(probeReadableFile(join(dir, 'f')), true)
    assert.equal(probeReadableFile(join(dir, 'nope')), false)
    assert.match(String(probeReadableFile(dir)), /directory/)
    assert.match(String(probeReadableFile(join(dir, 'f', 'g'))), /not a directory/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
