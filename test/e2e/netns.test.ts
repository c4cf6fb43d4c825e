// End to end in network namespaces: a publisher and AGENTS agents, each in its own namespace
// (veth to a hub namespace with a bridge), each agent writing its namespace's /etc/hosts (the
// /etc/netns bind mount, so in place) and answering DNS on its own 127.0.0.1:53. Inside every
// namespace `getent hosts` and `dig` give the published addresses, and a new version reaches all.
// Needs root and iproute2; creates and always removes its own namespaces only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { generatePublisherKeyPem, generateSecret } from '../../lib/gossip/keys.ts'

const AGENTS = 3
const CLUSTER = 'e2e.k8s.local'
const NAME = `api.internal.${CLUSTER}`
const ROOT = join(import.meta.dirname, '../..')
const NODE = process.execPath
const id = `${process.pid % 100000}`
const hub = `dnsc-${id}-hub`
const nsName = (i: number): string => `dnsc-${id}-${i}` // 0 = publisher
const addr = (i: number): string => `10.251.${Number(id) % 250}.${i + 1}`

function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root'
  try {
    execFileSync('ip', ['netns', 'list'])
    execFileSync('which', ['dig', 'getent'])
  } catch {
    return 'needs iproute2, dig and getent'
  }
  return undefined
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

function inNs(ns: string, cmd: string, ...args: string[]): string {
  try {
    return execFileSync('ip', ['netns', 'exec', ns, cmd, ...args], { encoding: 'utf8', timeout: 10_000 })
  } catch (err) {
    return (err as { stdout?: string }).stdout ?? ''
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
    rmdirSync('/etc/netns') // only when empty: other namespaces' files stay
  } catch {
    // not empty, or absent
  }
}

async function until(what: string, check: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const skip = canRun()

test(
  `netns: publisher + ${AGENTS} agents, getent and dig in every namespace`,
  { timeout: 120_000, skip },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'netns-e2e-'))
    const procs: ChildProcess[] = []
    t.after(async () => {
      for (const p of procs) p.kill('SIGKILL')
      await Promise.all(procs.map((p) => (p.exitCode === null ? once(p, 'exit') : undefined)))
      cleanup()
      rmSync(dir, { recursive: true, force: true })
    })
    cleanup()
    // Topology: a bridge in the hub namespace, one veth per node namespace.
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
      writeFileSync(`/etc/netns/${ns}/hosts`, `127.0.0.1 localhost\n${addr(i)} node-${i}\n`)
      writeFileSync(`/etc/netns/${ns}/resolv.conf`, 'nameserver 127.0.0.1\noptions timeout:1 attempts:2\n')
    }
    const secret = generateSecret()
    writeFileSync(join(dir, 'gossip.psk'), `${secret}\n`)
    const pem = generatePublisherKeyPem()
    writeFileSync(join(dir, 'publisher.key'), pem.privatePem, { mode: 0o600 })
    writeFileSync(join(dir, 'publisher.pub'), pem.publicPem)

    const publisher = spawn(
      'ip',
      [
        'netns',
        'exec',
        nsName(0),
        NODE,
        join(ROOT, 'test/e2e/publisher.ts'),
        `${addr(0)}:3998`,
        join(dir, 'gossip.psk'),
        join(dir, 'publisher.key'),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    )
    procs.push(publisher)
    await once(publisher.stdout, 'data')
    const publish = async (addresses: string[]): Promise<void> => {
      publisher.stdin.write(
        `${JSON.stringify([{ name: NAME, type: 'A', values: addresses, ttlSeconds: 60 }])}\n`,
      )
      await once(publisher.stdout, 'data')
    }
    await publish(['10.0.0.1', '10.0.0.2'])

    for (let i = 1; i <= AGENTS; i++) {
      const agent = spawn(
        'ip',
        [
          'netns',
          'exec',
          nsName(i),
          NODE,
          join(ROOT, 'cmd/dns-controller.ts'),
          'agent',
          `--gossip-listen=${addr(i)}:3999`,
          // Agents after the first also seed from the previous agent: the replica spreads peer to peer.
          `--gossip-seed=${i === 1 ? `${addr(0)}:3998` : `${addr(i - 1)}:3999`}`,
          `--gossip-secret-file=${join(dir, 'gossip.psk')}`,
          `--trusted-publisher-key-file=${join(dir, 'publisher.pub')}`,
          `--state-dir=${join(dir, `state-${i}`)}`,
          '--hosts-file=/etc/hosts',
          '--dns-listen=127.0.0.1:53',
          '--zone=k8s.local',
        ],
        { stdio: ['ignore', 'ignore', 'inherit'] },
      )
      procs.push(agent)
    }

    const seen = (i: number, address: string): boolean =>
      inNs(nsName(i), 'getent', 'hosts', NAME).includes(address) &&
      new RegExp(`^${address.replace(/\./g, '\\.')}$`, 'm').test(
        inNs(nsName(i), 'dig', '+short', '@127.0.0.1', NAME, 'A'),
      )
    for (let i = 1; i <= AGENTS; i++)
      await until(`agent ${i} to serve the first version`, () => seen(i, '10.0.0.2'))
    // The hosts file kept the namespace's own lines.
    for (let i = 1; i <= AGENTS; i++)
      assert.match(inNs(nsName(i), 'getent', 'hosts', `node-${i}`), new RegExp(addr(i)))

    await publish(['10.0.0.3'])
    for (let i = 1; i <= AGENTS; i++) {
      await until(
        `agent ${i} to serve the new version`,
        () => seen(i, '10.0.0.3') && !inNs(nsName(i), 'getent', 'hosts', NAME).includes('10.0.0.1'),
      )
    }
  },
)
