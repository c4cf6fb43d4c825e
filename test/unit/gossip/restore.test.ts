// Persisted snapshots given back to the core (`restore`) and versions far ahead of the clock.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import { signedMessage } from '../../../lib/gossip/core/snapshot.ts'
import type { Snapshot } from '../../../lib/gossip/core/snapshot.ts'
import type { Action, GossipCore, Signer, Version } from '../../../lib/gossip/core/types.ts'
import { RESTORED } from '../../../lib/gossip/core/types.ts'
import { encodeFrame } from '../../../lib/gossip/core/wire.ts'
import { Mesh, core, outsider, publisherA, publisherB, rec } from './helpers.ts'

const NOW = 1_000_000

function snap(s: Signer, version: Version, records: Snapshot['records']): Snapshot {
  return {
    publisher: s.publicKey,
    version,
    records,
    signature: s.sign(signedMessage(s.publicKey, version, records)),
  }
}
const full = (s: Snapshot): Uint8Array => encodeFrame({ kind: 'full', snapshot: s })
const drops = (acts: Action[]): Action[] => acts.filter((a) => a.type === 'dropped')

const old = snap(publisherA, { wallMs: NOW - 2000, counter: 0 }, [rec('api.example', ['10.0.0.1'])])
const newer = snap(publisherA, { wallMs: NOW - 1000, counter: 0 }, [rec('api.example', ['10.0.0.2'])])

test('restore: the frames a core persists restore the same replica in a fresh core', () => {
  const first = core({ self: 'agent' })
  first.step(NOW, { type: 'restore', bytes: full(newer) })
  first.step(NOW, { type: 'restore', bytes: full(snap(publisherB, { wallMs: 5, counter: 1 }, [])) })
  const frames = first.snapshotFrames()
  assert.equal(frames.length, 2)
  const second = core({ self: 'agent' })
  for (const bytes of frames) assert.deepEqual(drops(second.step(NOW, { type: 'restore', bytes })), [])
  assert.deepEqual(second.replica(), first.replica())
  assert.equal(second.snapshotFrames().length, 2)
})

test('restore: an isolated restarted node keeps its newer snapshot when a peer offers an older one', () => {
  const c = core({ self: 'agent' })
  const acts = c.step(NOW, { type: 'restore', bytes: full(newer) })
  assert.ok(acts.some((a) => a.type === 'replica-changed'))
  c.step(NOW, { type: 'peer-up', peer: 'lagging', addrs: [] })
  const fromPeer = c.step(NOW + 1, { type: 'message', from: 'lagging', bytes: full(old) })
  assert.deepEqual(drops(fromPeer), [{ type: 'dropped', reason: 'stale', from: 'lagging' }])
  assert.equal(c.replica().publishers[0]?.version, `${NOW - 1000}.0`)
  assert.deepEqual(c.replica().records, newer.records)
  // What it persists next is still the newer snapshot.
  assert.deepEqual(c.snapshotFrames(), [full(newer)])
})

test('restore: a state file older than what the gossip already gave us changes nothing', () => {
  const c = core({ self: 'agent' })
  c.step(NOW, { type: 'restore', bytes: full(newer) })
  const acts = c.step(NOW, { type: 'restore', bytes: full(old) })
  assert.deepEqual(drops(acts), [{ type: 'dropped', reason: 'stale', from: RESTORED }])
  assert.deepEqual(c.replica().records, newer.records)
})

const refused: { name: string; bytes: () => Uint8Array; reason: string }[] = [
  {
    name: 'records tampered under the signature',
    bytes: () => full({ ...newer, records: [rec('api.example', ['6.6.6.6'])] }),
    reason: 'bad-signature',
  },
  {
    name: 'a snapshot of a key no longer trusted',
    bytes: () => full(snap(outsider, newer.version, newer.records)),
    reason: 'untrusted-publisher',
  },
  { name: 'a truncated frame', bytes: () => full(newer).subarray(0, 60), reason: 'truncated' },
  {
    name: 'a frame that is not a snapshot',
    bytes: () => encodeFrame({ kind: 'want', publishers: [publisherA.publicKey] }),
    reason: 'malformed',
  },
  {
    name: 'a signed name with a newline',
    bytes: () =>
      full(snap(publisherA, newer.version, [rec('x.example\n6.6.6.7 api.openai.com', ['10.0.0.1'])])),
    reason: 'invalid-name',
  },
  {
    name: 'a signed value with a newline',
    bytes: () => full(snap(publisherA, newer.version, [rec('x.example', ['10.0.0.1\n6.6.6.7 evil'])])),
    reason: 'invalid-value',
  },
  {
    name: 'a version too far ahead of our clock',
    bytes: () =>
      full(snap(publisherA, { wallMs: NOW + GOSSIP_DEFAULTS.maxVersionSkewMs + 1, counter: 0 }, [])),
    reason: 'too-far-ahead',
  },
]

