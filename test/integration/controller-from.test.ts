import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { Controller } from '../../lib/controller/loop.ts'
import { RECORD_DEFAULTS } from '../../lib/records/options.ts'
import { FileSource } from '../../lib/sources/file.ts'
import { ManifestError } from '../../lib/sources/manifest.ts'
import { systemClock } from '../../lib/util/clock.ts'
import { seededRng } from '../../lib/util/random.ts'
import { silentLogger } from '../../lib/util/log.ts'
import { MemoryPublisher } from '../harness/memory-publisher.ts'

const manifest = (ip: string) => `
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  annotations: { dns.alpha.kubernetes.io/external: web.example.local }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: ignored }
`

function controllerFor(path: string, publisher: MemoryPublisher) {
  return new Controller(
    { records: { ...RECORD_DEFAULTS, watchIngress: false }, debounceMs: 20 },
    {
      log: silentLogger,
      registry: new Registry(),
      clock: systemClock,
      rng: seededRng(1),
      publisher,
      source: (sink) => new FileSource({ path, debounceMs: 20 }, sink, { log: silentLogger }),
    },
  )
}

test('--from: publishes the file, follows edits (also by rename), keeps the last good objects on a bad edit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'dnsc-from-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'objects.yaml')
  await writeFile(path, manifest('10.0.0.1'))
  const publisher = new MemoryPublisher()
  const controller = controllerFor(path, publisher)
  await controller.start()
  t.after(() => controller.stop())

  await publisher.waitFor((p) => p.records.length === 1, 5000)
  assert.deepEqual(publisher.lines(), ['web.example.local A 10.0.0.1'])

  await writeFile(path, manifest('10.0.0.2'))
  await publisher.waitFor((p) => p.records[0]?.values[0] === '10.0.0.2', 5000)

  // Editors save by writing a new file and renaming it over the old one.
  await writeFile(join(dir, 'tmp.yaml'), manifest('10.0.0.3'))
  await rename(join(dir, 'tmp.yaml'), path)
  await publisher.waitFor((p) => p.records[0]?.values[0] === '10.0.0.3', 5000)

  const count = publisher.publications.length
  await writeFile(path, 'kind: [unterminated')
  await new Promise((r) => setTimeout(r, 300))
  assert.equal(publisher.publications.length, count, 'a bad edit publishes nothing')
  assert.match(controller.sourceStatus()[0]?.lastError ?? '', /not valid YAML/)

  await writeFile(path, '')
  await publisher.waitFor((p) => p.records.length === 0, 5000)
})

test('--from: an unreadable file fails start with a ManifestError', async () => {
  const controller = controllerFor('/nonexistent/objects.yaml', new MemoryPublisher())
  await assert.rejects(controller.start(), ManifestError)
  await controller.stop()
})
