/**
 * Failures an operator must act on are logged at the default level, once a minute per peer: a
 * connection refused for a different gossip key (with the remote address), and snapshots from a
 * publisher this node does not trust (with the peer).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { TestNode } from '../../helpers/gossip.ts'
import { counter, eventually, newPsk, newSigner, records, startNode } from '../../helpers/gossip.ts'
import { memoryLogger } from '../../../lib/util/log.ts'

function stopAll(t: { after: (fn: () => Promise<void>) => void }, nodes: TestNode[]): void {
  t.after(async () => {
    await Promise.all(nodes.map((n) => n.node.stop()))
  })
}

const WRONG_KEY = 'gossip connection refused: the peer holds a different gossip key'
const UNTRUSTED = 'snapshot refused: its publisher key is not trusted here'

test(
  'a peer with another gossip key: one warning naming its address, not one per retry',
  { timeout: 30_000 },
  async (t) => {
    const signer = newSigner()
    const nodes: TestNode[] = []
    stopAll(t, nodes)
    const log = memoryLogger()
    const publisher = await startNode({ psk: newPsk(), trusted: [signer.publicKey], signer, log })
    nodes.push(publisher)
    const outsider = await startNode({ psk: newPsk(), trusted: [signer.publicKey], seeds: [publisher.addr] })
    nodes.push(outsider)
    const refused = (): Promise<number> =>
      counter(publisher.registry, 'dns_controller_gossip_connections_refused_total', { reason: 'wrong-key' })
    await eventually('two refused connections', async () => (await refused()) >= 2, 20_000)
    const lines = log.lines.filter((l) => l.includes(WRONG_KEY))
    assert.equal(lines.length, 1, log.lines.join('\n'))
    assert.match(
      lines[0] ?? '',
      / W \S*: gossip connection refused[^\n]* network=primary remote=\/ip4\/127\.0\.0\.1\/tcp\/\d+/,
    )
  },
)

test(
  'snapshots from a publisher this node does not trust: one warning naming the peer',
  { timeout: 30_000 },
  async (t) => {
    const psk = newPsk()
    const signer = newSigner()
    const nodes: TestNode[] = []
    stopAll(t, nodes)
    const publisher = await startNode({ psk, trusted: [signer.publicKey], signer })
    nodes.push(publisher)
    const log = memoryLogger()
    const other = newSigner()
    const receiver = await startNode({ psk, trusted: [other.publicKey], seeds: [publisher.addr], log })
    nodes.push(receiver)
    const dropped = (): Promise<number> =>
      counter(receiver.registry, 'dns_controller_gossip_frames_dropped_total', {
        reason: 'untrusted-publisher',
      })
    for (let i = 1; i <= 3; i++) await publisher.node.publish(records(i))
    await eventually('an untrusted snapshot dropped', async () => (await dropped()) >= 2, 20_000)
    const lines = log.lines.filter((l) => l.includes(UNTRUSTED))
    assert.equal(lines.length, 1, log.lines.join('\n'))
    assert.match(
      lines[0] ?? '',
      / W \S*: snapshot refused: [^\n]*reason=untrusted-publisher peer=\w+:12D3Koo\w+/,
    )
    assert.deepEqual(receiver.node.current().records, [])
  },
)
