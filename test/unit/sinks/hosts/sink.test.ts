import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { createHostsSink } from '../../../../lib/sinks/hosts/sink.ts'
import type { ReplicaView } from '../../../../lib/gossip/api.ts'
import { silentLogger } from '../../../../lib/util/log.ts'

const view = (addr: string): ReplicaView => ({
  records: [
    { name: 'api.c.local', type: 'A', values: [addr], ttlSeconds: 60 },
    { name: 'other.example.org', type: 'A', values: ['10.9.9.9'], ttlSeconds: 60 },
  ],
  publishers: [{ id: 'p', version: '1' }],
})

test('hosts sink: a burst of views writes only the latest; outside-zone names are not written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-sink-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'hosts')
  writeFileSync(path, '127.0.0.1 localhost\n')
  const registry = new Registry()
  const sink = createHostsSink({ path, zones: ['local'] }, { log: silentLogger, registry })
  t.after(() => sink.stop())
  for (let i = 1; i <= 5; i++) sink.update(view(`10.0.0.${i}`))
  await sink.idle()
  const text = readFileSync(path, 'utf8')
  assert.match(text, /10\.0\.0\.5\tapi\.c\.local/)
  assert.doesNotMatch(text, /10\.0\.0\.1\t|other\.example\.org/)
  assert.match(await registry.metrics(), /dns_controller_hosts_writes_total\{outcome="written"\} 1\n/)
})

test('hosts sink: a missing file is an error and is counted (never created)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-sink-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const registry = new Registry()
  const sink = createHostsSink(
    { path: join(dir, 'absent'), zones: ['local'] },
    { log: silentLogger, registry },
  )
  t.after(() => sink.stop())
  sink.update(view('10.0.0.1'))
  await sink.idle()
  assert.match(await registry.metrics(), /dns_controller_hosts_writes_total\{outcome="error"\} 1\n/)
})

test('hosts sink: wildcard names stay out of the file, counted once per name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-sink-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'hosts')
  writeFileSync(path, '127.0.0.1 localhost\n')
  const registry = new Registry()
  const sink = createHostsSink({ path, zones: ['local'] }, { log: silentLogger, registry })
  t.after(() => sink.stop())
  const wild: ReplicaView = {
    records: [
      { name: '*.apps.c.local', type: 'A', values: ['10.2.0.1'], ttlSeconds: 60 },
      { name: 'api.c.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 },
    ],
    publishers: [],
  }
  sink.update(wild)
  await sink.idle()
  sink.update({ ...wild, records: [...wild.records] })
  await sink.idle()
  const text = readFileSync(path, 'utf8')
  assert.match(text, /10\.0\.0\.1\tapi\.c\.local/)
  assert.doesNotMatch(text, /\*|10\.2\.0\.1/)
  assert.match(await registry.metrics(), /dns_controller_hosts_skipped_names_total\{reason="wildcard"\} 1\n/)
})
