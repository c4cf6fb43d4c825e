// Certificates made by openssl (a process, so not in the unit tier) are accepted as trusted keys.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSigner, loadTrustedKeys } from '../../../lib/gossip/keys.ts'

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gnet-cert-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('an X.509 certificate PEM is accepted as a trusted key', (t) => {
  const dir = tempDir(t)
  const key = join(dir, 'k.pem')
  const cert = join(dir, 'c.pem')
  execFileSync('openssl', ['genpkey', '-algorithm', 'ed25519', '-out', key])
  execFileSync('openssl', [
    'req',
    '-new',
    '-x509',
    '-key',
    key,
    '-out',
    cert,
    '-subj',
    '/CN=pub',
    '-days',
    '1',
  ])
  const signer = loadSigner(key, 'publisher-key-file')
  const [trusted] = loadTrustedKeys([cert], 'trusted-publisher-key-file')
  assert.deepEqual(trusted, signer.publicKey)
})
