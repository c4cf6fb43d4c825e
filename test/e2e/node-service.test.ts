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
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BEGIN_MARKER, END_MARKER } from '../../lib/sinks/hosts/block.ts'
import { generatePublisherKeyPem, generateSecret } from '../../lib/gossip/keys.ts'
import { seaExecutable } from '../helpers/sea.ts'
import { execArgv, parseEnvFile, parseUnit, unitValues } from '../helpers/unit-file.ts'

const AGENTS = 2
const CLUSTER = 'e2e.k8s.local'
const API = `api.internal.${CLUSTER}`
const ROOT = join(import.meta.dirname, '../..')
const id = `${process.pid % 100000}`
const hub = `hnode-${id}-hub`
const nsName = (i: number): string => `hnode-${id}-${i}` // 0 = control plane
const addr = (i: number): string => `10.252.${Number(id) % 250}.${i + 1}`
const hostsOf = (i: number): string => `/etc/netns/${nsName(i)}/hosts`

function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root'
  try {
    execFileSync('ip', ['netns', 'list'])
    execFileSync('which', ['getent'])
  } catch {
    return 'needs iproute2 and getent'
  }
  return undefined
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })

function getent(i: number, name: string): string {
  try {
    return execFileSync('ip', ['netns', 'exec', nsName(i), 'getent', 'hosts', name], {
      encoding: 'utf8',
      timeout: 10_000,
    })
  } catch {
    return ''
  }
}

function cleanup(): void {
  for (let i = 0; i <= AGENTS; i++) {
    try {
      ip('netns', 'del', nsName(i))
    } catch {
      // already gone
    }
    rmSync(`/etc/netns/${nsName(i)}`, { recursive: true, force: true })
  }
  try {
    ip('netns', 'del', hub)
  } catch {
    // already gone
  }
  try {
    rmdirSync('/etc/netns')
  } catch {
    // not empty, or absent
  }
}

async function until(what: string, check: () => boolean, ms = 60_000, every = 100): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

/** The first address the hosts file gives for `name`, as glibc reads it. */
function firstAddress(text: string, name: string): string | undefined {
  for (const line of text.split('\n')) {
    const [a, ...names] = line.trim().split(/\s+/)
    if (a !== undefined && !a.startsWith('#') && names.includes(name)) return a
  }
  return undefined
}

const skip = canRun()

