/**
 * Liveness of gossip connections (lib/gossip/libp2p/liveness.ts): a peer that is alive but has
 * nothing to say is probed and kept; a peer whose process is frozen (SIGSTOP: its kernel still
 * acknowledges TCP, nothing answers above it) is probed and dropped.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GOSSIP_LOOPBACK } from '../../../lib/gossip/core/index.ts'
import { newPsk, newSigner, startNode, waitFor } from '../../helpers/gossip.ts'
import type { TestNode } from '../../helpers/gossip.ts'
import { spawnAgent, writeAgentKeys } from '../../helpers/agent-args.ts'

async function probes(n: TestNode, result: 'ok' | 'failed'): Promise<number> {
  const m = await n.registry.getSingleMetric('dns_controller_gossip_liveness_probes_total')?.get()
  return m?.values.find((v) => v.labels['result'] === result)?.value ?? 0
}

test('a silent but live peer is probed and kept', async (t) => {
  const psk = newPsk()
  const signer = newSigner()
  // No anti-entropy for a minute: after the join, the two nodes have nothing to say to each other.
  const config = { ...GOSSIP_LOOPBACK, syncIntervalMs: 60_000, rotateIntervalMs: 60_000 }
  const a = await startNode({ psk, trusted: [signer.publicKey], config, livenessIntervalMs: 200 })
  t.after(() => a.node.stop())
  const b = await startNode({
    psk,
    trusted: [signer.publicKey],
    config,
    seeds: [a.addr],
    livenessIntervalMs: 200,
  })
  t.after(() => b.node.stop())
  await waitFor('the two nodes to connect', () => a.node.peerCount() === 1 && b.node.peerCount() === 1, 5000)

  const deadline = Date.now() + 1500
  while (Date.now() < deadline) {
    assert.equal(a.node.peerCount(), 1, 'a live peer was dropped')
    await new Promise((r) => setTimeout(r, 50))
  }
  assert.ok((await probes(a, 'ok')) >= 2, 'the silent peer was never probed')
  assert.equal(await probes(a, 'failed'), 0)
})

test('a frozen peer process is probed and dropped', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'liveness-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const { psk, signer } = writeAgentKeys(dir)

  const a = await startNode({ psk, trusted: [signer.publicKey], livenessIntervalMs: 300 })
  t.after(() => a.node.stop())
  const { child: agent } = await spawnAgent(dir, a.addr.port, 'ignore')
  t.after(() => {
    agent.kill('SIGCONT')
    agent.kill('SIGKILL')
  })
  await waitFor('the agent to connect', () => a.node.peerCount() === 1, 20_000)
  // Connected and talking: no probe fails while it lives.
  await new Promise((r) => setTimeout(r, 1000))
  assert.equal(a.node.peerCount(), 1)
  assert.equal(await probes(a, 'failed'), 0)

  agent.kill('SIGSTOP')
  const stoppedAt = Date.now()
  // Silent for 300 ms, then a probe that times out after the loopback dial timeout (2 s).
  await waitFor('the frozen peer to be dropped', () => a.node.peerCount() === 0, 10_000)
  assert.equal(await probes(a, 'failed'), 1)
  assert.ok(Date.now() - stoppedAt < 5000, `dropped after ${Date.now() - stoppedAt} ms`)
})
