import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Counter, Registry } from 'prom-client'
import { startOpsServer } from '../../../lib/http/ops-server.ts'
import { silentLogger } from '../../../lib/util/log.ts'

test('ops server answers health, readiness, metrics and JSON routes', async () => {
  const registry = new Registry()
  new Counter({ name: 'dns_controller_test_total', help: 'test', registers: [registry] }).inc(3)
  let ready = false
  const srv = await startOpsServer(
    {
      listen: { host: '127.0.0.1', port: 0 },
      registry,
      healthy: () => ({ ok: true }),
      ready: () => (ready ? { ok: true } : { ok: false, reason: 'no replica yet' }),
      jsonRoutes: { '/state': () => ({ peers: 2 }) },
    },
    silentLogger,
  )
  const base = `http://127.0.0.1:${srv.address.port}`
  try {
    assert.equal((await fetch(`${base}/healthz`)).status, 200)
    const notReady = await fetch(`${base}/readyz`)
    assert.equal(notReady.status, 503)
    assert.match(await notReady.text(), /no replica yet/)
    ready = true
    assert.equal((await fetch(`${base}/readyz`)).status, 200)
    assert.match(await (await fetch(`${base}/metrics`)).text(), /dns_controller_test_total 3/)
    assert.deepEqual(await (await fetch(`${base}/state`)).json(), { peers: 2 })
    assert.equal((await fetch(`${base}/nope`)).status, 404)
  } finally {
    await srv.close()
  }
})
