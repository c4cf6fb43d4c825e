import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import { configProblems } from '../../../lib/gossip/core/config.ts'
import type { Action, GossipCore } from '../../../lib/gossip/core/types.ts'
import { decodeFrame, encodeFrame } from '../../../lib/gossip/core/wire.ts'
import { core, sentKind } from './helpers.ts'

const dials = (acts: readonly Action[]): string[] => acts.flatMap((a) => (a.type === 'dial' ? [a.addr] : []))

/** Runs the core's timers from `from` to `to`, collecting actions. */
function runTimers(
  c: GossipCore,
  from: number,
  to: number,
  onActions?: (now: number, a: Action[]) => void,
): Action[] {
  const all: Action[] = []
  let now = from
  for (let n = 0; n < 100_000; n++) {
    const d = c.nextDeadline()
    if (d === undefined || d > to) break
    now = Math.max(now, d)
    const acts = c.step(now, { type: 'timer' })
    onActions?.(now, acts)
    all.push(...acts)
  }
  return all
}

test('an isolated node dials its seeds, at most maxConcurrentDials at once', () => {
  const c = core({ self: 'n', seeds: ['s1', 's2', 's3'] })
  const acts = c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  assert.equal(dials(acts).length, GOSSIP_DEFAULTS.maxConcurrentDials)
})

/** Fails every dial at once (the seed is not up); returns the times of the attempts. */
function failingDials(c: GossipCore, from: number, to: number): number[] {
  const attempts: number[] = []
  const onActions = (now: number, acts: Action[]): void => {
    for (const addr of dials(acts)) {
      attempts.push(now)
      onActions(now + 1, c.step(now + 1, { type: 'dial-failed', addr }))
    }
  }
  onActions(from, c.step(from, { type: 'timer' }))
  runTimers(c, from, to, onActions)
  return attempts
}

test('with no peer, a seed is retried forever, at most isolatedSeedRetryCapMs apart (jittered)', () => {
  const c = core({ self: 'n', seeds: ['s1'] })
  const attempts = failingDials(c, 0, 10 * 60_000)
  const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number))
  const cap = GOSSIP_DEFAULTS.isolatedSeedRetryCapMs
  assert.ok(Math.max(...gaps) <= cap + 1, `longest gap ${Math.max(...gaps)} ms`)
  assert.ok(gaps.length > 10 * 60 && new Set(gaps).size > 10, 'many attempts, with jitter')
})

test('with a peer, seeds back off to dialBackoffCapMs; losing the last peer brings them back within the isolated cap', () => {
  const c = core({ self: 'n', seeds: ['s1'] })
  c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  c.step(0, { type: 'peer-up', peer: 'p', addrs: [] })
  // Keep the seed worth dialling: the only peer does not announce any address.
  const attempts = failingDials(c, 0, 10 * 60_000)
  const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] as number))
  assert.ok(
    Math.max(...gaps) > 10_000,
    `seed retried every ${Math.max(...gaps)} ms or less while we had a peer`,
  )
  const t = 10 * 60_000
  c.step(t, { type: 'peer-down', peer: 'p' })
  const next = failingDials(c, t, t + 60_000)[0] ?? Infinity
  assert.ok(
    next - t <= GOSSIP_DEFAULTS.isolatedSeedRetryCapMs,
    `first seed dial ${next - t} ms after isolation`,
  )
})

test('a learned address is forgotten after maxDialFailures failures; the node never dials itself', () => {
  const c = core({ self: 'n' })
  const tried: string[] = []
  const fail = (now: number, acts: Action[]): void => {
    for (const addr of dials(acts)) {
      tried.push(addr)
      fail(now, c.step(now, { type: 'dial-failed', addr }))
    }
  }
  fail(0, c.step(0, { type: 'listen-addrs', addrs: ['me'] }))
  fail(0, c.step(0, { type: 'peer-up', peer: 'p', addrs: [] }))
  fail(
    0,
    c.step(0, { type: 'message', from: 'p', bytes: encodeFrame({ kind: 'peers', addrs: ['gone', 'me'] }) }),
  )
  fail(0, c.step(0, { type: 'peer-down', peer: 'p' }))
  runTimers(c, 0, 5 * 60_000, fail)
  assert.ok(!tried.includes('me'))
  assert.equal(tried.filter((a) => a === 'gone').length, GOSSIP_DEFAULTS.maxDialFailures)
  assert.equal(c.stats().passiveAddrs, 0)
})

