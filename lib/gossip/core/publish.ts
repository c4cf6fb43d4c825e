/**
 * Signing a publish: the record set made canonical, the next HLC version after `after`, an Ed25519
 * signature, and the limits checked (a set that breaks one is refused with the reason, unsigned).
 */
import type { Millis } from '../../util/clock.ts'
import type { ResolvedRecord } from '../../records/types.ts'
import { nextVersion } from './hlc.ts'
import { canonicalRecords, signedMessage } from './snapshot.ts'
import type { Snapshot } from './snapshot.ts'
import type { DropReason, GossipConfig, Signer, Version } from './types.ts'
import { encodeFrame } from './wire.ts'

export type Signed =
  { readonly ok: true; readonly snapshot: Snapshot } | { readonly ok: false; readonly reason: DropReason }

export function signSnapshot(
  signer: Signer,
  cfg: GossipConfig,
  records: readonly ResolvedRecord[],
  after: Version | undefined,
  now: Millis,
): Signed {
  const c = canonicalRecords(records, cfg)
  if (!c.ok) return c
  const version = nextVersion(after, now)
  const publisher = signer.publicKey
  const snapshot: Snapshot = {
    publisher,
    version,
    records: c.value,
    signature: signer.sign(signedMessage(publisher, version, c.value)),
  }
  if (encodeFrame({ kind: 'full', snapshot }).length > cfg.maxFrameBytes)
    return { ok: false, reason: 'frame-too-large' }
  return { ok: true, snapshot }
}
