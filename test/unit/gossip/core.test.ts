import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Action } from '../../../lib/gossip/core/types.ts'
import { Mesh, core, publisherA, rec, sentKind } from './helpers.ts'

const sentKinds = (log: Mesh['log'], from: string): string[] =>
  log.filter((l) => l.from === from).flatMap((l) => sentKind(l.action) ?? [])

/** a (publisher) — b — c in a line. */
function line(): Mesh {
  const m = new Mesh()
  m.add(core({ self: 'a', signer: publisherA }), 'a')
  m.add(core({ self: 'b' }), 'b')
  m.add(core({ self: 'c' }), 'c')
  m.connect('b', 'a')
  m.connect('c', 'b')
  return m
}

test('publish: signs a new version and it spreads epidemically (forwarded by each receiver)', () => {
  const m = line()
  const acts = m.input('a', { type: 'publish', records: [rec('api.example', ['10.0.0.1'])] })
  const published = acts.find((a) => a.type === 'published')
  assert.ok(published && published.type === 'published')
  assert.equal(published.version.wallMs, m.now)
  for (const id of ['a', 'b', 'c']) {
    const v = m.cores.get(id)?.replica()
    assert.deepEqual(v?.records, [rec('api.example', ['10.0.0.1'])], id)
    assert.equal(v?.publishers[0]?.version, published.printable.version, id)
  }
})

test('publish: the next version travels as a delta, and receivers rebuild the same whole', () => {
  const m = line()
  m.input('a', {
    type: 'publish',
    records: [rec('api.example', ['10.0.0.1']), rec('old.example', ['10.0.0.5'])],
  })
  m.now += 1000
  m.log.length = 0
  m.input('a', {
    type: 'publish',
    records: [rec('api.example', ['10.0.0.2']), rec('new.example', ['10.0.0.9'])],
  })
  const snapshots = (id: string): string[] =>
    sentKinds(m.log, id).filter((k) => k === 'full' || k === 'delta')
  assert.deepEqual(snapshots('a'), ['delta'])
  assert.deepEqual(snapshots('b'), ['delta'])
  for (const id of ['b', 'c']) assert.deepEqual(m.cores.get(id)?.replica(), m.cores.get('a')?.replica())
})

test('publish: records are canonicalised (sorted, values de-duplicated) before signing', () => {
  const m = line()
  m.input('a', {
    type: 'publish',
    records: [rec('z.example', ['10.0.0.2', '10.0.0.1', '10.0.0.2']), rec('a.example', ['10.0.0.1'])],
  })
  assert.deepEqual(m.cores.get('c')?.replica().records, [
    rec('a.example', ['10.0.0.1']),
    rec('z.example', ['10.0.0.1', '10.0.0.2']),
  ])
})

test('publish: a record set breaking a limit is refused with a local drop, nothing is sent', () => {
  const m = line()
  const acts = m.input('a', {
    type: 'publish',
    records: [rec('a.example', ['10.0.0.1']), rec('a.example', ['10.0.0.2'])],
  })
  assert.deepEqual(acts, [{ type: 'publish-rejected', reason: 'invalid-record' }])
  const big = Array.from({ length: 10_001 }, (_, i) => rec(`n${i}`, ['10.0.0.1']))
  assert.deepEqual(m.input('a', { type: 'publish', records: big }), [
    { type: 'publish-rejected', reason: 'too-many-records' },
  ])
})

test('publish without a signer is a programming error', () => {
  assert.throws(() => core({ self: 'x' }).step(0, { type: 'publish', records: [] }), /without a signer/)
})

test('anti-entropy: a node that missed a version gets it from the next digest exchange', () => {
  const m = new Mesh()
  m.add(core({ self: 'a', signer: publisherA }), 'a')
  m.add(core({ self: 'b' }), 'b')
  m.input('a', { type: 'publish', records: [rec('api.example', ['10.0.0.1'])] })
  // b connects later, as the listening side: it does not open with a digest, a's sync timer does.
  m.input('a', { type: 'peer-up', peer: 'b', addrs: [] })
  m.input('b', { type: 'peer-up', peer: 'a', addrs: [] })
  assert.equal(m.cores.get('b')?.replica().records.length, 0)
  m.advance(2_000)
  assert.deepEqual(m.cores.get('b')?.replica(), m.cores.get('a')?.replica())
})

