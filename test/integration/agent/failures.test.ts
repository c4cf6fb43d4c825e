// Failures an operator must see: /readyz says why (hosts file not writable, no trusted publisher
// in time), /state shows each sink's last error, and the log names a --zone mismatch once.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { createAgent } from '../../../lib/agent/agent.ts'
import type { AgentState } from '../../../lib/agent/status.ts'
import type { ReplicaView } from '../../../lib/gossip/api.ts'
import { memorySource } from '../../harness/memory-source.ts'
import { memoryLogger } from '../../../lib/util/log.ts'

const V1: ReplicaView = {
  records: [{ name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 }],
  publishers: [{ id: 'ab'.repeat(32), version: '1.0' }],
}

function setup(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-failures-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
  return dir
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

test(
  'a hosts file that cannot be written: /readyz 503 with the reason, /state shows the error, until it can',
  { timeout: 30_000 },
  async (t) => {
    const dir = setup(t)
    const hostsFile = join(dir, 'hosts')
    const source = memorySource()
    const log = memoryLogger()
    const agent = createAgent(
      {
        zones: ['k8s.local'],
        hostsFile,
        dnsListen: { host: '127.0.0.1', port: 0 },
        upstreams: [],
        metricsListen: { host: '127.0.0.1', port: 0 },
        publisherTimeoutSeconds: 0,
      },
      { source, log, registry: new Registry(), clock: { now: () => Date.now() } },
    )
    await agent.start()
    t.after(() => agent.stop())
    const base = `http://127.0.0.1:${agent.opsAddress?.port ?? 0}`
    // Removed after start (the start check refuses a missing one): the same failure as unwritable.
    rmSync(hostsFile)
    source.set(V1)
    await until(async () => (await fetch(`${base}/readyz`)).status === 503, '/readyz to fail')
    const body = await (await fetch(`${base}/readyz`)).text()
    assert.match(body, new RegExp(`hosts file ${hostsFile} cannot be written: .*ENOENT`))
    const state = (await (await fetch(`${base}/state`)).json()) as AgentState
    assert.equal(state.sinks?.hosts?.path, hostsFile)
    assert.match(state.sinks?.hosts?.lastError ?? '', /ENOENT/)
    assert.ok(state.sinks?.dns?.listen.startsWith('127.0.0.1:'))
    assert.equal(state.sinks?.dns?.lastError, undefined)
    assert.ok(log.lines.some((l) => / E \S*hosts: hosts file write failed /.test(l)))

    // Put back: the retry writes it, readiness and /state recover.
    writeFileSync(hostsFile, '127.0.0.1 localhost\n')
    await until(async () => (await fetch(`${base}/readyz`)).status === 200, '/readyz to recover', 40_000)
    const after = (await (await fetch(`${base}/state`)).json()) as AgentState
    assert.equal(after.sinks?.hosts?.lastError, undefined)
  },
)

test('no live snapshot from a trusted publisher within --publisher-timeout: not ready, with the reason', async (t) => {
  let now = 1_000_000
  const source = memorySource()
  const agent = createAgent(
    { zones: ['k8s.local'], upstreams: [], publisherTimeoutSeconds: 300 },
    { source, log: memoryLogger(), registry: new Registry(), clock: { now: () => now } },
  )
  await agent.start()
  t.after(() => agent.stop())
  assert.equal(agent.ready().reason, 'no verified replica yet (live or persisted)')
  now += 299_000
  assert.equal(agent.ready().reason, 'no verified replica yet (live or persisted)')
  now += 1000
  const r = agent.ready()
  assert.equal(r.ok, false)
  assert.match(
    r.reason ?? '',
    /^no snapshot from a trusted publisher in 300 s since start: check the gossip key, --trusted-publisher-key-file/,
  )
  source.set(V1)
  assert.deepEqual(agent.ready(), { ok: true }, 'a live snapshot makes it ready')
  now += 10_000_000
  assert.deepEqual(agent.ready(), { ok: true }, 'and silence after that is normal')
})

test('publisher timeout 0 never fails readiness on its own', async (t) => {
  let now = 0
  const source = memorySource()
  const agent = createAgent(
    { zones: ['k8s.local'], upstreams: [], publisherTimeoutSeconds: 0 },
    { source, log: memoryLogger(), registry: new Registry(), clock: { now: () => now } },
  )
  await agent.start()
  t.after(() => agent.stop())
  now += 10_000_000
  assert.equal(agent.ready().reason, 'no verified replica yet (live or persisted)')
})

test('published names outside every --zone of the agent: one warning naming zones and names', async (t) => {
  const source = memorySource()
  const log = memoryLogger()
  const agent = createAgent(
    { zones: ['example.com'], upstreams: [], publisherTimeoutSeconds: 0 },
    { source, log, registry: new Registry(), clock: { now: () => 0 } },
  )
  await agent.start()
  t.after(() => agent.stop())
  source.set(V1)
  source.set({ ...V1, publishers: [{ id: 'ab'.repeat(32), version: '2.0' }] })
  const warnings = log.lines.filter((l) => l.includes("no published name is in this agent's zones"))
  assert.equal(warnings.length, 1, log.lines.join('\n'))
  assert.match(warnings[0] ?? '', / W \S*agent: .*zones=example.com published=k8s.local/)
  // In the zones again, then out again: warned again.
  source.set({ ...V1, records: [{ ...V1.records[0]!, name: 'a.example.com' }] })
  source.set(V1)
  assert.equal(log.lines.filter((l) => l.includes("no published name is in this agent's zones")).length, 2)
})
