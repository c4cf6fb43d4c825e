// The agent as a node service, end to end: the single executable runs as agents in network
// namespaces (veth to a hub bridge), each with its own /etc/hosts (the /etc/netns bind mount)
// holding nodeup's seed block, each started with the packaged unit's exact ExecStart line and an
// environment file of the packaged shape, seeded by the control plane's static address. No
// Kubernetes API anywhere: the names come from gossip alone. Then the control plane goes away and
// an agent restarts with no peer at all (it serves its persisted replica), and the control-plane
// address changes (every hosts file follows within a second). Needs root and iproute2; creates and
// always removes its own namespaces (prefix hnode-).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BEGIN_MARKER, END_MARKER } from '../../lib/sinks/hosts/block.ts'
import { seaExecutable } from '../helpers/sea.ts'
import { execArgv, parseEnvFile, parseUnit, unitEnvironment, unitValues } from '../helpers/unit-file.ts'
import { Lab, killAll, labSkip, startPublisher, until, writeKeys } from './lab.ts'

const AGENTS = 2
const CLUSTER = 'e2e.k8s.local'
const API = `api.internal.${CLUSTER}`
const ROOT = join(import.meta.dirname, '../..')
const lab = new Lab('hnode', AGENTS, 252) // node 0 = control plane
/** nodeup's seed: the API name at the control plane's address as the node was built. */
const SEEDED = `127.0.0.1 localhost\n\n${BEGIN_MARKER}\n10.0.0.1\t${API}\n${END_MARKER}\n`
const getent = (i: number, name: string): string => lab.exec(i, 'getent', 'hosts', name)

/** The first address the hosts file gives for `name`, as glibc reads it. */
function firstAddress(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    const [a, ...names] = line.trim().split(/\s+/)
    if (a !== undefined && !a.startsWith('#') && names.includes(name)) return a
  }
  return undefined
}

test(
  'node service: the executable as agents in namespaces, from the unit line, without Kubernetes',
  { timeout: 600_000, skip: labSkip(['getent']) },
  async (t) => {
    const exe = await seaExecutable()
    const dir = mkdtempSync(join(tmpdir(), 'hnode-e2e-'))
    const procs = new Set<ChildProcess>()
    t.after(async () => {
      await killAll(procs)
      lab.cleanup()
      rmSync(dir, { recursive: true, force: true })
    })
    lab.create(() => ({ hosts: SEEDED }))
    const keys = writeKeys(dir)

    // The control plane: a publisher at a static address, what every node is seeded with.
    const publisher = await startPublisher(lab, 0, 3999, keys)
    procs.add(publisher.proc)
    const publish = (addresses: string[]): Promise<number> =>
      publisher.publish(
        addresses.length === 0 ? [] : [{ name: API, type: 'A', values: addresses, ttlSeconds: 60 }],
      )
    await publish(['10.0.0.2'])

    // Each agent: the unit's ExecStart, expanded with an environment file of the shipped shape.
    const unit = parseUnit(readFileSync(join(ROOT, 'packaging/systemd/dns-controller-agent.service'), 'utf8'))
    const shipped = parseEnvFile(readFileSync(join(ROOT, 'packaging/systemd/agent.env'), 'utf8'))
    const execStart = unitValues(unit, 'Service', 'ExecStart')[0] ?? ''
    const envFile = (i: number): string => {
      const path = join(dir, `agent-${i}.env`)
      const env = {
        ...shipped,
        DNS_CONTROLLER_AGENT_ARGS: `"--hosts-file=/etc/hosts --zone=${CLUSTER} --gossip-seed=${lab.addr(0)}:3999 --gossip-listen=${lab.addr(i)}:3999 --state-dir=${join(dir, `state-${i}`)} --gossip-secret-file=${keys.psk} --trusted-publisher-key-file=${keys.publicKey}"`,
      }
      writeFileSync(
        path,
        Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n') + '\n',
      )
      return path
    }
    const start = (i: number): ChildProcess => {
      const env = { ...unitEnvironment(unit), ...parseEnvFile(readFileSync(envFile(i), 'utf8')) }
      const argv = execArgv(execStart, env)
      assert.equal(argv[0], '/usr/bin/dns-controller')
      const p = lab.spawn(i, [exe, ...argv.slice(1)], {
        env: { UV_THREADPOOL_SIZE: env['UV_THREADPOOL_SIZE'] ?? '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      })
      p.stderr?.on('data', (d: Buffer) => {
        if (/ E /.test(d.toString())) process.stderr.write(`agent ${i}: ${d.toString()}`)
      })
      procs.add(p)
      return p
    }
    const agents = new Map<number, ChildProcess>()
    for (let i = 1; i <= AGENTS; i++) agents.set(i, start(i))

    // Names resolve from gossip alone; the agent's address wins over nodeup's seed.
    for (let i = 1; i <= AGENTS; i++)
      await until(`agent ${i} to resolve ${API}`, () => /^10\.0\.0\.2\s/.test(getent(i, API)))

    // The control plane goes away; agent 1 restarts with no peer and serves its persisted replica.
    publisher.proc.stdin?.end()
    publisher.proc.kill('SIGTERM')
    await once(publisher.proc, 'exit')
    procs.delete(publisher.proc)
    const first = agents.get(1)
    assert.ok(first !== undefined)
    first.kill('SIGTERM')
    await once(first, 'exit')
    procs.delete(first)
    writeFileSync(lab.hostsOf(1), SEEDED)
    agents.set(1, start(1))
    await until(
      'the restarted agent to serve its persisted replica',
      () => firstAddress(readFileSync(lab.hostsOf(1), 'utf8'), API) === '10.0.0.2',
    )
    assert.match(getent(1, API), /^10\.0\.0\.2\s/)
    // (The unit's readiness wait passes on that replica: `ready` against its /readyz.)
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        lab.ns(1),
        exe,
        ...execArgv(unitValues(unit, 'Service', 'ExecStartPost')[0] ?? '', shipped).slice(1),
      ],
      { env: {}, timeout: 90_000, stdio: 'pipe' },
    )

    // The control plane is replaced at a new address: every node follows within a second.
    const replacement = await startPublisher(lab, 0, 3999, keys)
    procs.add(replacement.proc)
    // Agents re-dial their seed with backoff: wait until the new control plane has peers again.
    const publishNew = (addresses: string[]): Promise<number> =>
      replacement.publish([{ name: API, type: 'A', values: addresses, ttlSeconds: 60 }])
    // Once every agent has redialled its seed (with backoff) and holds the new control plane's first
    // version, the next change is timed.
    await publishNew(['10.0.0.4'])
    for (let i = 1; i <= AGENTS; i++)
      await until(
        `agent ${i} to reconnect`,
        () => firstAddress(readFileSync(lab.hostsOf(i), 'utf8'), API) === '10.0.0.4',
        120_000,
      )
    const t0 = await publishNew(['10.0.0.3'])
    const took: number[] = []
    for (let i = 1; i <= AGENTS; i++) {
      await until(
        `agent ${i} to follow the new address`,
        () => firstAddress(readFileSync(lab.hostsOf(i), 'utf8'), API) === '10.0.0.3',
        30_000,
        10,
      )
      took.push(performance.now() - t0)
    }
    t.diagnostic(`hosts files followed in ${took.map((ms) => ms.toFixed(0)).join(', ')} ms`)
    assert.ok(Math.max(...took) < 1000, `followed in ${took.join(', ')} ms`)
  },
)
