import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import { computeDelta } from '../../../lib/gossip/core/delta.ts'
import { signedMessage } from '../../../lib/gossip/core/snapshot.ts'
import type { Snapshot } from '../../../lib/gossip/core/snapshot.ts'
import type { Action, DropReason, GossipCore, Signer } from '../../../lib/gossip/core/types.ts'
import { encodeFrame, WIRE_VERSION } from '../../../lib/gossip/core/wire.ts'
import type { Frame } from '../../../lib/gossip/core/wire.ts'
import { core, outsider, publisherA, rec, sentKind } from './helpers.ts'

function snap(s: Signer, wallMs: number, records: Snapshot['records']): Snapshot {
  const version = { wallMs, counter: 0 }
  return {
    publisher: s.publicKey,
    version,
    records,
    signature: s.sign(signedMessage(s.publicKey, version, records)),
  }
}

const v1 = snap(publisherA, 1000, [rec('api.example', ['10.0.0.1'])])
const v2 = snap(publisherA, 2000, [rec('api.example', ['10.0.0.2'])])
const v3 = snap(publisherA, 3000, [rec('api.example', ['10.0.0.3']), rec('new.example', ['10.0.0.9'])])
const full = (s: Snapshot): Uint8Array => encodeFrame({ kind: 'full', snapshot: s })

/** A receiver holding v2, connected to an attacker `evil` that knows the PSK but no publisher key. */
function victim(config = GOSSIP_DEFAULTS): GossipCore {
  const c = core({ self: 'victim', config })
  c.step(0, { type: 'peer-up', peer: 'evil', addrs: [] })
  const acts = c.step(1, { type: 'message', from: 'evil', bytes: full(v2) })
  assert.ok(acts.some((a) => a.type === 'replica-changed'))
  return c
}

const attacks: {
  name: string
  bytes: () => Uint8Array
  reason: DropReason
  config?: typeof GOSSIP_DEFAULTS
}[] = [
  {
    name: 'a snapshot signed by an untrusted key',
    bytes: () => full(snap(outsider, 9000, v3.records)),
    reason: 'untrusted-publisher',
  },
  {
    name: 'a trusted publisher id with a signature from another key',
    bytes: () => full({ ...snap(outsider, 9000, v3.records), publisher: publisherA.publicKey }),
    reason: 'bad-signature',
  },
  {
    name: 'a tampered record (value changed, signature kept)',
    bytes: () => full({ ...v3, records: [rec('api.example', ['6.6.6.6']), v3.records[1]!] }),
    reason: 'bad-signature',
  },
  {
    name: 'a tampered version (signature kept)',
    bytes: () => full({ ...v2, version: { wallMs: 9999, counter: 0 } }),
    reason: 'bad-signature',
  },
  { name: 'a replay of an older version', bytes: () => full(v1), reason: 'stale' },
  { name: 'a replay of the version held', bytes: () => full(v2), reason: 'stale' },
  {
    name: 'an oversized frame',
    bytes: () => new Uint8Array(GOSSIP_DEFAULTS.maxFrameBytes + 10).fill(WIRE_VERSION),
    reason: 'frame-too-large',
  },
  {
    name: 'a snapshot with more records than allowed',
    bytes: () => full(v3),
    reason: 'too-many-records',
    config: { ...GOSSIP_DEFAULTS, maxRecordsPerSnapshot: 1 },
  },
  {
    name: 'a delta against the held base with a tampered upsert',
    bytes: () => {
      const d = computeDelta(v2, v3)
      return encodeFrame({ kind: 'delta', delta: { ...d, upserted: [rec('api.example', ['6.6.6.6'])] } })
    },
    reason: 'bad-signature',
  },
  {
    name: 'a delta removing a name the base does not have',
    bytes: () =>
      encodeFrame({
        kind: 'delta',
        delta: { ...computeDelta(v2, v3), removed: [{ name: 'nope', type: 'A' }] },
      }),
    reason: 'invalid-record',
  },
  { name: 'garbage', bytes: () => Uint8Array.of(WIRE_VERSION, 3, 0xff, 0xff), reason: 'truncated' },
  {
    name: 'a name with a newline, validly signed (a hosts-file line injection)',
    bytes: () => full(snap(publisherA, 9000, [rec('6.6.6.7 api.openai.com\nx.example', ['10.0.0.1'])])),
    reason: 'invalid-name',
  },
  {
    name: 'an upper-case name, validly signed',
    bytes: () => full(snap(publisherA, 9000, [rec('API.example', ['10.0.0.1'])])),
    reason: 'invalid-name',
  },
  {
    name: 'an A value with a newline, validly signed',
    bytes: () => full(snap(publisherA, 9000, [rec('x.example', ['10.0.0.1\n6.6.6.7 api.openai.com'])])),
    reason: 'invalid-value',
  },
  {
    name: 'a CNAME target with a control character, validly signed',
    bytes: () => full(snap(publisherA, 9000, [rec('x.example', ['lb\u0007.example.com'], 'CNAME')])),
    reason: 'invalid-value',
  },
  {
    name: 'a delta upserting a name with a newline',
    bytes: () => {
      const bad = snap(publisherA, 9000, [...v2.records, rec('y.example\n6.6.6.7 evil', ['10.0.0.1'])])
      return encodeFrame({ kind: 'delta', delta: computeDelta(v2, bad) })
    },
    reason: 'invalid-name',
  },
  {
    name: 'a validly signed version at the largest varint (2^53 - 1, 2^53 - 1)',
    bytes: () => {
      const version = { wallMs: Number.MAX_SAFE_INTEGER, counter: Number.MAX_SAFE_INTEGER }
      const records = v3.records
      const signature = publisherA.sign(signedMessage(publisherA.publicKey, version, records))
      return full({ publisher: publisherA.publicKey, version, records, signature })
    },
    reason: 'too-far-ahead',
  },
  {
    name: 'a validly signed version more than maxVersionSkewMs ahead of our clock',
    bytes: () => full(snap(publisherA, 10 + GOSSIP_DEFAULTS.maxVersionSkewMs + 1, v3.records)),
    reason: 'too-far-ahead',
  },
  {
    name: 'a delta to a version too far ahead',
    bytes: () => {
      const ahead = snap(publisherA, 10 + GOSSIP_DEFAULTS.maxVersionSkewMs + 1, v3.records)
      return encodeFrame({ kind: 'delta', delta: computeDelta(v2, ahead) })
    },
    reason: 'too-far-ahead',
  },
]

