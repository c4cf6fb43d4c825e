// Real agent processes against a hostile peer that holds the network key (and, for the injection
// cases, snapshots signed with the publisher key): an isolated restarted agent keeps its newer
// snapshot when offered an older one, in memory and on disk; signed names or values with control
// characters and versions far in the future are dropped and never reach the hosts file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { GOSSIP_DEFAULTS } from '../../../lib/gossip/core/config.ts'
import { signedMessage } from '../../../lib/gossip/core/snapshot.ts'
import type { Snapshot } from '../../../lib/gossip/core/snapshot.ts'
import type { Version } from '../../../lib/gossip/core/types.ts'
import { encodeFrame } from '../../../lib/gossip/core/wire.ts'
import type { PublisherSigner } from '../../../lib/gossip/keys.ts'
import { createHost, GOSSIP_PROTOCOL } from '../../../lib/gossip/libp2p/host.ts'
import { SNAPSHOT_FILE, decodeSnapshotFile } from '../../../lib/gossip/snapshot-file.ts'
import type { ResolvedRecord } from '../../../lib/records/types.ts'
import { freePort } from '../../../lib/util/ports.ts'
import { agentArgs, writeAgentKeys } from '../../helpers/agent-args.ts'
import { dig } from '../dns/dig.ts'

const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')
const NAME = 'api.internal.c.k8s.local'

function snapshot(s: PublisherSigner, version: Version, records: readonly ResolvedRecord[]): Snapshot {
  return {
    publisher: s.publicKey,
    version,
    records,
    signature: s.sign(signedMessage(s.publicKey, version, records)),
  }
}
const full = (s: Snapshot): Uint8Array => encodeFrame({ kind: 'full', snapshot: s })
const rec = (name: string, ...values: string[]): ResolvedRecord => ({
  name,
  type: 'A',
  values,
  ttlSeconds: 60,
})

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

interface AgentProc {
  readonly child: ChildProcess
  readonly gossipPort: number
  readonly dnsPort: number
  readonly ops: string
}

/** An agent whose only seed is a port nobody listens on: isolated from any honest peer. */
async function startAgent(dir: string, t: { after: (f: () => void) => void }): Promise<AgentProc> {
  const [gossipPort, dnsPort, metricsPort, nobody] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ]
  const args = agentArgs({
    keys: dir,
    own: dir,
    gossipPort,
    dnsPort,
    metricsPort,
    seeds: [nobody],
    zone: 'k8s.local',
  })
  const child = spawn(NODE, [CLI, ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
  t.after(() => child.kill('SIGKILL'))
  const ops = `http://127.0.0.1:${metricsPort}`
  await until('the ops port', async () => (await fetch(`${ops}/healthz`).catch(() => undefined))?.ok === true)
  return { child, gossipPort, dnsPort, ops }
}

async function stopAgent(a: AgentProc): Promise<void> {
  const exited = once(a.child, 'exit')
  a.child.kill('SIGTERM')
  await exited
}

async function version(a: AgentProc): Promise<string | undefined> {
  const r = await fetch(`${a.ops}/state`).catch(() => undefined)
  if (r?.status !== 200) return undefined
  return ((await r.json()) as { publishers: { version: string }[] }).publishers[0]?.version
}

async function metric(a: AgentProc, name: string, reason: string): Promise<number> {
  const text = await (await fetch(`${a.ops}/metrics`)).text()
  const m = new RegExp(`^${name}\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text)
  return Number(m?.[1] ?? 0)
}

function persisted(dir: string): readonly Uint8Array[] {
  const d = decodeSnapshotFile(readFileSync(join(dir, 'state', SNAPSHOT_FILE)), {
    maxFrames: GOSSIP_DEFAULTS.maxPublishers,
    maxFrameBytes: GOSSIP_DEFAULTS.maxFrameBytes,
  })
  assert.ok(d.ok, 'the state file decodes')
  return d.frames
}

test(
  'agent process: isolated after a restart, it keeps its newer snapshot against an older one; injected names and far-future versions are dropped',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-rollback-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const { psk, signer } = writeAgentKeys(dir)
    writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
    const peer = await createHost({
      privateKey: await generateKeyPair('Ed25519'),
      listen: { host: '127.0.0.1', port: 0 },
      psk,
    })
    t.after(() => void peer.stop())
    const send = async (a: AgentProc, frames: readonly Uint8Array[]): Promise<void> => {
      const stream = await peer.dialProtocol(
        multiaddr(`/ip4/127.0.0.1/tcp/${a.gossipPort}`),
        GOSSIP_PROTOCOL,
        {
          signal: AbortSignal.timeout(5000),
        },
      )
      const lp = lpStream(stream)
      for (const f of frames) await lp.write(f, { signal: AbortSignal.timeout(5000) })
    }

    const now = Date.now()
    const v1 = snapshot(signer, { wallMs: now - 60_000, counter: 0 }, [rec(NAME, '10.0.0.1')])
    const v2 = snapshot(signer, { wallMs: now - 30_000, counter: 0 }, [rec(NAME, '10.0.0.2')])

    // First run: v2 arrives from a peer, is served and persisted.
    const first = await startAgent(dir, t)
    await send(first, [full(v2)])
    await until('the first run serves v2', async () => (await version(first)) === `${v2.version.wallMs}.0`)
    await until('v2 persisted', () => {
      try {
        return persisted(dir).length === 1
      } catch {
        return false
      }
    })
    await stopAgent(first)

    // Restarted, isolated: served from the state file; the only peer replays v1.
    const second = await startAgent(dir, t)
    await until('the restart serves v2', async () => (await version(second)) === `${v2.version.wallMs}.0`)
    const max = { wallMs: Number.MAX_SAFE_INTEGER, counter: Number.MAX_SAFE_INTEGER }
    const injected = [
      snapshot(signer, { wallMs: now, counter: 0 }, [rec(`x.k8s.local\n6.6.6.7 api.openai.com`, '10.0.0.9')]),
      snapshot(signer, { wallMs: now, counter: 1 }, [rec(NAME, '10.0.0.9\n6.6.6.7 api.openai.com')]),
    ]
    await send(second, [full(v1), ...injected.map(full), full(snapshot(signer, max, [rec(NAME, '6.6.6.6')]))])
    const drops = 'dns_controller_gossip_frames_dropped_total'
    await until('all four counted', async () => {
      const [stale, name, value, ahead] = await Promise.all(
        ['stale', 'invalid-name', 'invalid-value', 'too-far-ahead'].map((r) => metric(second, drops, r)),
      )
      return stale === 1 && name === 1 && value === 1 && ahead === 1
    })
    assert.equal(await version(second), `${v2.version.wallMs}.0`, 'in memory')
    assert.deepEqual(persisted(dir), [full(v2)], 'on disk')
    assert.deepEqual((await dig(second.dnsPort, NAME, 'A')).answer, [`${NAME}. 60 IN A 10.0.0.2`])
    const hosts = readFileSync(join(dir, 'hosts'), 'utf8')
    assert.ok(hosts.includes(`10.0.0.2\t${NAME}`), hosts)
    assert.ok(!hosts.includes('6.6.6'), hosts)

    // The honest publisher's next version still goes through.
    const v3 = snapshot(signer, { wallMs: Date.now(), counter: 0 }, [rec(NAME, '10.0.0.3')])
    await send(second, [full(v3)])
    await until('v3 served', async () => (await version(second)) === `${v3.version.wallMs}.0`)
    await until('v3 persisted', () => Buffer.from(persisted(dir)[0] ?? []).equals(full(v3)))
    await stopAgent(second)
  },
)
