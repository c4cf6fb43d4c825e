// `dns-controller agent` as a process: it joins a publisher over the real gossip, serves the
// records by DNS and in the hosts file, shows them in `state`, and follows a new version.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { startNode } from '../../helpers/gossip.ts'
import { spawnAgent, writeAgentKeys } from '../../helpers/agent-args.ts'
import { dig } from '../dns/dig.ts'

const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test(
  'agent process: gossip → DNS, hosts file, state; a new version follows',
  { timeout: 90_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-cli-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const { psk, signer } = writeAgentKeys(dir)
    const publisher = await startNode({ psk, trusted: [signer.publicKey], signer })
    t.after(() => publisher.node.stop())
    await publisher.node.publish([
      { name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 },
    ])

    const {
      child: agent,
      dnsPort,
      metricsPort: opsPort,
    } = await spawnAgent(dir, publisher.addr.port, ['ignore', 'inherit', 'pipe'])
    if (agent.stderr === null) throw new Error('no stderr pipe')
    let stderr = ''
    agent.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    t.after(() => agent.kill('SIGKILL'))

    await until('the agent to be ready', async () => {
      const r = await fetch(`http://127.0.0.1:${opsPort}/readyz`).catch(() => undefined)
      return r?.status === 200
    })
    assert.deepEqual((await dig(dnsPort, 'api.internal.c.k8s.local', 'A')).answer, [
      'api.internal.c.k8s.local. 60 IN A 10.0.0.1',
    ])
    await until('the hosts file', () =>
      readFileSync(join(dir, 'hosts'), 'utf8').includes('10.0.0.1\tapi.internal.c.k8s.local'),
    )

    await publisher.node.publish([
      { name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.2'], ttlSeconds: 60 },
    ])
    await until(
      'the new version in DNS',
      async () =>
        (await dig(dnsPort, 'api.internal.c.k8s.local', 'A')).answer.join() ===
        'api.internal.c.k8s.local. 60 IN A 10.0.0.2',
    )
    await until(
      'the new version in the hosts file',
      () => !readFileSync(join(dir, 'hosts'), 'utf8').includes('10.0.0.1'),
    )

    const state = spawn(NODE, [CLI, 'state', `--from=127.0.0.1:${opsPort}`, '-o', 'json'])
    let out = ''
    state.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const [code] = await once(state, 'close')
    assert.equal(code, 0)
    const s = JSON.parse(out) as { records: unknown[]; publishers: { id: string }[]; peers: number }
    assert.deepEqual(s.records, [
      { name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.2'], ttl: 60 },
    ])
    assert.equal(s.publishers[0]?.id, Buffer.from(signer.publicKey).toString('hex'))
    assert.ok(s.peers >= 1)

    agent.kill('SIGTERM')
    const [exit] = await once(agent, 'exit')
    assert.equal(exit, 0, stderr)
  },
)
