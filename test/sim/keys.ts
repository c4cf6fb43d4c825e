/**
 * Real Ed25519 for the simulator and unit tests (node:crypto; test code may do I/O-free crypto).
 * Keys derive from a seed so a run replays exactly. The verifier caches results per
 * (public key, signature, SHA-256 of the message): with thousands of simulated nodes verifying the
 * same snapshot, one real verification per distinct snapshot is enough to keep the sim fast, and
 * every node still goes through the full decode → rebuild → canonical encode → verify path.
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import type { Signer, Verifier } from '../../lib/gossip/core/types.ts'

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

export function signerFromSeed(seed: number): Signer & { readonly privateKey: KeyObject } {
  const raw = createHash('sha256').update(`sim-publisher-${seed}`).digest()
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  })
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' })
  const publicKey = new Uint8Array(spki.subarray(spki.length - 32))
  return { privateKey, publicKey, sign: (msg) => new Uint8Array(sign(null, msg, privateKey)) }
}

export interface CountingVerifier extends Verifier {
  /** Real signature checks done (cache misses). */
  readonly real: () => number
  readonly calls: () => number
}

export function ed25519Verifier(cache = true): CountingVerifier {
  const keys = new Map<string, KeyObject>()
  const results = new Map<string, boolean>()
  let real = 0
  let calls = 0
  const keyOf = (pub: Uint8Array): KeyObject | undefined => {
    if (pub.length !== 32) return undefined
    const hex = Buffer.from(pub).toString('hex')
    let k = keys.get(hex)
    if (k === undefined) {
      k = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, pub]), format: 'der', type: 'spki' })
      keys.set(hex, k)
    }
    return k
  }
  return {
    verify(pub, msg, sig) {
      calls++
      const k = keyOf(pub)
      if (k === undefined || sig.length !== 64) return false
      const id = cache
        ? `${Buffer.from(pub).toString('hex')}:${Buffer.from(sig).toString('hex')}:${createHash('sha256').update(msg).digest('hex')}`
        : ''
      const hit = cache ? results.get(id) : undefined
      if (hit !== undefined) return hit
      real++
      let ok = false
      try {
        ok = verify(null, msg, k, sig)
      } catch {
        ok = false
      }
      if (cache) results.set(id, ok)
      return ok
    },
    real: () => real,
    calls: () => calls,
  }
}
