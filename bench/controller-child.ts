/**
 * The controller as its own process (so its RSS is its own), for bench/controller.ts. It watches
 * the cluster in argv[2] (a kubeconfig) and publishes into memory, reporting over IPC:
 *   → { type: 'publish', atMs, sinceStartMs, records, marks: names starting with "lat-" }
 *   → { type: 'mem', rssMb, heapMb, maxRssMb } when asked with { type: 'mem' } (after a gc)
 *   ← { type: 'stop' }
 */
import { Registry } from 'prom-client'
import { Controller } from '../lib/controller.ts'
import type { Publisher } from '../lib/gossip/api.ts'
import { openKubeApi } from '../lib/k8s/https-api.ts'
import { kubeWiring } from '../lib/k8s/wiring.ts'
import { RECORD_DEFAULTS } from '../lib/records/options.ts'
import { randomRng, systemClock } from '../lib/util/clock.ts'
import { silentLogger } from '../lib/util/log.ts'

const startedAt = Date.now()
const send = (msg: unknown): void => {
  process.send?.(msg)
}
const publisher: Publisher = {
  publish(records) {
    const marks = records.filter((r) => r.name.startsWith('lat-')).map((r) => r.name)
    send({
      type: 'publish',
      atMs: Date.now(),
      sinceStartMs: Date.now() - startedAt,
      records: records.length,
      marks,
    })
    return Promise.resolve({ id: 'bench', version: String(Date.now()) })
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
      process.exit(0)
    })()
  }
})
