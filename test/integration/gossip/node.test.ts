/**
 * Gossip nodes over real libp2p on loopback: convergence, the secondary network, and a node that
 * joins before its seeds exist.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { TestNode } from '../../helpers/gossip.ts'
import {
  counter,
  eventually,
  newPsk,
  newSigner,
  records,
  startNode,
  versionOf,
  waitFor,
} from '../../helpers/gossip.ts'
import { freePort } from '../../../lib/util/ports.ts'

function stopAll(t: { after: (fn: () => Promise<void>) => void }, nodes: TestNode[]): void {
  t.after(async () => {
    await Promise.all(nodes.map((n) => n.node.stop()))
  })
}

test('several nodes converge on each published version', { timeout: 60_000 }, async (t) => {
  const psk = newPsk()
  const signer = newSigner()
  const nodes: TestNode[] = []
  stopAll(t, nodes)
  const publisher = await startNode({ psk, trusted: [signer.publicKey], signer })
  nodes.push(publisher)
  for (let i = 0; i < 7; i++)
    nodes.push(await startNode({ psk, trusted: [signer.publicKey], seeds: [publisher.addr] }))
  for (const size of [3, 50, 10]) {
    const v = await publisher.node.publish(records(size))
    await waitFor(
      `every node at version ${v.version}`,
      () => nodes.every((n) => versionOf(n.node, signer.id) === v.version),
      15_000,
    )
    for (const n of nodes) assert.equal(n.node.current().records.length, size)
  }
  // Bounded partial views: nobody is connected to everybody once the overlay has settled.
  assert.ok(nodes.every((n) => n.node.peerCount() >= 1))
})

test(
  'the secondary network alone delivers, and dual-network nodes bridge the two',
  { timeout: 60_000 },
  async (t) => {
    const oldKey = newPsk()
    const newKey = newPsk()
    const signer = newSigner()
    const trusted = [signer.publicKey]
    const nodes: TestNode[] = []
    stopAll(t, nodes)
    const loopback = { host: '127.0.0.1', port: 0 }
    // The publisher is mid-rotation: old key on the primary, new key on the secondary.
    const publisher = await startNode({
      psk: oldKey,
      trusted,
      signer,
      secondary: { listen: loopback, seeds: [], psk: newKey },
    })
    nodes.push(publisher)
    assert.ok(publisher.secondaryAddr !== undefined)
    // A node that already switched: the new key is its primary, and it reaches the publisher's secondary.
    const switched = await startNode({ psk: newKey, trusted, seeds: [publisher.secondaryAddr] })
    nodes.push(switched)
    // A node whose primary goes nowhere (a key nobody else has): only its secondary connects.
    const lonely = await startNode({
      psk: newPsk(),
      trusted,
      secondary: { listen: loopback, seeds: [switched.addr], psk: newKey },
    })
    nodes.push(lonely)
    // A node that has not switched yet: the old key only, seeded at the publisher's primary.
    const late = await startNode({ psk: oldKey, trusted, seeds: [publisher.addr] })
    nodes.push(late)
    const v = await publisher.node.publish(records(4))
    await waitFor(
      'every node has the version',
      () => nodes.every((n) => versionOf(n.node, signer.id) === v.version),
      15_000,
    )
  },
)

test('a node with another secret never joins, and the refusal is counted', { timeout: 30_000 }, async (t) => {
  const signer = newSigner()
  const nodes: TestNode[] = []
  stopAll(t, nodes)
  const publisher = await startNode({ psk: newPsk(), trusted: [signer.publicKey], signer })
  nodes.push(publisher)
  await publisher.node.publish(records(2))
  const outsider = await startNode({ psk: newPsk(), trusted: [signer.publicKey], seeds: [publisher.addr] })
  nodes.push(outsider)
  await eventually(
    'a refused connection',
    async () =>
      (await counter(publisher.registry, 'dns_controller_gossip_connections_refused_total', {
        reason: 'wrong-key',
      })) > 0,
    10_000,
  )
  assert.equal(outsider.node.peerCount(), 0)
  assert.equal(publisher.node.peerCount(), 0)
  assert.deepEqual(outsider.node.current().records, [])
})

test(
  'a node started before its seed keeps retrying and joins when the seed appears',
  { timeout: 30_000 },
  async (t) => {
    const psk = newPsk()
    const signer = newSigner()
    const nodes: TestNode[] = []
    stopAll(t, nodes)
    const port = await freePort()
    const early = await startNode({ psk, trusted: [signer.publicKey], seeds: [{ host: '127.0.0.1', port }] })
    nodes.push(early)
    // It tried, failed and tried again: it is retrying, not waiting for a restart.
    await eventually(
      'two failed dials of the absent seed',
      async () =>
        (await counter(early.registry, 'dns_controller_gossip_dials_total', { result: 'failed' })) >= 2,
      10_000,
    )
    assert.equal(early.node.peerCount(), 0)
    const publisher = await startNode({ psk, trusted: [signer.publicKey], signer, listenPort: port })
    nodes.push(publisher)
    const v = await publisher.node.publish(records(3))
    await waitFor(
      'the early node has the version',
      () => versionOf(early.node, signer.id) === v.version,
      10_000,
    )
  },
)

test(
  'a seed list that includes the node itself: dialled once, recognised, never again',
  { timeout: 30_000 },
  async (t) => {
    const psk = newPsk()
    const signer = newSigner()
    const nodes: TestNode[] = []
    stopAll(t, nodes)
    const port = await freePort()
    const self = { host: '127.0.0.1', port }
    // A second seed where nothing listens: the yardstick for "never again" below.
    const absent = { host: '127.0.0.1', port: await freePort() }
    const publisher = await startNode({
      psk,
      trusted: [signer.publicKey],
      signer,
      seeds: [self, absent],
      listenPort: port,
    })
    nodes.push(publisher)
    await eventually(
      'the self dial is recognised',
      async () =>
        (await counter(publisher.registry, 'dns_controller_gossip_dials_total', { result: 'self' })) === 1,
      10_000,
    )
    // Both are seeds under the same retry policy, so a self address still in the book would be
    // dialled again within the rounds that retry the absent seed three more times.
    const failed = () =>
      counter(publisher.registry, 'dns_controller_gossip_dials_total', { result: 'failed' })
    const before = await failed()
    await eventually(
      'three more retries of the absent seed',
      async () => (await failed()) >= before + 3,
      10_000,
    )
    assert.equal(
      await counter(publisher.registry, 'dns_controller_gossip_dials_total', { result: 'self' }),
      1,
    )
    assert.equal(publisher.node.peerCount(), 0)
  },
)

test('metrics describe peers, frames, versions and sync', { timeout: 30_000 }, async (t) => {
  const psk = newPsk()
  const signer = newSigner()
  const nodes: TestNode[] = []
  stopAll(t, nodes)
  const publisher = await startNode({ psk, trusted: [signer.publicKey], signer })
  nodes.push(publisher)
  const agent = await startNode({ psk, trusted: [signer.publicKey], seeds: [publisher.addr] })
  nodes.push(agent)
  const v = await publisher.node.publish(records(2))
  await waitFor('agent has the version', () => versionOf(agent.node, signer.id) === v.version, 10_000)
  // The agent has sent a digest and heard one since it got the version: anti-entropy is running.
  await eventually(
    'a digest sent and a sync heard',
    async () =>
      (await counter(agent.registry, 'dns_controller_gossip_frame_bytes_total', {
        direction: 'out',
        kind: 'digest',
      })) > 0 && (await counter(agent.registry, 'dns_controller_gossip_seconds_since_last_sync')) >= 0,
    10_000,
  )
  const text = await agent.registry.metrics()
  const wallSeconds = Number(v.version.split('.')[0]) / 1000
  const expected = [
    /dns_controller_gossip_peers\{network="primary"\} 1/,
    /dns_controller_gossip_frames_total\{direction="in",kind="hello"\} [1-9]/,
    /dns_controller_gossip_frame_bytes_total\{direction="out",kind="digest"\} [1-9]/,
    /dns_controller_gossip_publishers 1/,
    new RegExp(
      `dns_controller_gossip_publisher_version_timestamp_seconds\\{publisher="${signer.id}"\\} ${wallSeconds}`,
    ),
    /dns_controller_gossip_seconds_since_last_sync (0|0\.\d+)\n/,
    /dns_controller_gossip_replica_changes_total 1/,
  ]
  for (const re of expected) assert.match(text, re)
})
