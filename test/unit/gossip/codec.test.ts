import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Reader, Writer } from '../../../lib/gossip/core/bytes.ts'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import { signedMessage } from '../../../lib/gossip/core/snapshot.ts'
import { Kind, WIRE_VERSION, decodeFrame, encodeFrame } from '../../../lib/gossip/core/wire.ts'
import type { Frame } from '../../../lib/gossip/core/wire.ts'
import { seededRng } from '../../../lib/util/random.ts'
import { publisherA, rec } from './helpers.ts'

const pub = publisherA.publicKey
const sig = new Uint8Array(64).fill(7)
const version = { wallMs: 1_763_700_000_123, counter: 4 }
const records = [rec('a.example', ['10.0.0.1', '10.0.0.2']), rec('b.example', ['fd00::1'], 'AAAA')]

const frames: { name: string; frame: Frame }[] = [
  { name: 'hello', frame: { kind: 'hello', addrs: ['/ip4/10.0.0.1/tcp/3999/p2p/12D3KooWabc'] } },
  { name: 'empty hello', frame: { kind: 'hello', addrs: [] } },
  { name: 'peers', frame: { kind: 'peers', addrs: ['a', 'b', 'é-utf8'] } },
  { name: 'empty digest', frame: { kind: 'digest', entries: [] } },
  {
    name: 'digest',
    frame: { kind: 'digest', entries: [{ publisher: pub, ref: { version, sigPrefix: sig.slice(0, 8) } }] },
  },
  { name: 'want', frame: { kind: 'want', publishers: [pub] } },
  { name: 'full', frame: { kind: 'full', snapshot: { publisher: pub, version, records, signature: sig } } },
  {
    name: 'full, no records',
    frame: { kind: 'full', snapshot: { publisher: pub, version, records: [], signature: sig } },
  },
  {
    name: 'delta',
    frame: {
      kind: 'delta',
      delta: {
        publisher: pub,
        base: { version: { wallMs: 5, counter: 0 }, sigPrefix: sig.slice(0, 8) },
        version,
        removed: [{ name: 'c.example', type: 'CNAME' }],
        upserted: records,
        signature: sig,
      },
    },
  },
]

for (const c of frames) {
  test(`codec round-trips a ${c.name} frame`, () => {
    const bytes = encodeFrame(c.frame)
    assert.equal(bytes[0], WIRE_VERSION)
    const d = decodeFrame(bytes)
    assert.ok(d.ok, `decode failed: ${d.ok ? '' : d.reason}`)
    assert.deepEqual(d.value, c.frame)
    assert.deepEqual(encodeFrame(d.value), bytes, 'canonical: re-encoding gives the same bytes')
  })
}

test('varints round-trip up to 2^53 - 1 and refuse non-minimal or oversized forms', () => {
  for (const v of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
    const r = new Reader(new Writer().varint(v).finish())
    assert.equal(r.varint(), v)
    assert.equal(r.error, undefined)
  }
  const nonMinimal = new Reader(Uint8Array.of(0x80, 0x00))
  nonMinimal.varint()
  assert.equal(nonMinimal.error, 'malformed')
  const tooBig = new Reader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))
  tooBig.varint()
  assert.equal(tooBig.error, 'malformed')
})

