import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { ApiError } from '../../../lib/k8s/client.ts'
import type { KubeApi, Query, WatchEvent } from '../../../lib/k8s/client.ts'
import { ListWatch } from '../../../lib/k8s/list-watch.ts'
import type { Projection } from '../../../lib/k8s/list-watch.ts'
import { createK8sMetrics } from '../../../lib/k8s/metrics.ts'
import { seededRng } from '../../../lib/util/random.ts'
import { silentLogger } from '../../../lib/util/log.ts'

/** A scripted API: each list/watch call takes the next step; when steps run out, watches hang. */
type Step =
  | { list: { items: unknown[]; rv: string; continue?: string } }
  | { listError: Error }
  | { watch: WatchEvent[]; end: 'close' | Error }

function obj(name: string, value: string, rv = '1') {
  return { metadata: { name, namespace: 'ns', resourceVersion: rv }, value }
}

function fakeApi(steps: Step[]) {
  const calls: { kind: 'list' | 'watch'; query: Query }[] = []
  const api: KubeApi = {
    server: 'fake',
    send: () => Promise.reject(new Error('unused')),
    async get(_path, query) {
      calls.push({ kind: 'list', query: query ?? {} })
      const s = steps.shift()
      if (s === undefined || 'watch' in s) throw new Error(`unexpected list; next step ${JSON.stringify(s)}`)
      if ('listError' in s) throw s.listError
      return { items: s.list.items, metadata: { resourceVersion: s.list.rv, continue: s.list.continue } }
    },
    async watch(_path, query, onEvent, opts) {
      calls.push({ kind: 'watch', query })
      const s = steps.shift()
      if (s === undefined) {
        await new Promise((resolve) => opts.signal.addEventListener('abort', resolve, { once: true }))
        throw new Error('aborted')
      }
      if (!('watch' in s)) throw new Error(`unexpected watch; next step ${JSON.stringify(s)}`)
      for (const ev of s.watch) onEvent(ev)
      if (s.end !== 'close') throw s.end
    },
  }
  return { api, calls, done: () => steps.length === 0 }
}

type View = { value: string }
const projection: Projection<View> = {
  key: (o) => {
    const m = (o as { metadata?: { name?: string; namespace?: string } }).metadata
    return m?.name === undefined ? undefined : `${m.namespace}/${m.name}`
  },
  view: (o) =>
    (o as { value?: string }).value === 'skip' ? undefined : { value: (o as { value: string }).value },
  equal: (a, b) => a.value === b.value,
}

async function runUntilDone(steps: Step[]) {
  const f = fakeApi(steps)
  const log: string[] = []
  const lw = new ListWatch<View>(
    { kind: 'Thing', path: '/things', backoffBaseMs: 0, backoffCapMs: 0 },
    projection,
    {
      upsert: (k, v) => log.push(`upsert ${k}=${v.value}`),
      remove: (k) => log.push(`remove ${k}`),
      synced: () => log.push('synced'),
    },
    { api: f.api, log: silentLogger, metrics: createK8sMetrics(new Registry()), rng: seededRng(1) },
  )
  await lw.start()
  const deadline = Date.now() + 5000
  while (!f.done() && Date.now() < deadline) await new Promise((r) => setImmediate(r))
  await new Promise((r) => setImmediate(r))
  await lw.stop()
  assert.ok(f.done(), 'script not consumed')
  return { log, calls: f.calls, lw }
}

test('list-watch: pages the list, then watches from its resourceVersion', async () => {
  const { log, calls } = await runUntilDone([
    { list: { items: [obj('a', '1')], rv: '5', continue: 'tok' } },
    { list: { items: [obj('b', '2'), obj('c', 'skip')], rv: '6' } },
    {
      watch: [
        { type: 'MODIFIED', object: obj('a', '1', '7') },
        { type: 'ADDED', object: obj('d', '4', '8') },
      ],
      end: 'close',
    },
  ])
  assert.deepEqual(log, ['upsert ns/a=1', 'upsert ns/b=2', 'synced', 'upsert ns/d=4'])
  assert.equal(calls[1]?.query.continue, 'tok')
  assert.equal(calls[2]?.query.resourceVersion, '6')
  assert.equal(calls[3]?.query.resourceVersion, '8', 'after a normal close, resume from the last event')
})

