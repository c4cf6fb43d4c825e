// The agent's state file, with a gossip node as the source (never started: snapshots come in as
// `restore` inputs, checked exactly like a peer's): a restart serves the signed snapshots at once,
// never goes back to an older version, and a damaged, forged or unsigned state file serves nothing.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { Registry } from 'prom-client'
import { createAgent } from '../../../lib/agent/agent.ts'
import { LEGACY_REPLICA_FILE, snapshotStore } from '../../../lib/agent/persist.ts'
import type { Agent } from '../../../lib/agent/agent.ts'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import { signedMessage } from '../../../lib/gossip/core/snapshot.ts'
import type { Snapshot } from '../../../lib/gossip/core/snapshot.ts'
import type { Version } from '../../../lib/gossip/core/types.ts'
import { encodeFrame } from '../../../lib/gossip/core/wire.ts'
import { createGossipNode } from '../../../lib/gossip/node.ts'
import type { GossipNode } from '../../../lib/gossip/node.ts'
import type { PublisherSigner } from '../../../lib/gossip/keys.ts'
import { SNAPSHOT_FILE, decodeSnapshotFile, encodeSnapshotFile } from '../../../lib/gossip/snapshot-file.ts'
import type { ResolvedRecord } from '../../../lib/records/types.ts'
import { systemClock } from '../../../lib/util/clock.ts'
import { randomRng } from '../../../lib/util/random.ts'
import { silentLogger } from '../../../lib/util/log.ts'
import { counter, newSigner } from '../../helpers/gossip.ts'
import { dig } from '../dns/dig.ts'

const NAME = 'api.internal.c.k8s.local'
const HOSTS = '127.0.0.1 localhost\n'
const signer = newSigner()
const stranger = newSigner()

function snapshot(s: PublisherSigner, version: Version, records: readonly ResolvedRecord[]): Snapshot {
  return {
    publisher: s.publicKey,
    version,
    records,
    signature: s.sign(signedMessage(s.publicKey, version, records)),
  }
}
const full = (s: Snapshot): Uint8Array => encodeFrame({ kind: 'full', snapshot: s })
const a = (...values: string[]): ResolvedRecord[] => [{ name: NAME, type: 'A', values, ttlSeconds: 60 }]
const now = Date.now()
const v1 = snapshot(signer, { wallMs: now - 60_000, counter: 0 }, a('10.0.0.1'))
const v2 = snapshot(signer, { wallMs: now - 30_000, counter: 0 }, a('10.0.0.2', '10.0.0.3'))

interface Running {
  readonly agent: Agent
  readonly node: GossipNode
  readonly registry: Registry
  stop(): Promise<void>
}

async function run(dir: string, t: { after: (f: () => Promise<void>) => void }): Promise<Running> {
  const registry = new Registry()
  const node = createGossipNode(
    {
      primary: { listen: { host: '127.0.0.1', port: 0 }, seeds: [], psk: undefined },
      privateKey: await generateKeyPair('Ed25519'),
      trustedPublishers: [signer.publicKey],
    },
    { clock: systemClock, rng: randomRng(), log: silentLogger, registry },
  )
  const agent = createAgent(
    {
      zones: ['k8s.local'],
      hostsFile: join(dir, 'hosts'),
      dnsListen: { host: '127.0.0.1', port: 0 },
      upstreams: [],
      metricsListen: { host: '127.0.0.1', port: 0 },
      publisherTimeoutSeconds: 0,
    },
    {
      source: node,
      log: silentLogger,
      registry,
      clock: systemClock,
      store: snapshotStore(join(dir, 'state'), { source: node, log: silentLogger, registry }),
    },
  )
  await agent.start()
  let stopped = false
  const stop = async (): Promise<void> => {
    if (stopped) return
    stopped = true
    await agent.stop()
    await node.stop()
  }
  t.after(stop)
  return { agent, node, registry, stop }
}

