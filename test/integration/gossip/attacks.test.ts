/**
 * Hostile frames from a peer that holds the network key (a compromised node), end to end over real
 * connections: each is dropped and counted, the victim's replica is unchanged, and it keeps working.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { encodeFrame } from '../../../lib/gossip/core/wire.ts'
import { signedMessage } from '../../../lib/gossip/core/snapshot.ts'
import type { Snapshot } from '../../../lib/gossip/core/snapshot.ts'
import type { Version } from '../../../lib/gossip/core/types.ts'
import { GOSSIP_LOOPBACK } from '../../../lib/gossip/core/index.ts'
import { createHost, GOSSIP_PROTOCOL } from '../../../lib/gossip/libp2p/host.ts'
import type { PublisherSigner } from '../../../lib/gossip/keys.ts'
import type { ResolvedRecord } from '../../../lib/records/types.ts'
import { memoryLogger } from '../../../lib/util/log.ts'
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

function snapshot(signer: PublisherSigner, version: Version, recs: readonly ResolvedRecord[]): Snapshot {
  return {
    publisher: signer.publicKey,
    version,
    records: recs,
    signature: signer.sign(signedMessage(signer.publicKey, version, recs)),
  }
}

const full = (s: Snapshot): Uint8Array => encodeFrame({ kind: 'full', snapshot: s })
const dropped = (n: TestNode, reason: string): Promise<number> =>
  counter(n.registry, 'dns_controller_gossip_frames_dropped_total', { reason })

test(
  'untrusted, tampered, replayed, oversized and garbage frames are dropped and counted',
  { timeout: 60_000 },
  async (t) => {
    const psk = newPsk()
    const signer = newSigner()
    const stranger = newSigner()
    const publisher = await startNode({ psk, trusted: [signer.publicKey], signer })
    const log = memoryLogger()
    const victim = await startNode({ psk, trusted: [signer.publicKey], seeds: [publisher.addr], log })
    const attacker = await createHost({
      privateKey: await generateKeyPair('Ed25519'),
      listen: { host: '127.0.0.1', port: 0 },
      psk,
    })
    t.after(async () => {
      await attacker.stop()
      await Promise.all([publisher.node.stop(), victim.node.stop()])
    })
    const v1 = await publisher.node.publish(records(5))
    await waitFor('victim has v1', () => versionOf(victim.node, signer.id) === v1.version, 10_000)
    const before = victim.node.current()

    const target = multiaddr(`/ip4/127.0.0.1/tcp/${victim.addr.port}`)
    const stream = await attacker.dialProtocol(target, GOSSIP_PROTOCOL, { signal: AbortSignal.timeout(5000) })
    const lp = lpStream(stream)
    const future: Version = { wallMs: Date.now() + 60_000, counter: 0 }
    const evil: readonly ResolvedRecord[] = [
      { name: 'api.internal.example.local', type: 'A', values: ['6.6.6.6'], ttlSeconds: 60 },
    ]
    const tampered = snapshot(signer, future, evil)
    const cases = [
      {
        name: 'untrusted publisher',
        frame: full(snapshot(stranger, future, evil)),
        reason: 'untrusted-publisher',
      },
      {
        name: 'tampered records under a trusted signature',
        frame: full({ ...tampered, records: [{ ...evil[0]!, values: ['6.6.6.7'] }] }),
        reason: 'bad-signature',
      },
      {
        name: 'replay of an older version',
        frame: full(snapshot(signer, { wallMs: 1, counter: 0 }, evil)),
        reason: 'stale',
      },
      {
        name: 'truncated frame',
        frame: full(tampered).subarray(0, 50),
        reason: 'truncated',
      },
    ]
    for (const c of cases) {
      const was = await dropped(victim, c.reason)
      await lp.write(c.frame, { signal: AbortSignal.timeout(5000) })
      await eventually(
        `${c.name} counted as ${c.reason}`,
        async () => (await dropped(victim, c.reason)) > was,
        5000,
      )
      assert.equal(victim.node.current(), before, `${c.name}: replica changed`)
    }
    // A forged snapshot is something an operator must see: one warning at the default level,
    // naming the peer it came from.
    const forged = log.lines.filter((l) => l.includes('snapshot refused: bad signature'))
    assert.equal(forged.length, 1, log.lines.join('\n'))
    assert.match(
      forged[0] ?? '',
      / W \S*: snapshot refused: bad signature[^\n]*reason=bad-signature peer=\w+:12D3Koo\w+/,
    )

    // Random frames: dropped under some reason each, never a crash.
    const totalDropped = async (): Promise<number> =>
      counter(victim.registry, 'dns_controller_gossip_frames_dropped_total')
    const was = await totalDropped()
    for (let i = 0; i < 100; i++) await lp.write(randomBytes(1 + ((i * 37) % 3000)))
    await eventually('100 random frames dropped', async () => (await totalDropped()) >= was + 100, 5000)
    assert.equal(victim.node.current(), before)

    // Oversized: the transport refuses it before reading it whole, and ends that stream.
    const oversizedWas = await dropped(victim, 'frame-too-large')
    await lp.write(randomBytes(GOSSIP_LOOPBACK.maxFrameBytes + 1)).catch(() => {})
    await eventually(
      'oversized frame counted',
      async () => (await dropped(victim, 'frame-too-large')) > oversizedWas,
      5000,
    )
    assert.equal(victim.node.current(), before)

    // The victim still follows the real publisher.
    const v2 = await publisher.node.publish(records(6))
    await waitFor('victim has v2', () => versionOf(victim.node, signer.id) === v2.version, 10_000)
    assert.equal(victim.node.current().records.length, 6)
  },
)

test(
  'a far-future version signed with the publisher key is refused everywhere; the publisher keeps publishing',
  { timeout: 60_000 },
  async (t) => {
    const psk = newPsk()
    const signer = newSigner()
    const publisher = await startNode({ psk, trusted: [signer.publicKey], signer })
    const victim = await startNode({ psk, trusted: [signer.publicKey], seeds: [publisher.addr] })
    const attacker = await createHost({
      privateKey: await generateKeyPair('Ed25519'),
      listen: { host: '127.0.0.1', port: 0 },
      psk,
    })
    t.after(async () => {
      await attacker.stop()
      await Promise.all([publisher.node.stop(), victim.node.stop()])
    })
    const v1 = await publisher.node.publish(records(2))
    await waitFor('victim has v1', () => versionOf(victim.node, signer.id) === v1.version, 10_000)
    const max: Version = { wallMs: Number.MAX_SAFE_INTEGER, counter: Number.MAX_SAFE_INTEGER }
    const forged = full(snapshot(signer, max, records(1, 'evil')))
    for (const n of [victim, publisher]) {
      const stream = await attacker.dialProtocol(
        multiaddr(`/ip4/127.0.0.1/tcp/${n.addr.port}`),
        GOSSIP_PROTOCOL,
        {
          signal: AbortSignal.timeout(5000),
        },
      )
      await lpStream(stream).write(forged, { signal: AbortSignal.timeout(5000) })
      await eventually(
        'counted as too-far-ahead',
        async () => (await dropped(n, 'too-far-ahead')) === 1,
        5000,
      )
    }
    const v2 = await publisher.node.publish(records(3))
    await waitFor('victim has v2', () => versionOf(victim.node, signer.id) === v2.version, 10_000)
    assert.equal(victim.node.current().records.length, 3)
  },
)