for (const c of refused)
  test(`restore: ${c.name} is refused (${c.reason}); nothing is served`, () => {
    const node = core({ self: 'agent' })
    const acts = node.step(NOW, { type: 'restore', bytes: c.bytes() })
    assert.deepEqual(drops(acts), [{ type: 'dropped', reason: c.reason, from: RESTORED }])
    assert.ok(!acts.some((a) => a.type === 'replica-changed'))
    assert.deepEqual(node.replica().publishers, [])
    assert.deepEqual(node.snapshotFrames(), [])
  })

test('skew: a far-future version signed with the publisher key is refused and publishing continues', () => {
  const m = new Mesh()
  m.now = NOW
  const controller = core({ self: 'controller', signer: publisherA })
  m.add(controller, 'controller').add(core({ self: 'agent' }), 'agent')
  m.connect('agent', 'controller')
  m.input('controller', { type: 'publish', records: [rec('api.example', ['10.0.0.1'])] })
  const max = { wallMs: Number.MAX_SAFE_INTEGER, counter: Number.MAX_SAFE_INTEGER }
  const forged = full(snap(publisherA, max, [rec('api.example', ['6.6.6.6'])]))
  m.cores.set('evil', core({ self: 'evil' }))
  for (const victim of ['agent', 'controller']) {
    m.cores.get(victim)?.step(m.now, { type: 'peer-up', peer: 'evil', addrs: [] })
    const acts = m.input(victim, { type: 'message', from: 'evil', bytes: forged })
    assert.deepEqual(drops(acts), [{ type: 'dropped', reason: 'too-far-ahead', from: 'evil' }], victim)
  }
  m.now += 1000
  const acts = m.input('controller', { type: 'publish', records: [rec('api.example', ['10.0.0.2'])] })
  assert.ok(acts.some((a) => a.type === 'published'))
  assert.deepEqual(m.cores.get('agent')?.replica().records, [rec('api.example', ['10.0.0.2'])])
})

test('skew: a digest entry too far ahead is not pulled (no want, no full answer to drop)', () => {
  const c = core({ self: 'agent' })
  c.step(NOW, { type: 'peer-up', peer: 'evil', addrs: [] })
  const version = { wallMs: NOW + GOSSIP_DEFAULTS.maxVersionSkewMs + 1, counter: 0 }
  const digest = encodeFrame({
    kind: 'digest',
    entries: [{ publisher: publisherA.publicKey, ref: { version, sigPrefix: new Uint8Array(8) } }],
  })
  const acts = c.step(NOW, { type: 'message', from: 'evil', bytes: digest })
  assert.deepEqual(acts, [])
})

/** A node of an earlier release that took the far-future snapshot: a skew bound as large as time. */
function bricked(trusted: readonly Signer[]): GossipCore {
  const c = core({
    self: 'old-agent',
    config: { ...GOSSIP_DEFAULTS, maxVersionSkewMs: Number.MAX_SAFE_INTEGER },
    trustedPublishers: trusted.map((s) => s.publicKey),
  })
  const max = { wallMs: Number.MAX_SAFE_INTEGER, counter: Number.MAX_SAFE_INTEGER }
  c.step(NOW, { type: 'restore', bytes: full(snap(publisherA, max, [rec('api.example', ['6.6.6.6'])])) })
  return c
}

test('skew: a publisher whose key holds the largest version still publishes (saturates, no throw)', () => {
  const controller = core({
    self: 'controller',
    signer: publisherA,
    config: { ...GOSSIP_DEFAULTS, maxVersionSkewMs: Number.MAX_SAFE_INTEGER },
    lastPublished: { wallMs: Number.MAX_SAFE_INTEGER, counter: Number.MAX_SAFE_INTEGER },
  })
  const acts = controller.step(NOW, { type: 'publish', records: [rec('api.example', ['10.0.0.1'])] })
  const p = acts.find((a) => a.type === 'published')
  assert.deepEqual(p?.type === 'published' && p.version, {
    wallMs: Number.MAX_SAFE_INTEGER,
    counter: Number.MAX_SAFE_INTEGER,
  })
})

test('recovery (operations.md): rotating the publisher key gets past a saturated version', () => {
  // Step 1-2: agents trust the old and the new key; the controller signs with the new one.
  const during = bricked([publisherA, publisherB])
  const next = core({ self: 'controller', signer: publisherB })
  const m = new Mesh().add(during, 'agent').add(next, 'controller')
  m.now = NOW
  m.connect('agent', 'controller')
  m.input('controller', { type: 'publish', records: [rec('api.example', ['10.0.0.7'])] })
  assert.deepEqual(during.replica().publishers.length, 2)
  // Step 3: the old key is no longer trusted; restarted agents drop its persisted snapshot.
  const after = core({ self: 'agent', trustedPublishers: [publisherB.publicKey] })
  const outcomes = during.snapshotFrames().map((bytes) => drops(after.step(NOW, { type: 'restore', bytes })))
  assert.deepEqual(
    outcomes.flat().map((a) => a.type === 'dropped' && a.reason),
    ['untrusted-publisher'],
  )
  assert.deepEqual(after.replica().records, [rec('api.example', ['10.0.0.7'])])
})
