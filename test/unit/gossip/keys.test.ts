import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPairSync, hkdfSync } from 'node:crypto'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  PSK_SALT,
  derivePsk,
  generatePublisherKeyPem,
  generateSecret,
  createEd25519Verifier,
  loadSigner,
  loadTrustedKeys,
  parsePrivateKeyPem,
  parsePublicKeyPem,
  pskForNetwork,
  publisherIdOf,
} from '../../../lib/gossip/keys.ts'
import { loadOrCreateNodeKey, NODE_KEY_FILE } from '../../../lib/gossip/identity.ts'
import { ConfigError } from '../../../lib/util/errors.ts'

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gnet-keys-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

test('derivePsk is HKDF-SHA256 of the trimmed secret with the contract salt', () => {
  const secret = 'a'.repeat(64)
  const expected = new Uint8Array(hkdfSync('sha256', Buffer.from(secret), PSK_SALT, '', 32))
  assert.deepEqual(derivePsk(`  ${secret}\n`, 'gossip-secret'), expected)
  assert.notDeepEqual(derivePsk('b'.repeat(64), 'gossip-secret'), expected)
})

test('derivePsk refuses short secrets naming the flag', () => {
  assert.throws(
    () => derivePsk('  short secret  ', 'gossip-secret'),
    (err: unknown) => err instanceof ConfigError && err.flag === 'gossip-secret',
  )
})

test('generateSecret is 64 lower-case hex characters and differs each time', () => {
  const a = generateSecret()
  assert.match(a, /^[0-9a-f]{64}$/)
  assert.notEqual(a, generateSecret())
})

test('a signer and a verifier loaded from PEM files agree; other keys and tampering fail', (t) => {
  const dir = tempDir(t)
  const pair = generatePublisherKeyPem()
  const other = generatePublisherKeyPem()
  writeFileSync(join(dir, 'p.key'), pair.privatePem)
  writeFileSync(join(dir, 'p.pub'), pair.publicPem)
  writeFileSync(join(dir, 'o.key'), other.privatePem)
  const signer = loadSigner(join(dir, 'p.key'), 'publisher-key-file')
  const [trusted] = loadTrustedKeys([join(dir, 'p.pub')], 'trusted-publisher-key-file')
  assert.ok(trusted !== undefined)
  const verifier = createEd25519Verifier()
  const msg = new TextEncoder().encode('snapshot bytes')
  const sig = signer.sign(msg)
  assert.equal(sig.byteLength, 64)
  assert.equal(signer.id, Buffer.from(signer.publicKey).toString('hex'))
  assert.match(signer.id, /^[0-9a-f]{64}$/)
  assert.deepEqual(trusted, signer.publicKey)
  assert.equal(verifier.verify(trusted, msg, sig), true)
  const tampered = msg.slice()
  tampered[0] = (tampered[0] ?? 0) ^ 1
  assert.equal(verifier.verify(trusted, tampered, sig), false, 'tampered message')
  const stranger = loadSigner(join(dir, 'o.key'), 'publisher-key-file')
  assert.equal(verifier.verify(trusted, msg, stranger.sign(msg)), false, 'signature by another key')
  assert.equal(verifier.verify(trusted, msg, sig.subarray(0, 10)), false, 'short signature')
  assert.equal(verifier.verify(new Uint8Array(5), msg, sig), false, 'short key')
  assert.equal(verifier.verify(new Uint8Array(32).fill(0xff), msg, sig), false, 'invalid curve point')
})

test('the publisher id is the hex of the raw public key', () => {
  const { publicKey } = generateKeyPairSync('ed25519')
  const der = publicKey.export({ format: 'der', type: 'spki' })
  assert.equal(publisherIdOf(publicKey), der.subarray(der.length - 32).toString('hex'))
})

test('bad key files are rejected with a reason', () => {
  const cases = [
    { name: 'garbage private', got: parsePrivateKeyPem('nope'), want: /not a PEM private key/ },
    {
      name: 'rsa private',
      got: parsePrivateKeyPem(
        generateKeyPairSync('rsa', { modulusLength: 1024 })
          .privateKey.export({ format: 'pem', type: 'pkcs8' })
          .toString(),
      ),
      want: /rsa key, not Ed25519/,
    },
    { name: 'garbage public', got: parsePublicKeyPem('nope'), want: /neither a PEM public key/ },
    {
      name: 'private given as public',
      got: parsePublicKeyPem(generatePublisherKeyPem().privatePem),
      want: /holds a private key/,
    },
  ]
  for (const c of cases) {
    assert.equal(typeof c.got, 'string', c.name)
    assert.match(c.got as string, c.want, c.name)
  }
})

test('missing and empty key lists are ConfigErrors naming the flag', () => {
  const isFlag = (flag: string) => (err: unknown) => err instanceof ConfigError && err.flag === flag
  assert.throws(() => loadSigner('/nonexistent/p.key', 'publisher-key-file'), isFlag('publisher-key-file'))
  assert.throws(() => loadTrustedKeys([], 'trusted-publisher-key-file'), isFlag('trusted-publisher-key-file'))
})

test('the node identity is created once (0700 dir, 0600 file) and loaded again', async (t) => {
  const dir = join(tempDir(t), 'state')
  const a = await loadOrCreateNodeKey(dir)
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.equal(statSync(join(dir, NODE_KEY_FILE)).mode & 0o777, 0o600)
  const b = await loadOrCreateNodeKey(dir)
  assert.ok(a.equals(b))
  writeFileSync(join(dir, NODE_KEY_FILE), 'garbage')
  await assert.rejects(
    loadOrCreateNodeKey(dir),
    (err: unknown) => err instanceof ConfigError && err.flag === 'state-dir',
  )
})

test('pskForNetwork derives from the secret, reads the file, or allows insecure; errors name the flag', (t) => {
  const dir = tempDir(t)
  const file = join(dir, 'gossip.psk')
  writeFileSync(file, `${'c'.repeat(64)}\n`)
  const secret = 'd'.repeat(40)
  assert.deepEqual(pskForNetwork({ secret, insecure: false }, 'primary'), derivePsk(secret, 'x'))
  assert.deepEqual(
    pskForNetwork({ secretFile: file, insecure: false }, 'secondary'),
    derivePsk('c'.repeat(64), 'x'),
  )
  assert.equal(pskForNetwork({ insecure: true }, 'primary'), undefined)
  const cases = [
    {
      name: 'missing file',
      cfg: { secretFile: join(dir, 'nope'), insecure: false },
      net: 'secondary',
      flag: 'gossip-secret-file-secondary',
    },
    {
      name: 'short secret',
      cfg: { secret: 'short', insecure: false },
      net: 'primary',
      flag: 'gossip-secret',
    },
    { name: 'nothing at all', cfg: { insecure: false }, net: 'primary', flag: 'gossip-secret-file' },
  ] as const
  for (const c of cases)
    assert.throws(
      () => pskForNetwork(c.cfg, c.net),
      (err: unknown) => err instanceof ConfigError && err.flag === c.flag,
      c.name,
    )
})
