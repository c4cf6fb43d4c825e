/**
 * Key material for the gossip network (docs/PROTOCOL.md, "Stack"):
 * - the pre-shared network key, derived with HKDF-SHA256 from a secret string (file or flag);
 * - the publisher's Ed25519 key pair (PKCS#8 PEM private, SPKI PEM public; an X.509 certificate
 *   PEM is accepted as a trusted key, so Helm can hand agents only a certificate);
 * - the node's libp2p identity, persisted in the state directory.
 * Every failure to read operator-supplied material is a ConfigError naming the flag.
 */
import {
  X509Certificate,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  sign as cryptoSign,
  verify as cryptoVerify,
} from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { ConfigError, errorMessage } from '../util/errors.ts'
import type { Signer, Verifier } from './core/types.ts'

/** HKDF salt fixed by the contract; changing it splits every deployed network. */
export const PSK_SALT = 'dns-controller/gossip-psk/v1'
/** Length of the derived network key in bytes. */
export const PSK_BYTES = 32
/** Shortest secret accepted; anything shorter is guessable. */
export const MIN_SECRET_CHARS = 16

/** Derives the 32-byte network key from a secret string (trimmed), or throws ConfigError(flag). */
export function derivePsk(secret: string, flag: string): Uint8Array {
  const s = secret.trim()
  if (s.length < MIN_SECRET_CHARS)
    throw new ConfigError(flag, `the gossip secret must be at least ${MIN_SECRET_CHARS} characters`)
  return new Uint8Array(hkdfSync('sha256', Buffer.from(s, 'utf8'), PSK_SALT, '', PSK_BYTES))
}

/** Reads a secret file (as written by keygen or the chart) and derives the network key. */
export function readPskFile(path: string, flag: string): Uint8Array {
  return derivePsk(readText(path, flag), flag)
}

/** A new secret: 64 lower-case hex characters (256 bits), the format keygen writes. */
export function generateSecret(): string {
  return randomBytes(32).toString('hex')
}

/** The publisher's signer: the core's `Signer` plus its printable id. */
export interface PublisherSigner extends Signer {
  /** Publisher id: lower-case hex of the raw 32-byte public key. */
  readonly id: string
}

/** The raw 32-byte Ed25519 public key of a public or private key object. */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const pub = key.type === 'private' ? createPublicKey(key) : key
  if (pub.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key')
  return new Uint8Array(Buffer.from(pub.export({ format: 'jwk' }).x ?? '', 'base64url'))
}

/** Lower-case hex of the raw 32-byte Ed25519 public key. */
export function publisherIdOf(key: KeyObject): string {
  return Buffer.from(rawPublicKey(key)).toString('hex')
}

export function signerFromPrivateKey(key: KeyObject): PublisherSigner {
  const publicKey = rawPublicKey(key)
  return {
    id: Buffer.from(publicKey).toString('hex'),
    publicKey,
    sign: (message) => new Uint8Array(cryptoSign(null, message, key)),
  }
}

/** KeyObjects made from raw keys are cached: the core verifies against a handful of trusted keys. */
const MAX_CACHED_KEYS = 64

/** The core's `Verifier` on node:crypto. Returns false for malformed keys or signatures. */
export function createEd25519Verifier(): Verifier {
  const cache = new Map<string, KeyObject>()
  const keyFor = (raw: Uint8Array): KeyObject => {
    const hex = Buffer.from(raw).toString('hex')
    let key = cache.get(hex)
    if (key === undefined) {
      key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
        format: 'jwk',
      })
      if (cache.size >= MAX_CACHED_KEYS) cache.clear()
      cache.set(hex, key)
    }
    return key
  }
  return {
    verify: (publicKey, message, signature) => {
      if (publicKey.byteLength !== 32 || signature.byteLength !== 64) return false
      try {
        return cryptoVerify(null, message, keyFor(publicKey), signature)
      } catch {
        return false
      }
    },
  }
}

/** Parses a PKCS#8 PEM Ed25519 private key; returns an error message or the key. */
export function parsePrivateKeyPem(pem: string): KeyObject | string {
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' })
    if (key.asymmetricKeyType !== 'ed25519')
      return `is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`
    return key
  } catch (err) {
    return `is not a PEM private key (${errorMessage(err)})`
  }
}

/** Parses an SPKI public-key PEM or an X.509 certificate PEM (its key is used). */
export function parsePublicKeyPem(pem: string): KeyObject | string {
  // createPublicKey would quietly derive the public half of a private key; a private key has no
  // business on an agent, so refuse it.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem))
    return 'holds a private key; give the public key or certificate'
  let key: KeyObject
  try {
    key = pem.includes('-----BEGIN CERTIFICATE-----')
      ? new X509Certificate(pem).publicKey
      : createPublicKey({ key: pem, format: 'pem' })
  } catch (err) {
    return `is neither a PEM public key nor a PEM certificate (${errorMessage(err)})`
  }
  if (key.asymmetricKeyType !== 'ed25519')
    return `is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`
  return key
}

export function loadSigner(path: string, flag: string): PublisherSigner {
  const key = parsePrivateKeyPem(readText(path, flag))
  if (typeof key === 'string') throw new ConfigError(flag, `${path} ${key}`)
  return signerFromPrivateKey(key)
}

/** Raw public keys of the trusted publishers, from SPKI or certificate PEM files. */
export function loadTrustedKeys(paths: readonly string[], flag: string): Uint8Array[] {
  if (paths.length === 0) throw new ConfigError(flag, 'at least one trusted publisher key is required')
  const keys = paths.map((path) => {
    const key = parsePublicKeyPem(readText(path, flag))
    if (typeof key === 'string') throw new ConfigError(flag, `${path} ${key}`)
    return rawPublicKey(key)
  })
  return keys
}

/** A new publisher key pair as PEM text: PKCS#8 private, SPKI public. */
export function generatePublisherKeyPem(): { readonly privatePem: string; readonly publicPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  }
}

function readText(path: string, flag: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(flag, `cannot read ${path}: ${errorMessage(err)}`, { cause: err })
  }
}

/**
 * The network key a flag-built network config asks for: derived from `--gossip-secret` or read from
 * the secret file, undefined with `--gossip-insecure`. Errors name the network's flag.
 */
export function pskForNetwork(
  cfg: { readonly secret?: string; readonly secretFile?: string; readonly insecure: boolean },
  network: 'primary' | 'secondary',
): Uint8Array | undefined {
  const suffix = network === 'primary' ? '' : '-secondary'
  if (cfg.secret !== undefined) return derivePsk(cfg.secret, `gossip-secret${suffix}`)
  if (cfg.secretFile !== undefined) return readPskFile(cfg.secretFile, `gossip-secret-file${suffix}`)
  if (cfg.insecure) return undefined
  throw new ConfigError(`gossip-secret-file${suffix}`, 'no gossip secret given (or pass --gossip-insecure)')
}
