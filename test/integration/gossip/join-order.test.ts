/**
 * Start order, with real processes and the default tuning: a `dns-controller` (with --from) and a
 * `dns-controller agent`, the first one started seeded only at the other, which starts 20 s later.
 * The agent must hold the records < 2 s after both are up (agent: gossip port accepting; controller:
 * ready, i.e. published; 3 s on an oversubscribed machine, see BUDGET_MS). Both orders run side by side. The simulator checks gaps up to 60 s
 * (test/sim/membership-attacks.test.ts); 20 s here keeps the test bounded while the node that
 * started first has long backed off (before the fix it waited up to 30 s between seed dials).
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePublisherKeyPem, generateSecret } from '../../../lib/gossip/keys.ts'
import { freePort } from '../../../lib/util/ports.ts'

const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')
const GAP_MS = 20_000
/** The 2 s. On a machine more than 4x oversubscribed (load average over 4 per CPU) every
 * frame waits for CPU, and the exchange after the connection alone took ~0.5 s (load 21 on 2 CPUs:
 * 1.5-2.4 s in all, against 0.5-0.8 s at load 12): 3 s there. Before the fix it was 3-30 s (the
 * node that started first waited up to 30 s between seed dials); the simulator checks the policy
 * itself against 2 s on a virtual clock. */
const BUDGET_MS = loadavg()[0]! > 4 * availableParallelism() ? 3_000 : 2_000

const SERVICE = `
kind: Service
apiVersion: v1
metadata: { name: web, namespace: default, annotations: { dns.alpha.kubernetes.io/external: web.example.local } }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: 10.9.0.1 }] } }
`

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function until(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await sleep(20)
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

interface Pair {
  readonly dir: string
  readonly ports: { agentGossip: number; controllerGossip: number; controllerOps: number }
  controller(seeded: boolean): ChildProcess
  agent(seeded: boolean): ChildProcess
}

async function pair(t: { after: (fn: () => void) => void }): Promise<Pair> {
  const dir = mkdtempSync(join(tmpdir(), 'join-order-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const pem = generatePublisherKeyPem()
  writeFileSync(join(dir, 'publisher.key'), pem.privatePem)
  writeFileSync(join(dir, 'publisher.pub'), pem.publicPem)
  writeFileSync(join(dir, 'gossip.psk'), `${generateSecret()}\n`)
  writeFileSync(join(dir, 'objects.yaml'), SERVICE)
  writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
  const [agentGossip, controllerGossip, controllerGossip2, controllerOps, dns, agentOps] = (await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  )) as [number, number, number, number, number, number]
  const run = (args: string[]): ChildProcess => {
    const child = spawn(NODE, [CLI, ...args], { stdio: 'ignore' })
    t.after(() => child.kill('SIGKILL'))
    return child
  }
  return {
    dir,
    ports: { agentGossip, controllerGossip, controllerOps },
    controller: (seeded) =>
      run([
        '--internal-ipv4',
        `--from=${join(dir, 'objects.yaml')}`,
        `--publisher-key-file=${join(dir, 'publisher.key')}`,
        `--gossip-secret-file=${join(dir, 'gossip.psk')}`,
        `--gossip-listen=127.0.0.1:${controllerGossip}`,
        `--gossip-listen-secondary=127.0.0.1:${controllerGossip2}`,
        ...(seeded ? [`--gossip-seed=127.0.0.1:${agentGossip}`] : []),
        `--metrics-listen=127.0.0.1:${controllerOps}`,
      ]),
    agent: (seeded) =>
      run([
        'agent',
        `--gossip-listen=127.0.0.1:${agentGossip}`,
        ...(seeded ? [`--gossip-seed=127.0.0.1:${controllerGossip}`] : []),
        `--gossip-secret-file=${join(dir, 'gossip.psk')}`,
        `--trusted-publisher-key-file=${join(dir, 'publisher.pub')}`,
        `--state-dir=${join(dir, 'state')}`,
        `--hosts-file=${join(dir, 'hosts')}`,
        `--dns-listen=127.0.0.1:${dns}`,
        `--metrics-listen=127.0.0.1:${agentOps}`,
        '--zone=example.local',
      ]),
  }
}

/** Starts `first` (seeded at the other), then the other GAP_MS later; ms from both up to the records. */
async function run(t: { after: (fn: () => void) => void }, first: 'controller' | 'agent'): Promise<number> {
  const p = await pair(t)
  const controllerUp = async (): Promise<boolean> =>
    (await fetch(`http://127.0.0.1:${p.ports.controllerOps}/readyz`)).status === 200
  const agentUp = (): Promise<boolean> => accepts(p.ports.agentGossip)
  const hasRecords = (): boolean => readFileSync(join(p.dir, 'hosts'), 'utf8').includes('web.example.local')
  if (first === 'controller') {
    p.controller(true)
    await until('the controller to be ready', 30_000, controllerUp)
    await sleep(GAP_MS)
    p.agent(false)
    await until('the agent to listen', 30_000, agentUp)
  } else {
    p.agent(true)
    await until('the agent to listen', 30_000, agentUp)
    await sleep(GAP_MS)
    p.controller(false)
    await until('the controller to be ready', 30_000, controllerUp)
  }
  const bothUp = Date.now()
  await until('the records at the agent', 30_000, hasRecords)
  return Date.now() - bothUp
}

test(
  `either side started ${GAP_MS / 1000} s first: the agent holds the records < ${BUDGET_MS / 1000} s after both are up (processes)`,
  { timeout: 120_000 },
  async (t) => {
    const [controllerFirst, agentFirst] = await Promise.all([run(t, 'controller'), run(t, 'agent')])
    console.log(
      `join order: controller first ${controllerFirst} ms, agent first ${agentFirst} ms after both up`,
    )
    assert.ok(controllerFirst < BUDGET_MS, `controller first: records ${controllerFirst} ms after both up`)
    assert.ok(agentFirst < BUDGET_MS, `agent first: records ${agentFirst} ms after both up`)
  },
)
