/**
 * Gossip nodes over real libp2p on loopback: convergence, the secondary network, and a node that
 * joins before its seeds exist.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { TestNode } from '../../helpers/gossip.ts'
import { newPsk, newSigner, records, startNode, versionOf, waitFor } from '../../helpers/gossip.ts'

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
