import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { pureJsCrypto } from '@libp2p/noise'
import { Uint8ArrayList } from 'uint8arraylist'
import { nodeNoiseCrypto as ours } from '../../../lib/gossip/libp2p/noise-crypto.ts'

// The package's own (pure JavaScript) implementation is the reference: same inputs, same bytes.
const ref = pureJsCrypto
const hex = (b: Uint8Array | Uint8ArrayList): string => Buffer.from(b.subarray()).toString('hex')

test('SHA-256 and HKDF match the reference, for arrays and lists', () => {
  for (const n of [0, 1, 32, 1000]) {
    const data = randomBytes(n)
    assert.equal(hex(ours.hashSHA256(data)), hex(ref.hashSHA256(data)))
    assert.equal(
      hex(ours.hashSHA256(new Uint8ArrayList(data.subarray(0, n >> 1), data.subarray(n >> 1)))),
      hex(ref.hashSHA256(data)),
    )
    const ck = randomBytes(32)
    assert.deepEqual(ours.getHKDF(ck, data).map(hex), ref.getHKDF(ck, data).map(hex))
  }
})

test('X25519: same public key from a seed, same shared secret both ways', () => {
  const a = randomBytes(32)
  const b = ours.generateX25519KeyPair()
  assert.equal(b.privateKey.length, 32)
  assert.equal(b.publicKey.length, 32)
  const A = ours.generateX25519KeyPairFromSeed(a)
  assert.equal(hex(A.publicKey), hex(ref.generateX25519KeyPairFromSeed(a).publicKey))
  const mine = ours.generateX25519SharedKey(a, b.publicKey)
  assert.equal(hex(mine), hex(ref.generateX25519SharedKey(a, b.publicKey)))
  assert.equal(hex(mine), hex(ours.generateX25519SharedKey(b.privateKey, A.publicKey)))
})

test('ChaCha20-Poly1305: same ciphertext as the reference; tampering is refused', () => {
  const k = randomBytes(32)
  const nonce = randomBytes(12)
  const ad = randomBytes(32)
  for (const n of [0, 5, 1199, 1200, 70_000]) {
    const text = randomBytes(n)
    const sealed = ours.chaCha20Poly1305Encrypt(text, nonce, ad, k)
    assert.equal(hex(sealed), hex(ref.chaCha20Poly1305Encrypt(text, nonce, ad, k)))
    assert.equal(hex(ours.chaCha20Poly1305Decrypt(sealed, nonce, ad, k)), hex(text))
    const list = new Uint8ArrayList(sealed.subarray().subarray(0, 3), sealed.subarray().subarray(3))
    assert.equal(hex(ours.chaCha20Poly1305Decrypt(list, nonce, ad, k)), hex(text))
    const bad = Buffer.from(sealed.subarray())
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1
    assert.throws(() => ours.chaCha20Poly1305Decrypt(bad, nonce, ad, k))
    assert.throws(() => ours.chaCha20Poly1305Decrypt(sealed, nonce, randomBytes(32), k))
  }
  assert.throws(() => ours.chaCha20Poly1305Decrypt(randomBytes(10), nonce, ad, k), /shorter than its tag/)
})
