/**
 * The chart's agent pod, run as a process: the contract between the chart and the program.
 *
 * helm renders the DaemonSet and the key material; the test lays out every volume as the kubelet
 * would (Secret and ConfigMap keys as files, the hosts hostPath as a file, the state hostPath as a
 * directory) under a temp root, points the chart's absolute paths there, expands the kubelet's
 * `$(POD_IP)` to 127.0.0.1, moves the ports to free ones, and runs `dns-controller` with exactly
 * the chart's flags otherwise. A publisher signing with the private key the chart generated
 * publishes a record over gossip keyed with the chart's pre-shared key; the agent must trust it
 * through the chart's certificate and serve it in the hosts file, over DNS and in /state.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { derivePsk, parsePrivateKeyPem, signerFromPrivateKey } from '../../../lib/gossip/keys.ts'
import { startNode } from '../../helpers/gossip.ts'
import { dig } from '../dns/dig.ts'
import { at, find, podSpec, render, toolsMissing } from './helm.ts'
import type { K8sObject } from './helm.ts'

const NODE = join(import.meta.dirname, '../../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')
const NAME = 'hello.internal.mycluster.k8s.local'

/** A port free for both TCP and UDP on 127.0.0.1. */
async function freePort(): Promise<number> {
  for (;;) {
    const srv = createServer().listen(0, '127.0.0.1')
    await once(srv, 'listening')
    const port = (srv.address() as { port: number }).port
    srv.close()
    const udp = createSocket('udp4')
    const ok = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false))
      udp.bind(port, '127.0.0.1', () => resolve(true))
    })
    udp.close()
    if (ok) return port
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms
  while (
    !(await Promise.resolve()
      .then(check)
      .catch(() => false))
  ) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function dataOf(o: K8sObject): Record<string, string> {
  return at(o, 'data') as Record<string, string>
}

interface Volume {
  readonly name: string
  readonly secret?: { secretName: string; items?: { key: string; path: string }[] }
  readonly configMap?: { name: string }
  readonly hostPath?: { path: string; type: string }
  readonly emptyDir?: unknown
}

/** Lays out each mounted volume under root as the kubelet would; returns the mount paths. */
function materialise(root: string, objects: readonly K8sObject[], workload: K8sObject): string[] {
  const spec = podSpec(workload)
  const volumes = (spec.volumes ?? []) as unknown as Volume[]
  const mounts = spec.containers[0]?.volumeMounts ?? []
  for (const m of mounts) {
    const v = volumes.find((x) => x.name === m.name)
    assert.ok(v !== undefined, `mount ${m.name} has no volume`)
    const target = join(root, m.mountPath)
    if (v.secret !== undefined) {
      const secret = find(objects, 'Secret', v.secret.secretName)
      mkdirSync(target, { recursive: true })
      for (const item of v.secret.items ?? []) {
        const value = dataOf(secret)[item.key]
        assert.ok(value !== undefined, `Secret ${v.secret.secretName} lacks ${item.key}`)
        writeFileSync(join(target, item.path), Buffer.from(value, 'base64'), { mode: 0o400 })
      }
    } else if (v.configMap !== undefined) {
      mkdirSync(target, { recursive: true })
      for (const [k, value] of Object.entries(dataOf(find(objects, 'ConfigMap', v.configMap.name))))
        writeFileSync(join(target, k), value)
    } else if (v.hostPath?.type === 'File') {
      mkdirSync(dirname(target), { recursive: true })
      writeFileSync(target, '127.0.0.1\tlocalhost\n10.9.9.9\tseeded-by-the-provisioner\n')
    } else {
      mkdirSync(target, { recursive: true })
    }
  }
  return mounts.map((m) => m.mountPath)
}

const skip = toolsMissing('helm')

test(
  'the chart agent pod, as a process, serves what the chart-keyed publisher signs',
  { skip, timeout: 120_000 },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'dnsc-pod-'))
    t.after(() => rmSync(root, { recursive: true, force: true }))
    // Static seeds so that no API server is needed; the seed address is replaced below.
    const { objects } = await render({
      set: ['agent.seeds.fromService=false', 'agent.seeds.static[0]=192.0.2.1:3999'],
    })
    const ds = find(objects, 'DaemonSet', '-agent')
    const mountPaths = materialise(root, objects, ds)

    const psk = Buffer.from(
      dataOf(find(objects, 'Secret', '-gossip'))['gossip.psk'] ?? '',
      'base64',
    ).toString()
    const key = parsePrivateKeyPem(
      Buffer.from(dataOf(find(objects, 'Secret', '-publisher'))['publisher.key'] ?? '', 'base64').toString(),
    )
    if (typeof key === 'string') throw new Error(key)
    const signer = signerFromPrivateKey(key)
    const publisher = await startNode({ psk: derivePsk(psk, 'test'), trusted: [signer.publicKey], signer })
    t.after(() => publisher.node.stop())
    await publisher.node.publish([{ name: NAME, type: 'A', values: ['10.0.0.12'], ttlSeconds: 60 }])

    const [gossipPort, dnsPort, opsPort] = [await freePort(), await freePort(), await freePort()]
    const ports: Record<string, number> = {
      'gossip-listen': gossipPort,
      'dns-listen': dnsPort,
      'metrics-listen': opsPort,
    }
    const chartArgs = podSpec(ds).containers[0]?.args ?? []
    const args = chartArgs.map((arg) => {
      const m = /^--([a-z-]+)=(.*)$/.exec(arg)
      if (m === null) return arg
      const [, flag = '', value = ''] = m
      if (flag === 'gossip-seed') return `--gossip-seed=127.0.0.1:${publisher.addr.port}`
      const port = ports[flag]
      if (port !== undefined) return `--${flag}=127.0.0.1:${port}`
      // Absolute paths of the pod's mounts move under the temp root.
      const paths = value
        .split(',')
        .map((p) => (mountPaths.some((mp) => p.startsWith(mp)) ? join(root, p) : p))
      return `--${flag}=${paths.join(',')}`
    })
    assert.ok(!args.some((a) => a.includes('$(')), `unexpanded variable in ${args.join(' ')}`)

    const agent = spawn(NODE, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    agent.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    t.after(() => agent.kill('SIGKILL'))
    const exited = once(agent, 'exit')

    await until(
      `the agent to be ready (args: ${args.join(' ')})`,
      async () =>
        agent.exitCode === null && (await fetch(`http://127.0.0.1:${opsPort}/readyz`)).status === 200,
    ).catch((err: unknown) => {
      throw new Error(`${String(err)}\nexit ${agent.exitCode}, stderr:\n${stderr}`)
    })
    const hostsPath = join(root, '/host/etc/hosts')
    await until('the hosts file', () => readFileSync(hostsPath, 'utf8').includes(`10.0.0.12\t${NAME}`))
    assert.match(readFileSync(hostsPath, 'utf8'), /10\.9\.9\.9\tseeded-by-the-provisioner/)
    assert.deepEqual((await dig(dnsPort, NAME, 'A')).answer, [`${NAME}. 60 IN A 10.0.0.12`])
    const state = (await (await fetch(`http://127.0.0.1:${opsPort}/state`)).json()) as {
      publishers: { id: string }[]
    }
    assert.deepEqual(
      state.publishers.map((p) => p.id),
      [Buffer.from(signer.publicKey).toString('hex')],
    )

    agent.kill('SIGTERM')
    const [code] = await exited
    assert.equal(code, 0, stderr)
  },
)
