// Saving the replica: never inside the caller's turn (the gossip listener), one write at a time,
// later changes folded into one write of the newest snapshots, failures counted, flush waits.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { snapshotStore } from '../../../lib/agent/persist.ts'
import type { ReplicaSource } from '../../../lib/gossip/api.ts'
import { silentLogger } from '../../../lib/util/log.ts'

const EMPTY = { records: [], publishers: [] }

/** A write the test finishes (done) or fails, as a slow disk would. */
interface PendingWrite {
  readonly frames: readonly Uint8Array[]
  readonly done: () => void
  readonly fail: (e: Error) => void
}

/** A source whose signed snapshots the test sets, and a disk whose writes the test finishes. */
function rig(): {
  setFrames(f: readonly Uint8Array[]): void
  writes: PendingWrite[]
  source: ReplicaSource
  registry: Registry
} {
  let frames: readonly Uint8Array[] = []
  const writes: PendingWrite[] = []
  const source: ReplicaSource = {
    current: () => EMPTY,
    subscribe: () => () => {},
    signedSnapshots: () => frames,
  }
  return {
    setFrames: (f) => {
      frames = f
    },
    writes,
    source,
    registry: new Registry(),
  }
}

const turn = (): Promise<void> => new Promise((r) => setImmediate(r))

/** Waits up to 1,000 event-loop turns for `n` writes to have started. */
async function writesStarted(r: ReturnType<typeof rig>, n: number): Promise<void> {
  for (let i = 0; r.writes.length < n; i++) {
    if (i === 1000) throw new Error(`${r.writes.length} writes started, expected ${n}`)
    await turn()
  }
}

function store(r: ReturnType<typeof rig>): ReturnType<typeof snapshotStore> {
  return snapshotStore('/proc/no-such-state-dir', {
    source: r.source,
    log: silentLogger,
    registry: r.registry,
    write: (_dir, frames) =>
      new Promise<void>((done, fail) => {
        r.writes.push({ frames, done, fail })
      }),
  })
}

test('persist: save() returns before anything is written; the write comes after the turn', async () => {
  const r = rig()
  const s = store(r)
  const f1 = [new Uint8Array([1])]
  r.setFrames(f1)
  s.save()
  assert.equal(r.writes.length, 0, 'nothing written inside the caller (the gossip listener)')
  await turn()
  await turn()
  assert.equal(r.writes.length, 1)
  assert.equal(r.writes[0]?.frames, f1)
  r.writes[0]?.done()
  await s.flush()
})

test('persist: changes during a slow write fold into one more write of the newest frames', async () => {
  const r = rig()
  const s = store(r)
  const [f1, f2, f3] = [[new Uint8Array([1])], [new Uint8Array([2])], [new Uint8Array([3])]]
  r.setFrames(f1)
  s.save()
  await writesStarted(r, 1)
  r.setFrames(f2)
  s.save()
  r.setFrames(f3)
  s.save()
  await turn()
  assert.equal(r.writes.length, 1, 'one write at a time')
  let flushed = false
  const flushing = s.flush().then(() => {
    flushed = true
  })
  r.writes[0]?.done()
  await writesStarted(r, 2)
  assert.equal(r.writes[1]?.frames, f3, 'the newest frames, f2 skipped')
  assert.equal(flushed, false, 'flush waits for the folded write')
  r.writes[1]?.done()
  await flushing
  assert.equal(r.writes.length, 2)
  // Unchanged frames are not written again.
  s.save()
  await s.flush()
  assert.equal(r.writes.length, 2)
})

test('persist: a failed write is counted, logged and retried at the next save', async () => {
  const r = rig()
  const s = store(r)
  const f1 = [new Uint8Array([1])]
  r.setFrames(f1)
  s.save()
  await writesStarted(r, 1)
  r.writes[0]?.fail(new Error('ENOSPC'))
  await s.flush()
  const text = await r.registry.metrics()
  assert.match(text, /^dns_controller_agent_persist_errors_total 1$/m)
  s.save()
  await writesStarted(r, 2)
  assert.equal(r.writes[1]?.frames, f1, 'the same frames, since they never reached the disk')
  r.writes[1]?.done()
  await s.flush()
})
