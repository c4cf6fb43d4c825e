/**
 * The controller as its own process (so its RSS is its own), for bench/controller.ts. It watches
 * the cluster in argv[2] (a kubeconfig) and publishes into memory, reporting over IPC:
 *   → { type: 'publish', atMs, sinceStartMs, records, marks: names starting with "lat-" }
 *   → { type: 'mem', rssMb, heapMb, maxRssMb } when asked with { type: 'mem' } (after a gc)
 *   ← { type: 'stop' }
 * With BENCH_GOSSIP set, records also go out through a real gossip node (the agent is the parent).
 */
import { Registry } from 'prom-client'
import { Controller } from '../lib/controller/loop.ts'
import type { Publisher } from '../lib/gossip/api.ts'
import { openKubeApi } from '../lib/k8s/https-api.ts'
import { kubeWiring } from '../lib/k8s/wiring.ts'
import { RECORD_DEFAULTS } from '../lib/records/options.ts'
import { systemClock } from '../lib/util/clock.ts'
import { randomRng } from '../lib/util/random.ts'
import { silentLogger } from '../lib/util/log.ts'

const startedAt = Date.now()
const send = (msg: unknown): void => {
  process.send?.(msg)
}
/** With BENCH_GOSSIP (JSON: secret, keyPem, listenPort, seedPort) publishing goes through a real gossip node. */
interface GossipArgs {
  readonly secret: string
  readonly keyPem: string
  readonly listenPort: number
  readonly seedPort: number
}
const gossipArgs =
  process.env.BENCH_GOSSIP === undefined ? undefined : (JSON.parse(process.env.BENCH_GOSSIP) as GossipArgs)
let gossip: (Publisher & { start(): Promise<void>; stop(): Promise<void> }) | undefined
if (gossipArgs !== undefined) {
  // Imported only here so the memory-publisher runs measure the controller alone.
  const { generateKeyPair } = await import('@libp2p/crypto/keys')
  const { derivePsk, parsePrivateKeyPem, signerFromPrivateKey } = await import('../lib/gossip/keys.ts')
  const { createGossipNode } = await import('../lib/gossip/node.ts')
  const key = parsePrivateKeyPem(gossipArgs.keyPem)
  if (typeof key === 'string') throw new Error(key)
  const signer = signerFromPrivateKey(key)
  gossip = createGossipNode(
    {
      primary: {
        listen: { host: '127.0.0.1', port: gossipArgs.listenPort },
        seeds: [{ host: '127.0.0.1', port: gossipArgs.seedPort }],
        psk: derivePsk(gossipArgs.secret, 'gossip-secret'),
      },
      privateKey: await generateKeyPair('Ed25519'),
      trustedPublishers: [signer.publicKey],
      signer,
    },
    { clock: systemClock, rng: randomRng(), log: silentLogger, registry: new Registry() },
  )
  await gossip.start()
}
const publisher: Publisher = {
  async publish(records) {
    const marks = records.filter((r) => r.name.startsWith('lat-')).map((r) => r.name)
    send({
      type: 'publish',
      atMs: Date.now(),
      sinceStartMs: Date.now() - startedAt,
      records: records.length,
      marks,
    })
    return gossip === undefined ? { id: 'bench', version: String(Date.now()) } : await gossip.publish(records)
  },
}
const registry = new Registry()
const base = { log: silentLogger, registry, clock: systemClock, rng: randomRng() }
const wiring = kubeWiring(
  await openKubeApi(process.argv[2] ?? ''),
  {
    watchIngress: false,
    instance: 'bench',
    leaderElection: { namespace: 'kube-system', name: 'dns-controller', identity: 'bench' },
    ...(process.env.BENCH_PAGE_SIZE === undefined
      ? {}
      : { listWatch: { pageSize: Number(process.env.BENCH_PAGE_SIZE) } }),
  },
  base,
)
const controller = new Controller(
  { records: { ...RECORD_DEFAULTS, internalIPv4: true, watchIngress: false } },
  {
    ...base,
    publisher,
    source: wiring.source,
    events: wiring.events,
    ...(wiring.leader ? { leadership: wiring.leader } : {}),
  },
)
await controller.start()
await wiring.leader?.start()

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'mem') {
    ;(globalThis as { gc?: () => void }).gc?.()
    const m = process.memoryUsage()
    send({
      type: 'mem',
      rssMb: m.rss / 2 ** 20,
      heapMb: m.heapUsed / 2 ** 20,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    })
  }
  if (msg.type === 'stop') {
    void (async () => {
      await wiring.leader?.stop()
      await controller.stop()
      await gossip?.stop()
      process.exit(0)
    })()
  }
})
