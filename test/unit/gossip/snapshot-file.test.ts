// The state file container: exact round trip, and every damaged file refused as a whole.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { decodeSnapshotFile, encodeSnapshotFile, maxFileBytes } from '../../../lib/gossip/snapshot-file.ts'

const LIM = { maxFrames: 4, maxFrameBytes: 64 }
const frames = [Uint8Array.of(1, 3, 9, 9), new Uint8Array(64).fill(7), new Uint8Array(0)]

test('state file: frames round-trip exactly', () => {
  const d = decodeSnapshotFile(encodeSnapshotFile(frames), LIM)
  assert.deepEqual(d, { ok: true, frames })
  assert.deepEqual(decodeSnapshotFile(encodeSnapshotFile([]), LIM), { ok: true, frames: [] })
})

test('state file: every truncation is refused', () => {
  const bytes = encodeSnapshotFile(frames)
  for (let n = 0; n < bytes.length; n++) {
    const d = decodeSnapshotFile(bytes.subarray(0, n), LIM)
    assert.equal(d.ok, false, `cut at ${n}`)
  }
})

test('state file: every single flipped bit is refused', () => {
  const bytes = encodeSnapshotFile(frames)
  for (let i = 0; i < bytes.length; i++)
    for (let bit = 0; bit < 8; bit++) {
      const bad = Buffer.from(bytes)
      bad[i] = (bad[i] as number) ^ (1 << bit)
      assert.equal(decodeSnapshotFile(bad, LIM).ok, false, `byte ${i} bit ${bit}`)
    }
})

const cases: { name: string; bytes: () => Uint8Array; reason: string }[] = [
  { name: 'an empty file', bytes: () => new Uint8Array(0), reason: 'truncated' },
  {
    name: 'an old replica.json',
    bytes: () => Buffer.from('{"records":[],"publishers":[{"id":"ab","version":"1.0"}]}'),
    reason: 'not-a-state-file',
  },
  {
    name: 'a newer format',
    bytes: () => {
      const b = Buffer.from(encodeSnapshotFile(frames))
      b[8] = 2
      return b
    },
    reason: 'unsupported-format',
  },
  {
    name: 'a changed frame',
    bytes: () => {
      const b = Buffer.from(encodeSnapshotFile(frames))
      b[20] = 0xee
      return b
    },
    reason: 'bad-checksum',
  },
  { name: 'too many frames', bytes: () => encodeSnapshotFile([...frames, ...frames]), reason: 'too-large' },
  {
    name: 'a frame over the limit',
    bytes: () => encodeSnapshotFile([new Uint8Array(65)]),
    reason: 'malformed',
  },
  {
    name: 'a file over the size limit',
    bytes: () => new Uint8Array(maxFileBytes(LIM) + 1),
    reason: 'too-large',
  },
]

for (const c of cases)
  test(`state file: ${c.name} is refused as ${c.reason}`, () => {
    assert.deepEqual(decodeSnapshotFile(c.bytes(), LIM), { ok: false, reason: c.reason })
  })