const bad: {
  name: string
  bytes: () => Uint8Array
  reason: string
  limits?: Partial<typeof GOSSIP_DEFAULTS>
}[] = [
  { name: 'empty input', bytes: () => new Uint8Array(0), reason: 'truncated' },
  {
    name: 'another wire version',
    bytes: () => Uint8Array.of(2, Kind.Hello, 0),
    reason: 'unsupported-wire-version',
  },
  { name: 'an unknown kind', bytes: () => Uint8Array.of(WIRE_VERSION, 200), reason: 'unknown-kind' },
  {
    name: 'trailing bytes',
    bytes: () => Uint8Array.of(WIRE_VERSION, Kind.Hello, 0, 0),
    reason: 'trailing-bytes',
  },
  {
    name: 'a count beyond the frame',
    bytes: () => Uint8Array.of(WIRE_VERSION, Kind.Hello, 20),
    reason: 'truncated',
  },
  {
    name: 'invalid UTF-8',
    bytes: () => Uint8Array.of(WIRE_VERSION, Kind.Hello, 1, 2, 0xc3, 0x28),
    reason: 'malformed',
  },
  {
    name: 'a frame over maxFrameBytes',
    bytes: () => new Uint8Array(GOSSIP_DEFAULTS.maxFrameBytes + 1),
    reason: 'frame-too-large',
  },
  {
    name: 'more records than maxRecordsPerSnapshot',
    bytes: () => encodeFrame(frames[6]!.frame),
    reason: 'too-many-records',
    limits: { maxRecordsPerSnapshot: 1 },
  },
  {
    name: 'more publishers than maxPublishers',
    bytes: () => encodeFrame({ kind: 'want', publishers: [pub, pub] }),
    reason: 'too-many-publishers',
    limits: { maxPublishers: 1 },
  },
  {
    name: 'a name over maxNameBytes',
    bytes: () => encodeFrame(frames[6]!.frame),
    reason: 'name-too-long',
    limits: { maxNameBytes: 4 },
  },
  {
    name: 'more values than maxValuesPerRecord',
    bytes: () => encodeFrame(frames[6]!.frame),
    reason: 'too-many-values',
    limits: { maxValuesPerRecord: 1 },
  },
  {
    name: 'more addresses than maxAddrsPerFrame',
    bytes: () => encodeFrame({ kind: 'peers', addrs: ['a', 'b'] }),
    reason: 'too-many-addrs',
    limits: { maxAddrsPerFrame: 1 },
  },
  {
    name: 'records out of canonical order',
    bytes: () =>
      encodeFrame({
        kind: 'full',
        snapshot: { publisher: pub, version, records: [...records].reverse(), signature: sig },
      }),
    reason: 'invalid-record',
  },
  {
    name: 'duplicate values',
    bytes: () =>
      encodeFrame({
        kind: 'full',
        snapshot: { publisher: pub, version, records: [rec('a', ['10.0.0.1', '10.0.0.1'])], signature: sig },
      }),
    reason: 'invalid-record',
  },
]

for (const c of bad) {
  test(`decodeFrame drops ${c.name} as ${c.reason}`, () => {
    const d = decodeFrame(c.bytes(), { ...GOSSIP_DEFAULTS, ...c.limits })
    assert.deepEqual(d, { ok: false, reason: c.reason })
  })
}

test('seeded fuzz: random, truncated and bit-flipped frames never throw', () => {
  const seed = Number(process.env['FUZZ_SEED'] ?? 20261121)
  console.log(`fuzz seed ${seed} (FUZZ_SEED=${seed} replays)`)
  const rng = seededRng(seed)
  const valid = frames.map((f) => encodeFrame(f.frame))
  let decoded = 0
  for (let i = 0; i < 20_000; i++) {
    let bytes: Uint8Array
    const base = valid[rng.int(valid.length)] as Uint8Array
    switch (i % 3) {
      case 0:
        bytes = Uint8Array.from({ length: rng.int(200) }, () => rng.int(256))
        if (bytes.length > 0 && rng.float() < 0.5) bytes[0] = WIRE_VERSION
        if (bytes.length > 1 && rng.float() < 0.5) bytes[1] = 1 + rng.int(6)
        break
      case 1:
        bytes = base.slice(0, rng.int(base.length))
        break
      default:
        bytes = base.slice()
        for (let k = 0; k < 1 + rng.int(4); k++) {
          const at = rng.int(bytes.length)
          bytes[at] = (bytes[at] as number) ^ (1 << rng.int(8))
        }
    }
    const d = decodeFrame(bytes)
    if (d.ok) decoded++
    else assert.equal(typeof d.reason, 'string')
  }
  // Every strict prefix of a valid frame is refused.
  for (const v of valid) for (let n = 0; n < v.length; n++) assert.equal(decodeFrame(v.slice(0, n)).ok, false)
  assert.ok(decoded < 20_000)
})

test('the signed message binds publisher, version and every record field', () => {
  const base = signedMessage(pub, version, records)
  const variants = [
    signedMessage(new Uint8Array(32), version, records),
    signedMessage(pub, { ...version, counter: 5 }, records),
    signedMessage(pub, version, [records[0]!]),
    signedMessage(pub, version, [{ ...records[0]!, ttlSeconds: 61 }, records[1]!]),
    signedMessage(pub, version, [{ ...records[0]!, values: ['10.0.0.1'] }, records[1]!]),
  ]
  for (const v of variants) assert.notDeepEqual(v, base)
})
