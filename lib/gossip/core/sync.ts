/**
 * Anti-entropy decisions over the replica, pure: what a peer's digest says we should push and pull,
 * and whether a candidate snapshot may be accepted. The core sends the frames (within quotas.ts).
 */
import type { Millis } from '../../util/clock.ts'
import { toHex } from './bytes.ts'
import type { VersionRef } from './delta.ts'
import { compareRef } from './delta.ts'
import { tooFarAhead } from './hlc.ts'
import type { Held, Replica } from './replica.ts'
import { signedMessage } from './snapshot.ts'
import type { Snapshot } from './snapshot.ts'
import type { DropReason, Verifier, Version } from './types.ts'
import type { DigestEntry } from './wire.ts'

export interface DigestAnswer {
  /** Snapshots we hold newer than the peer's, with the peer's version (to push as a delta). */
  readonly newer: readonly { readonly held: Held; readonly theirs: VersionRef }[]
  /** Snapshots of publishers the peer did not list (to push whole). */
  readonly unknown: readonly Held[]
  /** Publishers the peer holds newer than we do (to pull with a want). */
  readonly wants: readonly Uint8Array[]
}

/** Compares a peer's digest with our replica; untrusted, repeated and too-far-ahead entries are ignored. */
export function compareDigest(
  replica: Replica,
  entries: readonly DigestEntry[],
  now: Millis,
  maxVersionSkewMs: Millis,
): DigestAnswer {
  const seen = new Set<string>()
  const newer: { held: Held; theirs: VersionRef }[] = []
  const wants: Uint8Array[] = []
  for (const e of entries) {
    const id = toHex(e.publisher)
    if (!replica.isTrusted(id) || seen.has(id)) continue
    seen.add(id)
    // Never pull what would be refused (too far ahead); it would only be sent again every interval.
    if (tooFarAhead(e.ref.version, now, maxVersionSkewMs)) continue
    const h = replica.get(id)
    const c = h === undefined ? -1 : compareRef(h.ref, e.ref)
    if (c < 0) wants.push(e.publisher)
    else if (c > 0 && h) newer.push({ held: h, theirs: e.ref })
  }
  const unknown = [...replica.all()].filter((h) => !seen.has(h.id))
  return { newer, unknown, wants }
}

/** Why a candidate snapshot (or delta, before it is applied) cannot be newer data; undefined: it can. */
export function staleOrUntrusted(
  replica: Replica,
  c: { readonly publisher: Uint8Array; readonly version: Version; readonly signature: Uint8Array },
  now: Millis,
  maxVersionSkewMs: Millis,
): DropReason | undefined {
  const id = toHex(c.publisher)
  if (!replica.isTrusted(id)) return 'untrusted-publisher'
  // A version far ahead of every clock would leave its publisher nothing newer to sign.
  if (tooFarAhead(c.version, now, maxVersionSkewMs)) return 'too-far-ahead'
  if (replica.newness(id, c) <= 0) return 'stale'
  return undefined
}

/** The full check of a snapshot from a peer or a state file, signature last (the costly part). */
export function refusal(
  replica: Replica,
  verifier: Verifier,
  s: Snapshot,
  now: Millis,
  maxVersionSkewMs: Millis,
): DropReason | undefined {
  const r = staleOrUntrusted(replica, s, now, maxVersionSkewMs)
  if (r !== undefined) return r
  const ok = verifier.verify(s.publisher, signedMessage(s.publisher, s.version, s.records), s.signature)
  return ok ? undefined : 'bad-signature'
}