for (const a of attacks) {
  test(`hostile: ${a.name} is dropped as ${a.reason}, counted, replica unchanged`, () => {
    const c = victim(a.config)
    const before = c.replica()
    const acts = c.step(10, { type: 'message', from: 'evil', bytes: a.bytes() })
    assert.deepEqual(
      acts.filter((x) => x.type === 'dropped'),
      [{ type: 'dropped', reason: a.reason, from: 'evil' }],
    )
    assert.ok(!acts.some((x) => x.type === 'replica-changed'))
    assert.ok(!acts.some((x) => x.type === 'send' && sentKind(x) !== 'want'), 'nothing forwarded')
    assert.equal(c.replica(), before)
    assert.equal(c.stats().dropped[a.reason], 1)
  })
}

test('hostile: a delta on an unknown base is not applied; the full snapshot is pulled instead', () => {
  const c = victim()
  const d = computeDelta(v1, v3) // base v1, but we hold v2
  const acts = c.step(10, { type: 'message', from: 'evil', bytes: encodeFrame({ kind: 'delta', delta: d }) })
  assert.ok(acts.some((a) => a.type === 'dropped' && a.reason === 'base-mismatch'))
  const want: Frame = { kind: 'want', publishers: [publisherA.publicKey] }
  assert.ok(
    acts.some((a) => a.type === 'send' && a.to === 'evil' && Buffer.from(a.bytes).equals(encodeFrame(want))),
  )
  assert.equal(c.replica().publishers[0]?.version, '2000.0')
})

test('hostile: frames from a peer that is not connected are dropped', () => {
  const c = victim()
  const acts = c.step(10, { type: 'message', from: 'stranger', bytes: full(v3) })
  assert.deepEqual(acts, [{ type: 'dropped', reason: 'unknown-peer', from: 'stranger' }])
})

test('hostile: a flooding peer is rate limited; the replica still accepts a later valid version', () => {
  const c = victim()
  const digest = encodeFrame({ kind: 'digest', entries: [] })
  let limited = 0
  for (let i = 0; i < 1000; i++) {
    const acts: Action[] = c.step(10, { type: 'message', from: 'evil', bytes: digest })
    if (acts.some((a) => a.type === 'dropped' && a.reason === 'rate-limited')) limited++
  }
  assert.ok(limited >= 1000 - GOSSIP_DEFAULTS.peerFramesBurst, `limited ${limited}`)
  // One second later the bucket has refilled.
  const acts = c.step(1010, { type: 'message', from: 'evil', bytes: full(v3) })
  assert.ok(acts.some((a) => a.type === 'replica-changed'))
})

test('hostile: replayed wants and stale digests get one full snapshot per half sync interval, not one each', () => {
  const c = victim()
  const want = encodeFrame({ kind: 'want', publishers: [publisherA.publicKey, publisherA.publicKey] })
  const empty = encodeFrame({ kind: 'digest', entries: [] })
  let fulls = 0
  for (let i = 0; i < 100; i++)
    for (const bytes of [want, empty]) {
      const acts = c.step(10 + i, { type: 'message', from: 'evil', bytes })
      fulls += acts.filter((a) => sentKind(a) === 'full').length
    }
  assert.equal(fulls, 1)
  const later = c.step(10 + GOSSIP_DEFAULTS.syncIntervalMs, { type: 'message', from: 'evil', bytes: want })
  assert.equal(later.filter((a) => sentKind(a) === 'full').length, 1)
})
