// The controller command end to end (spawned): validation exits 2 naming the flag; --help lists
// every flag. A full run: test/integration/controller-cli.test.ts.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePublisherKeyPem } from '../../../lib/gossip/keys.ts'
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

test('a publisher key that is not a key → exit 2 naming --publisher-key-file', () => {
  const r = run([
    '--internal-ipv4',
    '--gossip-insecure',
    `--publisher-key-file=${CLI}`,
    '--gossip-protocol-secondary=memberlist',
  ])
  assert.equal(r.status, 2)
  assert.match(r.stderr, /gossip-protocol-secondary=memberlist is ignored/)
  assert.match(r.stderr, /dns-controller: --publisher-key-file: [^\n]*\n$/)
})

test('no cluster and no --from → exit 2 naming --kubeconfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsc-cli-'))
  try {
    const key = join(dir, 'publisher.key')
    writeFileSync(key, generatePublisherKeyPem().privatePem)
    const r = spawnSync(NODE, [CLI, '--internal-ipv4', '--gossip-insecure', `--publisher-key-file=${key}`], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, KUBERNETES_SERVICE_HOST: '' },
    })
    assert.equal(r.status, 2)
    assert.match(r.stderr, /dns-controller: --kubeconfig: not running in a cluster[^\n]*--from FILE\)\n$/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
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