test('anti-entropy pulls in both directions: a digest from an older peer gets a push, from a newer one a want', () => {
  const m = new Mesh()
  m.add(core({ self: 'a', signer: publisherA }), 'a')
  m.add(core({ self: 'b' }), 'b')
  m.connect('b', 'a')
  m.input('a', { type: 'publish', records: [rec('x', ['10.0.0.1'])] })
  // b, which is now up to date, hears a digest claiming nothing: it pushes the full snapshot back.
  const c = core({ self: 'c' })
  c.step(m.now, { type: 'peer-up', peer: 'b', addrs: [] })
  const stale = m.cores.get('b') as ReturnType<typeof core>
  const acts: Action[] = stale.step(m.now, { type: 'peer-up', peer: 'c', addrs: [], dialed: 'addr/c' })
  assert.ok(acts.some((a) => a.type === 'send' && a.to === 'c' && sentKind(a) === 'digest'))
})

test('restart: a publisher resumes above its persisted version even when its clock is behind', () => {
  const c = core({ self: 'a', signer: publisherA, lastPublished: { wallMs: 5_000, counter: 2 } })
  const acts = c.step(1_000, { type: 'publish', records: [rec('x', ['10.0.0.1'])] })
  const p = acts.find((a) => a.type === 'published')
  assert.deepEqual(p?.type === 'published' && p.version, { wallMs: 5_000, counter: 3 })
})

test('restart: a publisher that sees a newer snapshot of its own key re-asserts its records above it', () => {
  const m = new Mesh()
  const oldRun = core({ self: 'old', signer: publisherA })
  m.add(oldRun, 'old')
  m.add(core({ self: 'b' }), 'b')
  m.connect('b', 'old')
  m.now = 10_000
  m.input('old', { type: 'publish', records: [rec('stale.example', ['10.0.0.1'])] })
  m.cores.delete('old') // the old run exits
  // A new run whose clock is 9 s behind publishes first, then learns about the old run's snapshot.
  const fresh = core({ self: 'new', signer: publisherA })
  m.add(fresh, 'new')
  m.now = 1_000
  m.input('new', { type: 'publish', records: [rec('fresh.example', ['10.0.0.2'])] })
  m.connect('new', 'b')
  for (const id of ['new', 'b'])
    assert.deepEqual(m.cores.get(id)?.replica().records, [rec('fresh.example', ['10.0.0.2'])], id)
  assert.equal(fresh.replica().publishers[0]?.version, '10000.1')
  const reasserts = m.log.filter((l) => l.action.type === 'published' && l.action.reassert === true)
  assert.equal(reasserts.length, 1)
})

test('two live publishers with one key (overlapping leaders) settle without ping-pong', () => {
  const m = new Mesh()
  m.add(core({ self: 'l1', signer: publisherA }), 'l1')
  m.add(core({ self: 'l2', signer: publisherA }), 'l2')
  m.add(core({ self: 'b' }), 'b')
  m.connect('b', 'l1')
  m.input('l1', { type: 'publish', records: [rec('one.example', ['10.0.0.1'])] })
  m.input('l2', { type: 'publish', records: [rec('two.example', ['10.0.0.2'])] })
  m.log.length = 0
  m.connect('l2', 'b')
  m.advance(5_000)
  const published = m.log.filter((l) => l.action.type === 'published').length
  assert.ok(published <= 2, `re-asserted ${published} times`)
  const views = ['l1', 'l2', 'b'].map((id) => m.cores.get(id)?.replica())
  assert.deepEqual(views[0], views[1])
  assert.deepEqual(views[1], views[2])
})
