// The controller command end to end (spawned): validation exits 2 naming the flag; a valid
// publisher key that is not a key exits 2 naming its flag; --help lists every flag. A running
// controller is exercised by test/e2e/demo.test.ts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { controllerFlags } from '../../../cmd/flags/controller.ts'

const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(NODE, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test("kOps' args without the key files → exit 2 naming --gossip-secret-file", () => {
  const r = run([
    '--watch-ingress=false',
    '--dns=gossip',
    '--gossip-seed=127.0.0.1:3999',
    '--zone=*/*',
    '--internal-ipv4',
    '-v=2',
  ])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /^dns-controller: --gossip-secret-file: [^\n]*no such file[^\n]*\n$/)
})

test('a publisher key file that holds no key → exit 2 naming --publisher-key-file, before anything starts', () => {
  const r = run([
    '--internal-ipv4',
    '--gossip-insecure',
    `--publisher-key-file=${CLI}`,
    '--gossip-protocol-secondary=memberlist',
  ])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /gossip-protocol-secondary=memberlist is ignored/)
  assert.match(r.stderr, /dns-controller: --publisher-key-file: [^\n]*dns-controller\.ts [^\n]*\n$/)
})

test('unknown flag → exit 2 naming it', () => {
  const r = run(['--internal-ipv4', '--wach-ingress'])
  assert.equal(r.status, 2)
  assert.equal(r.stderr, 'dns-controller: unknown flag: --wach-ingress\n')
})

test('--help lists every controller flag with its default', () => {
  const r = run(['--help'])
  assert.equal(r.status, 0)
  for (const [name, opt] of Object.entries(controllerFlags)) {
    assert.ok(r.stdout.includes(name.length === 1 ? `-${name}` : `--${name}`), name)
    assert.ok('default' in opt || 'defaultDescription' in opt, `${name} documents its default`)
  }
  assert.match(
    r.stdout,
    /--gossip-listen +HOST:PORT to listen on for gossip\s+\[string\] \[default: "0.0.0.0:3998"\]/,
  )
})