test(
  'node service: the executable as agents in namespaces, from the unit line, without Kubernetes',
  { timeout: 600_000, skip },
  async (t) => {
    const exe = await seaExecutable()
    const dir = mkdtempSync(join(tmpdir(), 'hnode-e2e-'))
    const procs = new Set<ChildProcess>()
    t.after(async () => {
      for (const p of procs) p.kill('SIGKILL')
      await Promise.all(
        [...procs].map((p) => (p.exitCode === null && p.signalCode === null ? once(p, 'exit') : undefined)),
      )
      cleanup()
      rmSync(dir, { recursive: true, force: true })
    })
    cleanup()
    ip('netns', 'add', hub)
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', hub, 'link', 'set', 'br0', 'up')
    for (let i = 0; i <= AGENTS; i++) {
      const ns = nsName(i)
      ip('netns', 'add', ns)
      ip('-n', hub, 'link', 'add', `h${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
      ip('-n', hub, 'link', 'set', `h${i}`, 'master', 'br0', 'up')
      ip('-n', ns, 'addr', 'add', `${addr(i)}/24`, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
      ip('-n', ns, 'link', 'set', 'lo', 'up')
      mkdirSync(`/etc/netns/${ns}`, { recursive: true })
      // nodeup's seed: the API name at the control plane's address as the node was built.
      writeFileSync(hostsOf(i), `127.0.0.1 localhost\n\n${BEGIN_MARKER}\n10.0.0.1\t${API}\n${END_MARKER}\n`)
    }
    const secret = generateSecret()
    writeFileSync(join(dir, 'gossip.psk'), `${secret}\n`)
    const pem = generatePublisherKeyPem()
    writeFileSync(join(dir, 'publisher.key'), pem.privatePem, { mode: 0o600 })
    writeFileSync(join(dir, 'publisher.pub'), pem.publicPem)

    // The control plane: a publisher at a static address, what every node is seeded with.
    const publisher = spawn(
      'ip',
      [
        'netns',
        'exec',
        nsName(0),
        process.execPath,
        join(ROOT, 'test/e2e/publisher.ts'),
        `${addr(0)}:3999`,
        join(dir, 'gossip.psk'),
        join(dir, 'publisher.key'),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    procs.add(publisher)
    await once(publisher.stdout, 'data')
    const publish = async (addresses: string[]): Promise<number> => {
      const records =
        addresses.length === 0 ? [] : [{ name: API, type: 'A', values: addresses, ttlSeconds: 60 }]
      publisher.stdin.write(`${JSON.stringify(records)}\n`)
      await once(publisher.stdout, 'data')
      return performance.now()
    }
    await publish(['10.0.0.2'])

    // Each agent: the unit's ExecStart, expanded with an environment file of the shipped shape.
    const unit = parseUnit(readFileSync(join(ROOT, 'packaging/systemd/dns-controller-agent.service'), 'utf8'))
    const shipped = parseEnvFile(readFileSync(join(ROOT, 'packaging/systemd/agent.env'), 'utf8'))
    const execStart = unitValues(unit, 'Service', 'ExecStart')[0] ?? ''
    const envFile = (i: number): string => {
      const path = join(dir, `agent-${i}.env`)
      const env = {
        ...shipped,
        DNS_CONTROLLER_AGENT_ARGS: `"--hosts-file=/etc/hosts --zone=${CLUSTER} --gossip-seed=${addr(0)}:3999 --gossip-listen=${addr(i)}:3999 --state-dir=${join(dir, `state-${i}`)} --gossip-secret-file=${join(dir, 'gossip.psk')} --trusted-publisher-key-file=${join(dir, 'publisher.pub')}"`,
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
      const argv = execArgv(execStart, parseEnvFile(readFileSync(envFile(i), 'utf8')))
      assert.equal(argv[0], '/usr/bin/dns-controller')
      const p = spawn('ip', ['netns', 'exec', nsName(i), exe, ...argv.slice(1)], {
        env: {},
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
    publisher.stdin.end()
    publisher.kill('SIGTERM')
    await once(publisher, 'exit')
    procs.delete(publisher)
    const first = agents.get(1)
    assert.ok(first !== undefined)
    first.kill('SIGTERM')
    await once(first, 'exit')
    procs.delete(first)
    writeFileSync(hostsOf(1), `127.0.0.1 localhost\n\n${BEGIN_MARKER}\n10.0.0.1\t${API}\n${END_MARKER}\n`)
    agents.set(1, start(1))
    await until(
      'the restarted agent to serve its persisted replica',
      () => firstAddress(readFileSync(hostsOf(1), 'utf8'), API) === '10.0.0.2',
    )
    assert.match(getent(1, API), /^10\.0\.0\.2\s/)
    // (The unit's readiness wait passes on that replica: `ready` against its /readyz.)
    execFileSync(
      'ip',
      [
        'netns',
        'exec',
        nsName(1),
        exe,
        ...execArgv(unitValues(unit, 'Service', 'ExecStartPost')[0] ?? '', shipped).slice(1),
      ],
      { env: {}, timeout: 90_000, stdio: 'pipe' },
    )

    // The control plane is replaced at a new address: every node follows within a second.
    const replacement = spawn(
      'ip',
      [
        'netns',
        'exec',
        nsName(0),
        process.execPath,
        join(ROOT, 'test/e2e/publisher.ts'),
        `${addr(0)}:3999`,
        join(dir, 'gossip.psk'),
        join(dir, 'publisher.key'),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    procs.add(replacement)
    await once(replacement.stdout, 'data')
    // Agents re-dial their seed with backoff: wait until the new control plane has peers again.
    const publishNew = async (addresses: string[]): Promise<number> => {
      replacement.stdin.write(
        `${JSON.stringify([{ name: API, type: 'A', values: addresses, ttlSeconds: 60 }])}\n`,
      )
      await once(replacement.stdout, 'data')
      return performance.now()
    }
    // Once every agent has redialled its seed (with backoff) and holds the new control plane's first
    // version, the next change is timed.
    await publishNew(['10.0.0.4'])
    for (let i = 1; i <= AGENTS; i++)
      await until(
        `agent ${i} to reconnect`,
        () => firstAddress(readFileSync(hostsOf(i), 'utf8'), API) === '10.0.0.4',
        120_000,
      )
    const t0 = await publishNew(['10.0.0.3'])
    const took: number[] = []
    for (let i = 1; i <= AGENTS; i++) {
      await until(
        `agent ${i} to follow the new address`,
        () => firstAddress(readFileSync(hostsOf(i), 'utf8'), API) === '10.0.0.3',
        30_000,
        10,
      )
      took.push(performance.now() - t0)
    }
    t.diagnostic(`hosts files followed in ${took.map((ms) => ms.toFixed(0)).join(', ')} ms`)
    assert.ok(Math.max(...took) < 1000, `followed in ${took.join(', ')} ms`)
  },
)
