import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Registry } from 'prom-client'
import { GossipDriver, PublishRejectedError } from '../../../lib/gossip/driver.ts'
import type { Action, CoreStats, GossipCore, Input } from '../../../lib/gossip/core/types.ts'
import { EMPTY_VIEW } from '../../../lib/gossip/core/replica.ts'
import type { Transport } from '../../../lib/gossip/transport.ts'
import { GossipMetrics } from '../../../lib/gossip/metrics.ts'
import { memoryLogger } from '../../../lib/util/log.ts'
import { VirtualTime } from '../../helpers/virtual-time.ts'

/** A core that records its inputs and answers each with scripted actions. */
function scriptedCore(script: (input: Input) => Action[]): GossipCore & { inputs: Input[] } {
  const inputs: Input[] = []
  return {
    inputs,
    step: (_now, input) => {
      inputs.push(input)
      return script(input)
    },
    nextDeadline: () => undefined,
    replica: () => EMPTY_VIEW,
    snapshotFrames: () => [],
    stats: () => ({}) as CoreStats,
    peers: () => [],
  }
}

function fakeNetwork(label: string): Transport & { calls: string[] } {
  const calls: string[] = []
  return {
    label,
    calls,
    send: (peer: string, bytes: Uint8Array) => void calls.push(`send ${peer} ${bytes.byteLength}`),
    dial: (addr: string) => void calls.push(`dial ${addr}`),
    hangUp: (peer: string) => void calls.push(`hang-up ${peer}`),
    probe: (peer: string) => void calls.push(`probe ${peer}`),
    abort: (peer: string) => void calls.push(`abort ${peer}`),
  }
}

function driverWith(
  core: GossipCore,
  extra: { liveness?: { intervalMs: number; timeoutMs: number }; time?: VirtualTime } = {},
): {
  driver: GossipDriver
  registry: Registry
  log: ReturnType<typeof memoryLogger>
} {
  const registry = new Registry()
  const log = memoryLogger()
  const metrics = new GossipMetrics(registry, () => ({
    peers: {},
    publishers: 0,
    versions: [],
    msSinceSync: undefined,
  }))
  const driver = new GossipDriver({
    core,
    self: 'me',
    clock: extra.time ?? { now: () => 1000 },
    ...(extra.time === undefined ? {} : { timers: extra.time }),
    log,
    metrics,
    liveness: extra.liveness ?? { intervalMs: 0, timeoutMs: 1000 },
  })
  return { driver, registry, log }
}

test('actions go to the network named by the label; unknown labels fail the dial at once', () => {
  const core = scriptedCore((input) =>
    input.type === 'timer'
      ? [
          { type: 'dial', addr: 'kaaaa:/ip4/10.0.0.1/tcp/1' },
          { type: 'dial', addr: 'kbbbb:/ip4/10.0.0.2/tcp/1' },
          { type: 'send', to: 'kaaaa:peer1', bytes: new Uint8Array([1, 2, 3]) },
          { type: 'hang-up', peer: 'kaaaa:peer2' },
          { type: 'hang-up', peer: 'me' },
        ]
      : [],
  )
  const { driver } = driverWith(core)
  const net = fakeNetwork('kaaaa')
  driver.addNetwork(net)
  driver.input({ type: 'timer' })
  assert.deepEqual(net.calls, ['dial kaaaa:/ip4/10.0.0.1/tcp/1', 'send kaaaa:peer1 3', 'hang-up kaaaa:peer2'])
  assert.deepEqual(core.inputs, [
    { type: 'timer' },
    { type: 'dial-failed', addr: 'kbbbb:/ip4/10.0.0.2/tcp/1' },
  ])
})

