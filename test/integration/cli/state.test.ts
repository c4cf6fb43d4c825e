// The state CLI end to end against a stub /state server: table, JSON, unreachable (1), bad flag (2).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')

const STATE = {
  records: [{ name: 'api.internal.c.k8s.local', type: 'A', values: ['10.0.0.1', '10.0.0.2'], ttl: 60 }],
  publishers: [{ id: 'ab'.repeat(32), version: '0000019a.0001' }],
  peers: 4,
}

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(NODE, [CLI, 'state', ...args], { timeout: 20_000 })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  return once(child, 'close').then(([status]) => ({ status: status as number | null, stdout, stderr }))
}

test(
  'state: table and JSON from an agent, one clear error when unreachable',
  { timeout: 60_000 },
  async (t) => {
    const server = createServer((req, res) => {
      if (req.url === '/state') res.end(JSON.stringify(STATE))
      else res.writeHead(404).end()
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    t.after(() => server.close())
    const from = `127.0.0.1:${(server.address() as AddressInfo).port}`

    const table = await cli(['--from', from])
    assert.equal(table.status, 0, table.stderr)
    assert.match(
      table.stdout,
      /^NAME\s+TYPE\s+TTL\s+VALUES\napi\.internal\.c\.k8s\.local\s+A\s+60\s+10\.0\.0\.1,10\.0\.0\.2\n/,
    )
    assert.match(table.stdout, /PUBLISHER\s+VERSION\n(ab)+\s+0000019a\.0001\n/)
    assert.match(table.stdout, /PEERS\s+4\n$/)

    const json = await cli(['--from', from, '-o', 'json'])
    assert.equal(json.status, 0)
    assert.deepEqual(JSON.parse(json.stdout), STATE)

    const gone = createServer()
    gone.listen(0, '127.0.0.1')
    await once(gone, 'listening')
    const freePort = (gone.address() as AddressInfo).port
    gone.close()
    const closedPort = await cli(['--from', `127.0.0.1:${freePort}`, '--timeout', '2'])
    assert.equal(closedPort.status, 1)
    assert.equal(
      closedPort.stderr,
      `dns-controller state: cannot reach the agent at http://127.0.0.1:${freePort}/state: ECONNREFUSED\n`,
    )

    const bad = await cli(['--from', 'nope'])
    assert.equal(bad.status, 2)
    assert.match(bad.stderr, /--from: "nope" is not HOST:PORT/)
  },
)