test('dialling ourselves through a seed (self-dial): never dial that address again', () => {
  const c = core({ self: 'n', seeds: ['alias-of-me'] })
  assert.deepEqual(dials(c.step(0, { type: 'timer' })), ['alias-of-me'])
  const acts = c.step(1, { type: 'self-dial', addr: 'alias-of-me' })
  assert.deepEqual(dials(acts), [])
  assert.equal(c.stats().dialsInFlight, 0)
  const later = runTimers(c, 1, 120_000)
  assert.deepEqual(dials(later), [])
})

test('a transport that reports our own id as a peer: hang up, and never dial that address again', () => {
  const c = core({ self: 'n', seeds: ['alias-of-me'] })
  c.step(0, { type: 'timer' })
  const acts = c.step(1, { type: 'peer-up', peer: 'n', addrs: [], dialed: 'alias-of-me' })
  assert.deepEqual(
    acts.filter((a) => a.type === 'hang-up'),
    [{ type: 'hang-up', peer: 'n' }],
  )
  assert.deepEqual(c.peers(), [])
  const later = runTimers(c, 1, 120_000)
  assert.deepEqual(dials(later), [])
})

test('a full node accepts a newcomer and evicts a random peer, telling it where else to go', () => {
  const c = core({ self: 'n' })
  c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  for (let i = 0; i < GOSSIP_DEFAULTS.activeViewMax; i++)
    c.step(0, { type: 'peer-up', peer: `p${i}`, addrs: [] })
  const acts = c.step(1, { type: 'peer-up', peer: 'new', addrs: [] })
  const hangUps = acts.filter((a) => a.type === 'hang-up')
  assert.equal(hangUps.length, 1)
  const victim = (hangUps[0] as { peer: string }).peer
  assert.notEqual(victim, 'new')
  const toVictim = acts.find((a) => a.type === 'send' && a.to === victim)
  assert.ok(toVictim?.type === 'send' && sentKind(toVictim) === 'peers')
  const d = decodeFrame(toVictim.bytes)
  assert.ok(d.ok && d.value.kind === 'peers' && d.value.addrs.includes('me'))
  assert.equal(c.peers().length, GOSSIP_DEFAULTS.activeViewMax)
})

test('every sync interval the node sends one digest to one peer', () => {
  const c = core({ self: 'n' })
  c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  for (let i = 0; i < 5; i++) c.step(0, { type: 'peer-up', peer: `p${i}`, addrs: [] })
  const acts = runTimers(c, 0, 10_000)
  const digests = acts.filter((a) => sentKind(a) === 'digest').length
  assert.ok(digests >= 9 && digests <= 12, `${digests} digests in 10 s`)
})

test('config: defaults are valid, and bad values are named', () => {
  assert.deepEqual(configProblems(GOSSIP_DEFAULTS), [])
  const p = configProblems({ ...GOSSIP_DEFAULTS, fanout: 0, activeViewMax: 2, syncIntervalMs: 1.5 })
  assert.ok(p.some((x) => x.startsWith('fanout:')))
  assert.ok(p.some((x) => x.startsWith('activeViewMax:')))
  assert.ok(p.some((x) => x.startsWith('syncIntervalMs:')))
})

test('config: createGossipCore refuses an invalid config or malformed keys (a programming error)', () => {
  assert.throws(() => core({ self: 'x', config: { ...GOSSIP_DEFAULTS, fanout: 0 } }), /fanout/)
  assert.throws(() => core({ self: 'x', trustedPublishers: [new Uint8Array(31)] }), /32 raw bytes/)
})

test('a wall clock stepped back an hour does not stall digests or dials', () => {
  const c = core({ self: 'n', seeds: ['s1'] })
  c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  c.step(0, { type: 'peer-up', peer: 'p', addrs: [] })
  const hour = 3_600_000
  runTimers(c, 0, hour)
  const back = 10 // the clock jumps from one hour to 10 ms
  c.step(back, { type: 'timer' })
  const acts = runTimers(c, back, back + 3_000)
  assert.ok(acts.filter((a) => sentKind(a) === 'digest').length >= 2)
  assert.ok((c.nextDeadline() as number) < back + 3_000 + GOSSIP_DEFAULTS.rotateIntervalMs)
})