test('inputs raised while a step runs are stepped after it, in order', () => {
  const box: { driver?: GossipDriver } = {}
  let depth = 0
  let maxDepth = 0
  const core = scriptedCore((input) => {
    depth++
    maxDepth = Math.max(maxDepth, depth)
    // A network event fired from inside an action: must not re-enter the core.
    if (input.type === 'timer') box.driver?.input({ type: 'peer-down', peer: 'kaaaa:x' })
    depth--
    return []
  })
  box.driver = driverWith(core).driver
  box.driver.input({ type: 'timer' })
  assert.deepEqual(
    core.inputs.map((i) => i.type),
    ['timer', 'peer-down'],
  )
  assert.equal(maxDepth, 1, 'the core was re-entered')
})

test('publish resolves with the published version, or rejects with the drop reason', async () => {
  let n = 0
  const core = scriptedCore((input): Action[] => {
    if (input.type !== 'publish') return []
    n++
    return n === 1
      ? [
          // A re-assertion in the same step must not answer the caller.
          {
            type: 'published',
            version: { wallMs: 4, counter: 0 },
            printable: { id: 'ab', version: '4.0' },
            reassert: true,
          },
          { type: 'published', version: { wallMs: 5, counter: 0 }, printable: { id: 'ab', version: '5.0' } },
        ]
      : [{ type: 'publish-rejected', reason: 'too-many-records' }]
  })
  const { driver } = driverWith(core)
  assert.deepEqual(await driver.publish({ type: 'publish', records: [] }), { id: 'ab', version: '5.0' })
  await assert.rejects(driver.publish({ type: 'publish', records: [] }), PublishRejectedError)
})

test('a core that throws is logged and counted, never thrown into the network', async () => {
  const core = scriptedCore((input) => {
    if (input.type === 'message') throw new Error('bug')
    return []
  })
  const { driver, registry, log } = driverWith(core)
  const events = driver.eventsFor('primary')
  assert.doesNotThrow(() => events.frame('kaaaa:p', new Uint8Array([1, 2])))
  assert.match(log.lines.join('\n'), /gossip core failed on an input input=message/)
  assert.match(await registry.metrics(), /dns_controller_gossip_core_errors_total\{input="message"\} 1/)
  assert.match(
    await registry.metrics(),
    /dns_controller_gossip_frames_total\{direction="in",kind="digest"\} 1/,
  )
})

test('a dial that reached ourselves becomes a self-dial input, counted as a self dial', async () => {
  const core = scriptedCore(() => [])
  const { driver, registry } = driverWith(core)
  driver.eventsFor('primary').selfDial('kaaaa:/ip4/10.0.0.9/tcp/1')
  assert.deepEqual(core.inputs, [{ type: 'self-dial', addr: 'kaaaa:/ip4/10.0.0.9/tcp/1' }])
  assert.match(
    await registry.metrics(),
    /dns_controller_gossip_dials_total\{network="primary",result="self"\} 1/,
  )
})

test('liveness: a silent peer is probed; one that does not answer in time is aborted and counted', async () => {
  const time = new VirtualTime(0)
  const core = scriptedCore(() => [])
  const { driver, registry, log } = driverWith(core, { time, liveness: { intervalMs: 1000, timeoutMs: 300 } })
  const net = fakeNetwork('kaaaa')
  driver.addNetwork(net, 'primary')
  const events = driver.eventsFor('primary')
  events.peerUp('kaaaa:quiet', undefined)
  events.peerUp('kaaaa:live', undefined)
  await time.advance(999)
  assert.deepEqual(net.calls, [])
  await time.advance(1)
  assert.deepEqual(net.calls, ['probe kaaaa:quiet', 'probe kaaaa:live'])
  events.probed('kaaaa:live', true)
  await time.advance(300)
  assert.deepEqual(net.calls.slice(2), ['abort kaaaa:quiet'])
  const metrics = await registry.metrics()
  assert.match(metrics, /dns_controller_gossip_liveness_probes_total\{network="primary",result="ok"\} 1/)
  assert.match(metrics, /dns_controller_gossip_liveness_probes_total\{network="primary",result="failed"\} 1/)
  assert.match(log.lines.join('\n'), /did not answer a liveness probe/)
  driver.stop()
})
