/**
 * The Noise handshake's primitives on node:crypto alone, passed to `noise({ crypto })`.
 *
 * @libp2p/noise's default module (17.0.3, as in @chainsafe/libp2p-noise before it) instantiates
 * WebAssembly ChaCha20-Poly1305 and SHA-256 when it is imported, and brings @noble's curves, ciphers and hashes: about 7 MB of RSS per agent (the
 * wasm compiler's pages and the modules) for a handshake per connection and small frames after.
 * The bundle (scripts/build.ts) leaves that module out; the sources use this too, so every test
 * runs the code the image runs. Same algorithms, same bytes on the wire (noise-crypto.test.ts
 * compares it with the package's own implementation).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { ICryptoInterface } from '@libp2p/noise'
import type { Uint8ArrayList } from 'uint8arraylist'

const CHACHA = 'chacha20-poly1305'
const TAG_BYTES = 16
// RFC 8410 DER framing around a raw 32-byte X25519 key: PKCS#8 (private) and SPKI (public).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex')

const flat = (d: Uint8Array | Uint8ArrayList): Uint8Array => (d instanceof Uint8Array ? d : d.subarray())

// createCipheriv with a raw key first asks "is this a KeyObject? a CryptoKey?", and each "no" is a
// thrown and caught exception inside Node: ~15 us per record against ~4 us with a KeyObject.
// Noise's CipherState passes the same key array for every record of a session, so one KeyObject
// per array (collected with the session) serves them all.
const secretKeys = new WeakMap<Uint8Array, KeyObject>()
function secretKey(k: Uint8Array): KeyObject {
  let key = secretKeys.get(k)
  if (key === undefined) {
    key = createSecretKey(k)
    secretKeys.set(k, key)
  }
  return key
}

function privateKey(raw: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw]), format: 'der', type: 'pkcs8' })
}

function rawPublic(key: KeyObject): Uint8Array {
  return key.export({ type: 'spki', format: 'der' }).subarray(SPKI_PREFIX.length)
}

export const nodeNoiseCrypto: ICryptoInterface = {
  hashSHA256: (data) => createHash('sha256').update(flat(data)).digest(),

  // Noise's HKDF with three outputs is RFC 5869 HKDF (salt = ck, empty info) over 96 bytes.
  getHKDF(ck, ikm) {
    const okm = new Uint8Array(hkdfSync('sha256', ikm, ck, new Uint8Array(0), 96))
    return [okm.subarray(0, 32), okm.subarray(32, 64), okm.subarray(64, 96)]
  },

  generateX25519KeyPair() {
    const { publicKey, privateKey: priv } = generateKeyPairSync('x25519', {
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    })
    return {
      publicKey: publicKey.subarray(SPKI_PREFIX.length),
      privateKey: priv.subarray(PKCS8_PREFIX.length),
    }
  },

  generateX25519KeyPairFromSeed(seed) {
    return { publicKey: rawPublic(createPublicKey(privateKey(seed))), privateKey: seed }
  },

  generateX25519SharedKey(priv, pub) {
    return diffieHellman({
      privateKey: privateKey(flat(priv)),
      publicKey: createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, flat(pub)]),
        format: 'der',
        type: 'spki',
      }),
    })
  },

  chaCha20Poly1305Encrypt(plaintext, nonce, ad, k) {
    const text = flat(plaintext)
    const c = createCipheriv(CHACHA, secretKey(k), nonce, { authTagLength: TAG_BYTES })
    c.setAAD(ad, { plaintextLength: text.byteLength })
    const body = c.update(text)
    const final = c.final()
    return Buffer.concat([body, final, c.getAuthTag()])
  },

  // Throws when the tag does not verify: Noise then fails the handshake or drops the connection.
  chaCha20Poly1305Decrypt(ciphertext, nonce, ad, k) {
    const all = flat(ciphertext)
    if (all.byteLength < TAG_BYTES) throw new Error('noise: ciphertext shorter than its tag')
    const text = all.subarray(0, all.byteLength - TAG_BYTES)
    const d = createDecipheriv(CHACHA, secretKey(k), nonce, { authTagLength: TAG_BYTES })
    d.setAAD(ad, { plaintextLength: text.byteLength })
    d.setAuthTag(all.subarray(all.byteLength - TAG_BYTES))
    const body = d.update(text)
    const final = d.final()
    return final.byteLength === 0 ? body : Buffer.concat([body, final])
  },
}
