// A block someone else removed comes back at the next resync, without a replica change.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { createHostsSink } from '../../../lib/sinks/hosts/sink.ts'
import { silentLogger } from '../../../lib/util/log.ts'

test('hosts sink: a wiped block is restored by the resync', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-resync-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'hosts')
  writeFileSync(path, '127.0.0.1 localhost\n')
  const sink = createHostsSink(
    { path, zones: ['local'], resyncMs: 50 },
    { log: silentLogger, registry: new Registry() },
  )
  t.after(() => sink.stop())
  sink.update({
    records: [{ name: 'api.c.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 }],
    publishers: [{ id: 'p', version: '1' }],
  })
  await sink.idle()
  assert.match(readFileSync(path, 'utf8'), /10\.0\.0\.1\tapi\.c\.local/)
  writeFileSync(path, '127.0.0.1 localhost\n') // cloud-init style rewrite
  const deadline = Date.now() + 10_000
  while (!readFileSync(path, 'utf8').includes('10.0.0.1\tapi.c.local')) {
    assert.ok(Date.now() < deadline, 'block not restored')
    await new Promise((r) => setTimeout(r, 20))
  }
})
