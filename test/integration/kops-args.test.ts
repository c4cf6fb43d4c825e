// kOps' generated dns-controller args, verbatim (test/helpers/kops-args.ts), start the controller
// and it publishes: each case runs in its own network namespace (so kOps' fixed ports 3998, 3999,
// 3993 and 4000 and its seed 127.0.0.1:3999 are the namespace's own), with an agent where kOps'
// protokube listened. The harness appends only what kOps never passed: --from (no cluster),
// the key files (kOps had none) and a metrics address.
// Needs root and iproute2; creates and always removes its own namespaces only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { generatePublisherKeyPem, generateSecret } from '../../lib/gossip/keys.ts'
import { KOPS_CONTROLLER_ARGS } from '../helpers/kops-args.ts'

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../cmd/dns-controller.ts')
const NAME = 'web.kops.k8s.local'
const MANIFEST = `
kind: Service
apiVersion: v1
metadata: { name: web, namespace: kube-system, annotations: { dns.alpha.kubernetes.io/external: ${NAME} } }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: 10.0.0.5 }] } }
`

function canRun(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)'
  try {
    execFileSync('ip', ['netns', 'list'])
  } catch {
    return 'needs iproute2'
  }
  return undefined
}

/** The kOps arg list's own secret, if it passed one (then the agent must use the same). */
function secretIn(args: readonly string[]): string | undefined {
  return args.find((a) => a.startsWith('--gossip-secret='))?.slice('--gossip-secret='.length)
}

/** Where kOps' controller looked for protokube: the port of its primary seed. */
function seedPort(args: readonly string[]): number {
  const seed = args.find((a) => a.startsWith('--gossip-seed='))
  return Number(seed?.split(':').pop())
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = once(child, 'exit')
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

const skip = canRun()
let n = 0

for (const [version, kopsArgs] of Object.entries(KOPS_CONTROLLER_ARGS)) {
  test(
    `kOps ${version}: the controller starts with kOps' args and publishes`,
    { skip, timeout: 90_000 },
    async (t) => {
      const ns = `dnsc-kopsargs-${process.pid}-${n++}`
      const dir = mkdtempSync(join(tmpdir(), 'dnsc-kopsargs-'))
      const children: ChildProcess[] = []
      t.after(async () => {
        await Promise.all(children.map(stopChild))
        try {
          execFileSync('ip', ['netns', 'del', ns])
        } catch {
          // never created
        }
        rmSync(dir, { recursive: true, force: true })
      })
      execFileSync('ip', ['netns', 'add', ns])
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])

      const pem = generatePublisherKeyPem()
      writeFileSync(join(dir, 'publisher.key'), pem.privatePem, { mode: 0o600 })
      writeFileSync(join(dir, 'publisher.pub'), pem.publicPem)
      writeFileSync(join(dir, 'gossip.psk'), `${generateSecret()}\n`)
      writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
      writeFileSync(join(dir, 'objects.yaml'), MANIFEST)
      const secret = secretIn(kopsArgs)
      const key = secret === undefined ? [`--gossip-secret-file=${join(dir, 'gossip.psk')}`] : []
      const agentKey = secret === undefined ? key : [`--gossip-secret=${secret}`]

      const spawnIn = (args: string[]): { child: ChildProcess; log: () => string } => {
        const child = spawn('ip', ['netns', 'exec', ns, NODE, CLI, ...args], {
          stdio: ['ignore', 'ignore', 'pipe'],
        })
        children.push(child)
        let log = ''
        child.stderr?.on('data', (c: Buffer) => (log += c.toString()))
        return { child, log: () => log }
      }
      // The agent where protokube was: the port kOps' controller seeds.
      const agent = spawnIn([
        'agent',
        `--gossip-listen=0.0.0.0:${seedPort(kopsArgs)}`,
        ...agentKey,
        `--trusted-publisher-key-file=${join(dir, 'publisher.pub')}`,
        `--state-dir=${join(dir, 'state')}`,
        `--hosts-file=${join(dir, 'hosts')}`,
        '--zone=k8s.local',
      ])
      const controller = spawnIn([
        ...kopsArgs,
        `--from=${join(dir, 'objects.yaml')}`,
        `--publisher-key-file=${join(dir, 'publisher.key')}`,
        ...key,
        '--metrics-listen=127.0.0.1:3990',
      ])

      const deadline = Date.now() + 60_000
      const line = `10.0.0.5\t${NAME}`
      while (!readFileSync(join(dir, 'hosts'), 'utf8').includes(line)) {
        for (const [name, c] of [
          ['controller', controller],
          ['agent', agent],
        ] as const)
          if (c.child.exitCode !== null) assert.fail(`${name} exited ${c.child.exitCode}:\n${c.log()}`)
        if (Date.now() > deadline)
          assert.fail(`not published within 60 s\ncontroller:\n${controller.log()}\nagent:\n${agent.log()}`)
        await new Promise((r) => setTimeout(r, 200))
      }
      // kOps' primary protocol names run ours, said once; kOps' secondary is ignored, said once.
      const log = controller.log()
      const primary = kopsArgs.find((a) => a.startsWith('--gossip-protocol='))
      if (primary !== undefined)
        assert.equal(log.split(`${primary} runs this build's libp2p gossip`).length - 1, 1, log)
      const secondary = kopsArgs.find((a) => a.startsWith('--gossip-protocol-secondary='))
      if (secondary !== undefined) assert.equal(log.split(`${secondary} is ignored`).length - 1, 1, log)
      assert.doesNotMatch(log, /\n\s+at /, 'no stack trace in the log')
      // The start-up line: version, commit, the effective configuration without the secret.
      assert.match(log, / I controller: starting version=\S+ commit=[0-9a-f]{12} config="\S*gossip/)
      if (secret !== undefined) {
        assert.ok(!log.includes(secret), 'the gossip secret is not logged')
        assert.match(log, /secret\\":\\"<redacted>/)
      }
    },
  )
}
