// The agent wired to an in-memory replica: hosts file, DNS, /readyz, /state (persistence: state.test.ts).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { once } from 'node:events'
import { Registry } from 'prom-client'
import { createAgent } from '../../../lib/agent/agent.ts'
import type { ReplicaSource, ReplicaView } from '../../../lib/gossip/api.ts'
import { memorySource } from '../../harness/memory-source.ts'
import { systemClock } from '../../../lib/util/clock.ts'
import { silentLogger } from '../../../lib/util/log.ts'
import { dig } from '../dns/dig.ts'

const V1: ReplicaView = {
  records: [{ name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 }],
  publishers: [{ id: 'ab'.repeat(32), version: '1.0' }],
}
const V2: ReplicaView = {
  records: [
    { name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.2', '10.0.0.3'], ttlSeconds: 60 },
  ],
  publishers: [{ id: 'ab'.repeat(32), version: '2.0' }],
}

function setup(t: { after: (f: () => void) => void }): { dir: string; hostsFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'agent-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const hostsFile = join(dir, 'hosts')
  writeFileSync(hostsFile, '127.0.0.1 localhost\n')
  return { dir, hostsFile }
}

function startAgent(dir: string, hostsFile: string, source: ReplicaSource = memorySource()) {
  return createAgent(
    {
      zones: ['k8s.local'],
      hostsFile,
      dnsListen: { host: '127.0.0.1', port: 0 },
      upstreams: [],
      metricsListen: { host: '127.0.0.1', port: 0 },
      publisherTimeoutSeconds: 0,
    },
    { source, log: silentLogger, registry: new Registry(), clock: systemClock, peers: () => 3 },
  )
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

test(
  'agent: not ready and SERVFAIL before a replica; then hosts, DNS, /state follow it',
  { timeout: 30_000 },
  async (t) => {
    const { dir, hostsFile } = setup(t)
    const source = memorySource()
    const agent = startAgent(dir, hostsFile, source)
    await agent.start()
    t.after(() => agent.stop())
    const dnsPort = agent.dnsAddress?.port ?? 0
    const base = `http://127.0.0.1:${agent.opsAddress?.port ?? 0}`
    assert.equal((await fetch(`${base}/readyz`)).status, 503)
    assert.equal((await dig(dnsPort, 'api.internal.c.k8s.local', 'A')).status, 'SERVFAIL')
    assert.equal(readFileSync(hostsFile, 'utf8'), '127.0.0.1 localhost\n', 'untouched before a replica')

    source.set(V1)
    assert.equal((await fetch(`${base}/readyz`)).status, 200)
    assert.deepEqual((await dig(dnsPort, 'api.internal.c.k8s.local', 'A')).answer, [
      'api.internal.c.k8s.local. 60 IN A 10.0.0.1',
    ])
    await until(
      () => readFileSync(hostsFile, 'utf8').includes('10.0.0.1\tapi.internal.c.k8s.local'),
      'hosts v1',
    )

    source.set(V2)
    await until(
      () => readFileSync(hostsFile, 'utf8').includes('10.0.0.3\tapi.internal.c.k8s.local'),
      'hosts v2',
    )
    assert.ok(!readFileSync(hostsFile, 'utf8').includes('10.0.0.1'), 'old address removed')
    assert.equal((await dig(dnsPort, 'api.internal.c.k8s.local', 'A')).answer.length, 2)
    assert.deepEqual(await (await fetch(`${base}/state`)).json(), {
      records: [{ name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.2', '10.0.0.3'], ttl: 60 }],
      publishers: [{ id: 'ab'.repeat(32), version: '2.0' }],
      peers: 3,
      sinks: { hosts: { path: hostsFile }, dns: { listen: `127.0.0.1:${dnsPort}` } },
    })
    const metrics = await (await fetch(`${base}/metrics`)).text()
    assert.match(
      metrics,
      /dns_controller_agent_replica_publisher_info\{publisher="(?:ab)+",version="2.0"\} 1/,
    )
    assert.match(metrics, /dns_controller_hosts_writes_total\{outcome="written"\} 2/)
  },
)

test(
  'agent: a metrics port in use fails start and leaves nothing listening',
  { timeout: 30_000 },
  async (t) => {
    const { hostsFile } = setup(t)
    const blocker = createServer().listen(0, '127.0.0.1')
    await once(blocker, 'listening')
    t.after(() => blocker.close())
    const port = (blocker.address() as AddressInfo).port
    const agent = createAgent(
      {
        zones: ['k8s.local'],
        hostsFile,
        dnsListen: { host: '127.0.0.1', port: 0 },
        upstreams: [],
        metricsListen: { host: '127.0.0.1', port },
        publisherTimeoutSeconds: 0,
      },
      { source: memorySource(), log: silentLogger, registry: new Registry(), clock: systemClock },
    )
    await assert.rejects(agent.start(), /EADDRINUSE/)
    // The DNS server that did start was closed: its port can be taken again.
    const dnsPort = agent.dnsAddress?.port ?? 0
    assert.ok(dnsPort > 0)
    const again = createServer().listen(dnsPort, '127.0.0.1')
    await once(again, 'listening')
    again.close()
  },
)
