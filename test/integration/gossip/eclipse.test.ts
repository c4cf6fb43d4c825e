/**
 * Eclipse and address spam over real connections (default tuning, loopback): 16 sybil identities
 * holding the network key dial a victim, redial within 200 ms whenever it drops them, tell it every
 * sybil's address each second, and withhold every snapshot. The victim must still get each of five
 * edits at once. A spammer sending made-up addresses gets them dialled at most at the unreached
 * rate. (The simulator runs the same attacks at scale: test/sim/membership-attacks.test.ts.)
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { Libp2p } from 'libp2p'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/index.ts'
import { encodeFrame } from '../../../lib/gossip/core/wire.ts'
import { createHost, GOSSIP_PROTOCOL } from '../../../lib/gossip/libp2p/host.ts'
import { networkLabel } from '../../../lib/gossip/libp2p/network.ts'
import type { TestNode } from '../../helpers/gossip.ts'
import { counter, newPsk, newSigner, records, startNode, versionOf, waitFor } from '../../helpers/gossip.ts'

const config = GOSSIP_DEFAULTS
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** A host holding the key that reads and discards whatever it is sent (it forwards nothing). */
async function hostileHost(psk: Uint8Array): Promise<Libp2p> {
  const host = await createHost({
    privateKey: await generateKeyPair('Ed25519'),
    listen: { host: '127.0.0.1', port: 0 },
    psk,
  })
  await host.handle(GOSSIP_PROTOCOL, async (stream) => {
    const lp = lpStream(stream)
    try {
      for (;;) await lp.read()
    } catch {
      // the victim hung up
    }
  })
  return host
}

/** Keeps `host` connected to `victim` (redialling within 200 ms), sending `frames()` every `everyMs`. */
async function pester(
  host: Libp2p,
  victim: TestNode,
  frames: () => Uint8Array[],
  everyMs: number,
  stop: AbortSignal,
): Promise<void> {
  const target = multiaddr(`/ip4/127.0.0.1/tcp/${victim.addr.port}/p2p/${victim.node.peerId}`)
  while (!stop.aborted) {
    try {
      const stream = await host.dialProtocol(target, GOSSIP_PROTOCOL, { signal: AbortSignal.timeout(2000) })
      const lp = lpStream(stream)
      while (!stop.aborted) {
        for (const f of frames()) await lp.write(f, { signal: AbortSignal.timeout(2000) })
        await sleep(everyMs)
      }
      stream.abort(new Error('done'))
    } catch {
      // dropped by the victim: come back
    }
    await sleep(200)
  }
}

const labelled = (psk: Uint8Array, h: Libp2p): string =>
  `${networkLabel(psk)}:${h.getMultiaddrs()[0]?.toString() ?? ''}`

test(
  '16 sybils holding the key cannot hold back any of five edits from a node',
  { timeout: 200_000 },
  async (t) => {
    const psk = newPsk()
    const signer = newSigner()
    const trusted = [signer.publicKey]
    const publisher = await startNode({ psk, trusted, signer, config })
    const honest = await Promise.all(
      Array.from({ length: 4 }, () => startNode({ psk, trusted, config, seeds: [publisher.addr] })),
    )
    const victim = await startNode({ psk, trusted, config, seeds: [publisher.addr] })
    const sybils = await Promise.all(Array.from({ length: 16 }, () => hostileHost(psk)))
    const stop = new AbortController()
    t.after(async () => {
      stop.abort()
      await Promise.all([
        ...sybils.map((s) => s.stop()),
        ...[publisher, victim, ...honest].map((n) => n.node.stop()),
      ])
    })
    await publisher.node.publish(records(5))
    await waitFor('the victim to join', () => victim.node.current().records.length === 5, 20_000)
    await sleep(3000)

    const addrs = sybils.map((s) => labelled(psk, s))
    const pestering = sybils.map((s) =>
      pester(
        s,
        victim,
        () => [
          encodeFrame({ kind: 'hello', addrs: [labelled(psk, s)] }),
          encodeFrame({ kind: 'peers', addrs }),
        ],
        1000,
        stop.signal,
      ),
    )
    await sleep(5000)
    const delays: number[] = []
    for (let k = 0; k < 5; k++) {
      const v = await publisher.node.publish(records(6 + k))
      const start = Date.now()
      await waitFor(
        'the edit at the victim',
        () => versionOf(victim.node, signer.id) === v.version,
        20_000,
      ).catch(() => undefined)
      delays.push(versionOf(victim.node, signer.id) === v.version ? Date.now() - start : Infinity)
      await sleep(Math.max(0, start + 3000 - Date.now()))
    }
    stop.abort()
    await Promise.all(pestering)
    console.log(`eclipse (processes): victim delays ${delays.join(', ')} ms`)
    assert.ok(Math.max(...delays) < 1000, `delays ${delays.join(', ')} ms`)
  },
)

test(
  'a peer spamming made-up addresses gets them dialled at most at the unreached rate',
  { timeout: 60_000 },
  async (t) => {
    const psk = newPsk()
    const signer = newSigner()
    const trusted = [signer.publicKey]
    const publisher = await startNode({ psk, trusted, signer, config })
    const victim = await startNode({ psk, trusted, config, seeds: [publisher.addr] })
    const spammer = await hostileHost(psk)
    const stop = new AbortController()
    t.after(async () => {
      stop.abort()
      await Promise.all([spammer.stop(), publisher.node.stop(), victim.node.stop()])
    })
    await waitFor('the victim to join', () => victim.node.peerCount() === 1, 20_000)
    const failedBefore = await counter(victim.registry, 'dns_controller_gossip_dials_total', {
      result: 'failed',
    })
    const label = networkLabel(psk)
    let n = 0
    // Closed loopback ports refuse at once: the fastest a victim could be made to dial.
    const fakes = (): Uint8Array[] =>
      Array.from({ length: 5 }, () =>
        encodeFrame({
          kind: 'peers',
          addrs: Array.from({ length: 32 }, () => `${label}:/ip4/127.0.0.1/tcp/${1 + (n++ % 1000)}`),
        }),
      )
    const spamMs = 10_000
    const spamming = pester(spammer, victim, fakes, 50, stop.signal)
    await sleep(spamMs)
    stop.abort()
    await spamming
    const failed =
      (await counter(victim.registry, 'dns_controller_gossip_dials_total', { result: 'failed' })) -
      failedBefore
    console.log(
      `address spam (processes): ${n} made-up addresses sent, ${failed} failed dials in ${spamMs / 1000} s`,
    )
    const limit = config.unreachedDialsBurst + (spamMs / 1000 + 1) * config.unreachedDialsPerSec
    assert.ok(failed <= limit, `${failed} failed dials in ${spamMs / 1000} s`)
  },
)