test('peers dialling a full node evict each other, never the peers it dialled itself (anchors)', () => {
  const c = core({ self: 'n' })
  c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  c.step(0, { type: 'peer-up', peer: 'seed', addrs: [] })
  c.step(0, { type: 'message', from: 'seed', bytes: encodeFrame({ kind: 'hello', addrs: ['a1', 'a2'] }) })
  c.step(0, { type: 'message', from: 'seed', bytes: encodeFrame({ kind: 'peers', addrs: ['h1', 'h2'] }) })
  for (const peer of ['h1', 'h2']) c.step(1, { type: 'peer-up', peer, addrs: [], dialed: peer })
  for (let i = 0; i < 200; i++) c.step(2 + i, { type: 'peer-up', peer: `sybil${i}`, addrs: [] })
  const peers = c.peers()
  assert.ok(peers.includes('h1') && peers.includes('h2'), `anchors evicted: ${peers.join(' ')}`)
  assert.equal(peers.length, GOSSIP_DEFAULTS.activeViewMax)
})

test('a view full of peers that dialled us still dials out to an address it reached before', () => {
  const c = core({ self: 'n' })
  c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  c.step(0, { type: 'peer-up', peer: 'x', addrs: [] })
  c.step(0, { type: 'message', from: 'x', bytes: encodeFrame({ kind: 'peers', addrs: ['h1'] }) })
  c.step(0, { type: 'peer-up', peer: 'h1', addrs: [], dialed: 'h1' })
  c.step(1, { type: 'peer-down', peer: 'h1' })
  c.step(1, { type: 'peer-down', peer: 'x' })
  for (let i = 0; i < GOSSIP_DEFAULTS.activeViewMax; i++)
    c.step(2, { type: 'peer-up', peer: `sybil${i}`, addrs: [] })
  // Within 5 s: before the first rotation (15-45 s), which would also dial out.
  const acts = runTimers(c, 2, 5_000)
  assert.ok(dials(acts).includes('h1'), `dialled ${dials(acts).join(' ')}`)
})

test('a peer spamming addresses holds maxAddrsPerSource slots, gets dialled at the unreached rate, and is not relayed', () => {
  const c = core({ self: 'n' })
  c.step(0, { type: 'listen-addrs', addrs: ['me'] })
  c.step(0, { type: 'peer-up', peer: 'honest', addrs: [], dialed: 'honest-addr' })
  c.step(0, { type: 'message', from: 'honest', bytes: encodeFrame({ kind: 'peers', addrs: ['h1', 'h2'] }) })
  c.step(0, { type: 'peer-up', peer: 'spammer', addrs: [] })
  let n = 0
  const fakeDials: number[] = []
  const relayed = new Set<string>()
  const collect = (now: number, acts: readonly Action[]): void => {
    for (const a of acts) {
      if (a.type === 'dial' && a.addr.startsWith('fake')) fakeDials.push(now)
      if (a.type === 'dial') c.step(now, { type: 'dial-failed', addr: a.addr })
      if (a.type === 'send' && sentKind(a) === 'peers') {
        const d = decodeFrame(a.bytes)
        if (d.ok && d.value.kind === 'peers') for (const x of d.value.addrs) relayed.add(x)
      }
    }
  }
  for (let t = 0; t < 60_000; t += 10) {
    const addrs = Array.from({ length: 32 }, () => `fake${n++}`)
    collect(t, c.step(t, { type: 'message', from: 'spammer', bytes: encodeFrame({ kind: 'peers', addrs }) }))
    collect(t, c.step(t, { type: 'timer' }))
  }
  assert.ok(
    c.stats().passiveAddrs <= GOSSIP_DEFAULTS.maxAddrsPerSource + 2,
    `${c.stats().passiveAddrs} known`,
  )
  const limit = GOSSIP_DEFAULTS.unreachedDialsBurst + 60 * GOSSIP_DEFAULTS.unreachedDialsPerSec
  assert.ok(fakeDials.length <= limit, `${fakeDials.length} dials to made-up addresses in 60 s`)
  assert.ok(relayed.size > 0, 'no peer exchange happened')
  assert.deepEqual(
    [...relayed].filter((a) => a.startsWith('fake')),
    [],
  )
  assert.ok(relayed.has('honest-addr'), 'an address we reached is passed on')
})
