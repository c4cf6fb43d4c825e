import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli, EXIT_OK, EXIT_USAGE } from '../../../cmd/cli.ts'
import { createEd25519Verifier, loadSigner, loadTrustedKeys, readPskFile } from '../../../lib/gossip/keys.ts'

function capture(t: { after: (fn: () => void) => void }): { stderr: () => string } {
  let err = ''
  const origErr = process.stderr.write.bind(process.stderr)
  const origOut = process.stdout.write.bind(process.stdout)
  process.stderr.write = ((chunk: string) => ((err += chunk), true)) as typeof process.stderr.write
  process.stdout.write = (() => true) as typeof process.stdout.write
  t.after(() => {
    process.stderr.write = origErr
    process.stdout.write = origOut
  })
  return { stderr: () => err }
}

test('keygen writes a usable secret and key pair with private files at 0600', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gnet-keygen-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const out = join(dir, 'keys')
  capture(t)
  assert.equal(await runCli(['keygen', '--out', out]), EXIT_OK)
  assert.match(readFileSync(join(out, 'gossip.psk'), 'utf8'), /^[0-9a-f]{64}\n$/)
  assert.equal(statSync(join(out, 'gossip.psk')).mode & 0o777, 0o600)
  assert.equal(statSync(join(out, 'publisher.key')).mode & 0o777, 0o600)
  assert.equal(readPskFile(join(out, 'gossip.psk'), 'gossip-secret-file').byteLength, 32)
  const signer = loadSigner(join(out, 'publisher.key'), 'publisher-key-file')
  const [trusted] = loadTrustedKeys([join(out, 'publisher.pub')], 'trusted-publisher-key-file')
  assert.ok(trusted !== undefined)
  const msg = new Uint8Array([1, 2, 3])
  assert.equal(createEd25519Verifier().verify(trusted, msg, signer.sign(msg)), true)
})

test('keygen refuses to overwrite without --force, naming the file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gnet-keygen-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'publisher.key'), 'keep me')
  const io = capture(t)
  assert.equal(await runCli(['keygen', '--out', dir]), EXIT_USAGE)
  assert.match(io.stderr(), /--out: .*publisher\.key already exists/)
  assert.equal(readFileSync(join(dir, 'publisher.key'), 'utf8'), 'keep me')
  assert.equal(await runCli(['keygen', '--out', dir, '--force']), EXIT_OK)
  assert.match(readFileSync(join(dir, 'publisher.key'), 'utf8'), /BEGIN PRIVATE KEY/)
})

test('keygen without --out is a usage error', async (t) => {
  capture(t)
  assert.equal(await runCli(['keygen']), EXIT_USAGE)
})
