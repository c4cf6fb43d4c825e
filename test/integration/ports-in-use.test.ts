// A port that is already taken exits 2 with one line naming the flag and the address, no stack
// and no libp2p advice: gossip, DNS (UDP or TCP) and metrics, agent and controller.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePublisherKeyPem } from '../../lib/gossip/keys.ts'
import { freePort } from '../../lib/util/ports.ts'
import { writeAgentKeys } from '../helpers/agent-args.ts'

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../cmd/dns-controller.ts')

/** Holds 127.0.0.1:port (TCP or UDP) until the test ends. */
async function occupy(t: { after: (fn: () => void) => void }, proto: 'tcp' | 'udp'): Promise<number> {
  const port = await freePort()
  if (proto === 'tcp') {
    const srv = createServer().listen(port, '127.0.0.1')
    await once(srv, 'listening')
    t.after(() => srv.close())
  } else {
    const sock = createSocket('udp4')
    sock.bind(port, '127.0.0.1')
    await once(sock, 'listening')
    t.after(() => sock.close())
  }
  return port
}

async function run(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(NODE, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const [code] = (await once(child, 'exit')) as [number | null]
  clearTimeout(timer)
  return { code, stderr }
}

function lastLine(stderr: string): string {
  return stderr.trimEnd().split('\n').pop() ?? ''
}

const cases: { name: string; flag: string; proto: 'tcp' | 'udp'; controller?: boolean }[] = [
  { name: 'agent gossip', flag: 'gossip-listen', proto: 'tcp' },
  { name: 'agent DNS over UDP', flag: 'dns-listen', proto: 'udp' },
  { name: 'agent DNS over TCP', flag: 'dns-listen', proto: 'tcp' },
  { name: 'agent metrics', flag: 'metrics-listen', proto: 'tcp' },
  { name: 'controller gossip', flag: 'gossip-listen', proto: 'tcp', controller: true },
  { name: 'controller metrics', flag: 'metrics-listen', proto: 'tcp', controller: true },
]

for (const c of cases) {
  test(`${c.name}: port in use → exit 2 naming --${c.flag}`, { timeout: 60_000 }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dnsc-ports-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    writeAgentKeys(dir)
    writeFileSync(join(dir, 'publisher.key'), generatePublisherKeyPem().privatePem)
    writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
    writeFileSync(join(dir, 'objects.yaml'), '')
    const busy = await occupy(t, c.proto)
    const listen: Record<string, string> = {
      'gossip-listen': `127.0.0.1:${await freePort()}`,
      'metrics-listen': `127.0.0.1:${await freePort()}`,
      ...(c.controller === true ? {} : { 'dns-listen': `127.0.0.1:${await freePort()}` }),
      [c.flag]: `127.0.0.1:${busy}`,
    }
    const common = [
      ...Object.entries(listen).map(([k, v]) => `--${k}=${v}`),
      `--gossip-secret-file=${join(dir, 'gossip.psk')}`,
    ]
    const args =
      c.controller === true
        ? [
            ...common,
            '--internal-ipv4',
            `--from=${join(dir, 'objects.yaml')}`,
            `--publisher-key-file=${join(dir, 'publisher.key')}`,
            `--gossip-listen-secondary=127.0.0.1:${await freePort()}`,
          ]
        : [
            'agent',
            ...common,
            `--trusted-publisher-key-file=${join(dir, 'publisher.pub')}`,
            `--state-dir=${join(dir, 'state')}`,
            `--hosts-file=${join(dir, 'hosts')}`,
          ]
    const r = await run(args)
    assert.equal(r.code, 2, r.stderr)
    assert.equal(
      lastLine(r.stderr),
      `dns-controller: --${c.flag}: 127.0.0.1:${busy}: address already in use (another process listens there)`,
    )
    assert.doesNotMatch(r.stderr, /\n\s+at |faultTolerance/)
  })
}
