import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { Controller } from '../../../lib/controller/loop.ts'
import type { Leadership } from '../../../lib/controller/loop.ts'
import { projectNode, projectService } from '../../../lib/records/project.ts'
import { RECORD_DEFAULTS } from '../../../lib/records/options.ts'
import type { ViewSink, ViewSource } from '../../../lib/sources/contract.ts'
import { seededRng } from '../../../lib/util/random.ts'
import { silentLogger } from '../../../lib/util/log.ts'
import { MemoryPublisher } from '../../harness/memory-publisher.ts'
import type { Publication } from '../../harness/memory-publisher.ts'
import { VirtualTime } from '../../helpers/virtual-time.ts'

function service(name: string, external: string, ip: string): unknown {
  return {
    kind: 'Service',
    metadata: { name, namespace: 'default', annotations: { 'dns.alpha.kubernetes.io/external': external } },
    spec: { type: 'LoadBalancer' },
    status: { loadBalancer: { ingress: [{ ip }] } },
  }
}

/** Advances virtual time by `ms` and asserts that some publish by then passes `check`. */
async function within(
  time: VirtualTime,
  publisher: MemoryPublisher,
  check: (p: Publication) => boolean,
  ms: number,
): Promise<void> {
  await time.advance(ms)
  assert.ok(
    publisher.publications.some(check),
    `no matching publish within ${ms} ms: ${publisher.lines().join('; ')}`,
  )
}

function view<T>(p: { ok: true; view: T } | { ok: false }): T {
  if (!p.ok) throw new Error('fixture does not project')
  return p.view
}

function setup(opts: { leadership?: Leadership } = {}) {
  let sink: ViewSink | undefined
  const source: ViewSource & { synced: boolean } = {
    synced: false,
    status: () => [],
    start: () => Promise.resolve(),
    stop: () => Promise.resolve(),
  }
  const publisher = new MemoryPublisher()
  const registry = new Registry()
  const time = new VirtualTime()
  const controller = new Controller(
    { records: { ...RECORD_DEFAULTS, watchIngress: false }, debounceMs: 5, maxWaitMs: 50 },
    {
      log: silentLogger,
      registry,
      clock: time,
      timers: time,
      rng: seededRng(1),
      publisher,
      source: (s) => ((sink = s), source),
      ...(opts.leadership === undefined ? {} : { leadership: opts.leadership }),
    },
  )
  if (sink === undefined) throw new Error('source factory not called')
  const syncAll = (): void => {
    for (const k of ['Service', 'Pod', 'Node'] as const) sink?.synced(k)
    source.synced = true
  }
  return { sink, publisher, registry, controller, syncAll, time }
}

test('controller: nothing is published until every kind has listed once', async (t) => {
  const { sink, publisher, controller, time } = setup()
  await controller.start()
  t.after(() => controller.stop())
  sink.upsert(view(projectService(service('web', 'web.example.local', '10.0.0.1'))))
  sink.synced('Service')
  sink.synced('Pod')
  await time.advance(100)
  assert.equal(publisher.publications.length, 0, 'Node has not listed yet')
  sink.synced('Node')
  await within(time, publisher, (p) => p.records.length === 1, 2000)
  assert.deepEqual(publisher.lines(), ['web.example.local A 10.0.0.1'])
})

test('controller: a burst of changes is one publish; identical records are not republished', async (t) => {
  const { sink, publisher, controller, syncAll, time } = setup()
  await controller.start()
  t.after(() => controller.stop())
  syncAll()
  await within(time, publisher, () => true, 2000)
  for (let i = 0; i < 20; i++)
    sink.upsert(view(projectService(service(`s${i}`, `s${i}.example.local`, '10.0.0.2'))))
  await within(time, publisher, (p) => p.records.length === 20, 2000)
  assert.equal(publisher.publications.length, 2)
  sink.upsert(view(projectNode({ kind: 'Node', metadata: { name: 'n1' } }))) // no records of its own
  await time.advance(100)
  assert.equal(publisher.publications.length, 2)
})

test('controller: only the leader publishes; a new leader publishes at once', async (t) => {
  const listeners = new Set<(l: boolean) => void>()
  const leadership = {
    isLeader: false,
    onChange: (l: (leader: boolean) => void) => (listeners.add(l), () => listeners.delete(l)),
  }
  const { sink, publisher, controller, syncAll, time } = setup({ leadership })
  await controller.start()
  t.after(() => controller.stop())
  sink.upsert(view(projectService(service('web', 'web.example.local', '10.0.0.1'))))
  syncAll()
  await time.advance(100)
  assert.equal(publisher.publications.length, 0)
  assert.equal(controller.ready().ok, true, 'a synced follower is ready')
  leadership.isLeader = true
  for (const l of listeners) l(true)
  await within(time, publisher, (p) => p.records.length === 1, 2000)
})

test('controller: a failed publish is retried; problems are counted once', async (t) => {
  const { sink, publisher, registry, controller, syncAll, time } = setup()
  publisher.failNext = 1
  await controller.start()
  t.after(() => controller.stop())
  sink.upsert(view(projectService(service('bad', 'bad_name!.local', '10.0.0.3'))))
  sink.upsert(view(projectService(service('web', 'web.example.local', '10.0.0.1'))))
  syncAll()
  await within(time, publisher, (p) => p.records.length === 1, 3000)
  assert.equal(controller.ready().ok, true)
  const text = await registry.metrics()
  assert.match(text, /dns_controller_publishes_total\{result="error"\} 1/)
  assert.match(text, /dns_controller_problems_total\{kind="invalid-name"\} 1/)
})
