/**
 * A lab of network namespaces for the end-to-end tests: a hub namespace with a bridge, and one
 * namespace per node on a veth to it, each with its own /etc/hosts (and optionally resolv.conf)
 * through the /etc/netns bind mount. Node 0 runs a publisher (test/e2e/publisher.ts) with fresh
 * keys. Everything the lab creates it removes in `cleanup`, also after a failed start; it never
 * touches the host's own interfaces.
 */
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { generatePublisherKeyPem, generateSecret } from '../../lib/gossip/keys.ts'
import type { ResolvedRecord } from '../../lib/records/types.ts'

const ROOT = join(import.meta.dirname, '../..')

/** Why the lab cannot run here (not root, or a command is missing), or undefined. */
export function labSkip(commands: readonly string[]): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root'
  try {
    execFileSync('ip', ['netns', 'list'])
    execFileSync('which', [...commands])
  } catch {
    return `needs iproute2 and ${commands.join(', ')}`
  }
  return undefined
}

const ip = (...args: string[]): void => void execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })

export interface LabFiles {
  readonly hosts: string
  readonly resolvConf?: string
}

export class Lab {
  readonly nodes: number
  private readonly prefix: string
  private readonly subnet: number
  private readonly third: number

  /** `prefix` names the namespaces (unique per test file); nodes 0..`nodes` live in 10.`octet`.X.0/24. */
  constructor(prefix: string, nodes: number, octet: number) {
    const id = process.pid % 100000
    this.prefix = `${prefix}-${id}`
    this.nodes = nodes
    this.subnet = octet
    this.third = id % 250
  }

  ns(i: number): string {
    return `${this.prefix}-${i}`
  }

  addr(i: number): string {
    return `10.${this.subnet}.${this.third}.${i + 1}`
  }

  hostsOf(i: number): string {
    return `/etc/netns/${this.ns(i)}/hosts`
  }

  /** Creates the hub and every node namespace with its files; cleans up first. */
  create(files: (i: number) => LabFiles): void {
    this.cleanup()
    const hub = `${this.prefix}-hub`
    ip('netns', 'add', hub)
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge')
    ip('-n', hub, 'link', 'set', 'br0', 'up')
    for (let i = 0; i <= this.nodes; i++) {
      const ns = this.ns(i)
      ip('netns', 'add', ns)
      ip('-n', hub, 'link', 'add', `h${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns)
      ip('-n', hub, 'link', 'set', `h${i}`, 'master', 'br0', 'up')
      ip('-n', ns, 'addr', 'add', `${this.addr(i)}/24`, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
      ip('-n', ns, 'link', 'set', 'lo', 'up')
      mkdirSync(`/etc/netns/${ns}`, { recursive: true })
      const f = files(i)
      writeFileSync(this.hostsOf(i), f.hosts)
      if (f.resolvConf !== undefined) writeFileSync(`/etc/netns/${ns}/resolv.conf`, f.resolvConf)
    }
  }

  /** Runs a command in node i's namespace; its stdout, or '' when it fails. */
  exec(i: number, cmd: string, ...args: string[]): string {
    try {
      return execFileSync('ip', ['netns', 'exec', this.ns(i), cmd, ...args], {
        encoding: 'utf8',
        timeout: 10_000,
      })
    } catch (err) {
      return (err as { stdout?: string }).stdout ?? ''
    }
  }

  /** Spawns a command in node i's namespace. */
  spawn(i: number, argv: readonly string[], opts: Parameters<typeof spawn>[2] = {}): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.ns(i), ...argv], opts)
  }

  cleanup(): void {
    for (const ns of [
      ...Array.from({ length: this.nodes + 1 }, (_, i) => this.ns(i)),
      `${this.prefix}-hub`,
    ]) {
      try {
        ip('netns', 'del', ns)
      } catch {
        // already gone
      }
      rmSync(`/etc/netns/${ns}`, { recursive: true, force: true })
    }
    try {
      rmdirSync('/etc/netns') // only when empty: other namespaces' files stay
    } catch {
      // not empty, or absent
    }
  }
}

/** Fresh gossip secret and publisher key pair in `dir`; the paths. */
export function writeKeys(dir: string): { psk: string; privateKey: string; publicKey: string } {
  const paths = {
    psk: join(dir, 'gossip.psk'),
    privateKey: join(dir, 'publisher.key'),
    publicKey: join(dir, 'publisher.pub'),
  }
  writeFileSync(paths.psk, `${generateSecret()}\n`)
  const pem = generatePublisherKeyPem()
  writeFileSync(paths.privateKey, pem.privatePem, { mode: 0o600 })
  writeFileSync(paths.publicKey, pem.publicPem)
  return paths
}

export interface Publisher {
  readonly proc: ChildProcess
  /** Publishes a new version; resolves once the publisher has it, with performance.now(). */
  publish(records: readonly ResolvedRecord[]): Promise<number>
}

/** Starts test/e2e/publisher.ts in node i's namespace, listening on `port`; resolves when ready. */
export async function startPublisher(
  lab: Lab,
  i: number,
  port: number,
  keys: { psk: string; privateKey: string },
): Promise<Publisher> {
  const proc = lab.spawn(
    i,
    [
      process.execPath,
      join(ROOT, 'test/e2e/publisher.ts'),
      `${lab.addr(i)}:${port}`,
      keys.psk,
      keys.privateKey,
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const stdout = proc.stdout
  const stdin = proc.stdin
  if (stdout === null || stdin === null) throw new Error('publisher: no stdio')
  await once(stdout, 'data')
  return {
    proc,
    publish: async (records) => {
      stdin.write(`${JSON.stringify(records)}\n`)
      await once(stdout, 'data')
      return performance.now()
    },
  }
}

/** Polls `check` every `every` ms until it holds, or throws naming `what` after `ms`. */
export async function until(what: string, check: () => boolean, ms = 60_000, every = 100): Promise<void> {
  const deadline = Date.now() + ms
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, every))
  }
}

/** Stops every process still running: SIGKILL, then waits for each exit. */
export async function killAll(procs: Iterable<ChildProcess>): Promise<void> {
  const all = [...procs]
  for (const p of all) p.kill('SIGKILL')
  await Promise.all(
    all.map((p) => (p.exitCode === null && p.signalCode === null ? once(p, 'exit') : undefined)),
  )
}