function setup(t: { after: (f: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'agent-state-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'hosts'), HOSTS)
  return dir
}

const persisted = (dir: string): readonly Uint8Array[] => {
  const d = decodeSnapshotFile(readFileSync(join(dir, 'state', SNAPSHOT_FILE)), {
    maxFrames: GOSSIP_DEFAULTS.maxPublishers,
    maxFrameBytes: GOSSIP_DEFAULTS.maxFrameBytes,
  })
  assert.ok(d.ok, 'state file decodes')
  return d.frames
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

test(
  'agent state: a restart serves the signed snapshot at once and never goes back to an older one',
  { timeout: 30_000 },
  async (t) => {
    const dir = setup(t)
    const first = await run(dir, t)
    assert.deepEqual(first.node.restore([full(v2)]), [{ ok: true }]) // arrives as from a peer
    await until(() => existsSync(join(dir, 'state', SNAPSHOT_FILE)), 'the state file')
    assert.deepEqual(persisted(dir), [full(v2)])
    assert.ok(!existsSync(join(dir, 'state', LEGACY_REPLICA_FILE)), 'no unsigned copy')
    await first.stop()

    // Restarted and isolated: served from the state file before any peer.
    const second = await run(dir, t)
    const ops = `http://127.0.0.1:${second.agent.opsAddress?.port ?? 0}`
    assert.equal((await fetch(`${ops}/readyz`)).status, 200)
    assert.equal((await dig(second.agent.dnsAddress?.port ?? 0, NAME, 'A')).answer.length, 2)
    // The only peer it reaches replays an older version: refused, in memory and on disk.
    assert.deepEqual(second.node.restore([full(v1)]), [{ ok: false, reason: 'stale' }])
    assert.equal(second.agent.state().publishers[0]?.version, `${v2.version.wallMs}.0`)
    assert.deepEqual(persisted(dir), [full(v2)])
    assert.equal((await dig(second.agent.dnsAddress?.port ?? 0, NAME, 'A')).answer.length, 2)
    await until(() => readFileSync(join(dir, 'hosts'), 'utf8').includes(`10.0.0.3\t${NAME}`), 'hosts v2')
  },
)

const forged = (): Uint8Array => full({ ...v2, records: a('6.6.6.6') })
const bad: { name: string; write: (stateDir: string) => void; reason: string }[] = [
  {
    name: 'a flipped byte',
    write: (d) => {
      const b = encodeSnapshotFile([full(v2)])
      b[40] = (b[40] as number) ^ 1
      writeFileSync(join(d, SNAPSHOT_FILE), b)
    },
    reason: 'bad-checksum',
  },
  {
    name: 'a truncated file',
    write: (d) => writeFileSync(join(d, SNAPSHOT_FILE), encodeSnapshotFile([full(v2)]).subarray(0, 100)),
    reason: 'bad-checksum',
  },
  {
    name: 'records changed under the signature (checksum recomputed)',
    write: (d) => writeFileSync(join(d, SNAPSHOT_FILE), encodeSnapshotFile([forged()])),
    reason: 'bad-signature',
  },
  {
    name: 'a snapshot signed by a key that is not trusted',
    write: (d) =>
      writeFileSync(
        join(d, SNAPSHOT_FILE),
        encodeSnapshotFile([full(snapshot(stranger, v2.version, a('6.6.6.6')))]),
      ),
    reason: 'untrusted-publisher',
  },
  {
    name: 'a trusted signature over a name with a newline',
    write: (d) => {
      const s = snapshot(signer, v2.version, [
        { name: `x.k8s.local\n6.6.6.7 api.openai.com`, type: 'A', values: ['10.0.0.1'], ttlSeconds: 60 },
      ])
      writeFileSync(join(d, SNAPSHOT_FILE), encodeSnapshotFile([full(s)]))
    },
    reason: 'invalid-name',
  },
  {
    name: "an unsigned replica.json (an older version's format, or planted)",
    write: (d) =>
      writeFileSync(
        join(d, LEGACY_REPLICA_FILE),
        JSON.stringify({
          records: [{ name: NAME, type: 'A', values: ['6.6.6.6'], ttlSeconds: 60 }],
          publishers: [{ id: signer.id, version: '9999999999999.0' }],
        }),
      ),
    reason: 'unsigned-legacy-file',
  },
  {
    name: 'garbage',
    write: (d) => writeFileSync(join(d, SNAPSHOT_FILE), 'garbage, not a state file'),
    reason: 'not-a-state-file',
  },
]

for (const c of bad)
  test(
    `agent state: ${c.name} serves nothing (dropped as ${c.reason}, counted)`,
    { timeout: 30_000 },
    async (t) => {
      const dir = setup(t)
      mkdirSync(join(dir, 'state'), { recursive: true })
      c.write(join(dir, 'state'))
      const { agent, registry } = await run(dir, t)
      const ops = `http://127.0.0.1:${agent.opsAddress?.port ?? 0}`
      assert.equal((await fetch(`${ops}/readyz`)).status, 503)
      assert.equal((await dig(agent.dnsAddress?.port ?? 0, NAME, 'A')).status, 'SERVFAIL')
      assert.deepEqual(agent.state().records, [])
      assert.equal(
        await counter(registry, 'dns_controller_agent_state_dropped_total', { reason: c.reason }),
        1,
      )
      await agent.stop()
      assert.equal(readFileSync(join(dir, 'hosts'), 'utf8'), HOSTS, 'hosts file untouched')
      assert.ok(!existsSync(join(dir, 'state', LEGACY_REPLICA_FILE)), 'the unsigned file is gone')
    },
  )