test('list-watch: 410 Gone relists and removes keys that vanished meanwhile', async () => {
  const gone = { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired', message: 'too old' } }
  const { log } = await runUntilDone([
    { list: { items: [obj('a', '1'), obj('b', '2')], rv: '5' } },
    { watch: [gone], end: 'close' },
    { list: { items: [obj('a', '1'), obj('c', '3')], rv: '9' } },
  ])
  assert.deepEqual(log, [
    'upsert ns/a=1',
    'upsert ns/b=2',
    'synced',
    'remove ns/b',
    'upsert ns/c=3',
    'synced',
  ])
})

test('list-watch: every form of 410 Gone relists; other errors do not', async () => {
  const status = (code: number | undefined, reason: string) => ({
    type: 'ERROR',
    object: { kind: 'Status', ...(code === undefined ? {} : { code }), reason, message: 'm' },
  })
  const cases: { name: string; end: Step; relists: boolean }[] = [
    { name: 'watch ERROR 410', end: { watch: [status(410, 'Expired')], end: 'close' }, relists: true },
    {
      name: 'watch ERROR reason Expired, no code',
      end: { watch: [status(undefined, 'Expired')], end: 'close' },
      relists: true,
    },
    { name: 'watch ERROR reason Gone', end: { watch: [status(410, 'Gone')], end: 'close' }, relists: true },
    {
      name: 'watch request answered 410',
      end: { watch: [], end: new ApiError(410, 'Gone', 'm') },
      relists: true,
    },
    { name: 'watch ERROR 500', end: { watch: [status(500, 'InternalError')], end: 'close' }, relists: false },
    {
      name: 'watch request answered 403',
      end: { watch: [], end: new ApiError(403, 'Forbidden', 'm') },
      relists: false,
    },
  ]
  for (const c of cases) {
    const next: Step = c.relists ? { list: { items: [obj('a', '1')], rv: '9' } } : { watch: [], end: 'close' }
    const { calls } = await runUntilDone([{ list: { items: [obj('a', '1')], rv: '5' } }, c.end, next])
    assert.equal(calls[2]?.kind, c.relists ? 'list' : 'watch', c.name)
    if (!c.relists) assert.equal(calls[2]?.query.resourceVersion, '5', `${c.name}: resumes`)
  }
})

test('list-watch: an expired continue token (410 on a later page) restarts the list', async () => {
  const { log, calls } = await runUntilDone([
    { list: { items: [obj('a', '1')], rv: '5', continue: 'tok' } },
    { listError: new ApiError(410, 'Expired', 'continue token expired') },
    { list: { items: [obj('b', '2')], rv: '7' } },
  ])
  assert.deepEqual(log, ['upsert ns/b=2', 'synced'])
  assert.equal(calls[2]?.query.continue, undefined)
})

test('list-watch: errors keep the last good state and retry; watch resumes without a relist', async () => {
  const { log, calls, lw } = await runUntilDone([
    { listError: new Error('fetch failed') },
    { listError: new ApiError(403, 'Forbidden', 'no') },
    { list: { items: [obj('a', '1')], rv: '5' } },
    {
      watch: [{ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } }],
      end: new Error('socket hang up'),
    },
    { watch: [{ type: 'DELETED', object: obj('a', '1', '13') }], end: 'close' },
  ])
  assert.deepEqual(log, ['upsert ns/a=1', 'synced', 'remove ns/a'])
  assert.deepEqual(
    calls.map((c) => `${c.kind}${c.kind === 'watch' ? `@${c.query.resourceVersion}` : ''}`),
    ['list', 'list', 'list', 'watch@5', 'watch@12', 'watch@13'],
  )
  assert.equal(lw.synced, true)
})
