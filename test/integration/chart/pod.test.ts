/**
 * The chart's agent pod, run as a process: the contract between the chart and the program.
 *
 * helm renders the DaemonSet and the key material; the test lays out every volume as the kubelet
 * would (Secret and ConfigMap keys as files, the hosts hostPath as a file, the state hostPath as a
 * directory) under a temp root, points the chart's absolute paths there, expands the kubelet's
 * `$(POD_IP)` to 127.0.0.1, moves the ports to free ones, and runs `dns-controller` with exactly
 * the chart's flags otherwise. A publisher signing with the private key the chart generated
 * publishes a record over gossip keyed with the chart's pre-shared key; the agent must trust it
 * through the chart's certificate and serve it in the hosts file, over DNS and in /state, and the
 * chart's CoreDNS server block, run by the real CoreDNS, must forward the name to it.
 */
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { derivePsk, parsePrivateKeyPem, signerFromPrivateKey } from '../../../lib/gossip/keys.ts'
import { testbinDir } from '../../harness/kube.ts'
import { startNode } from '../../helpers/gossip.ts'
import { dig } from '../dns/dig.ts'
import { find, render, toolsMissing } from './helm.ts'
import {
  NODE,
  dataOf,
  freePort,
  materialise,
  podArgs,
  podCommand,
  podEnv,
  secretValue,
  until,
} from './pods.ts'

const NAME = 'hello.internal.mycluster.k8s.local'

const skip = toolsMissing('helm', 'coredns')

test(
  'the chart agent pod, as a process, serves what the chart-keyed publisher signs',
  { skip, timeout: 120_000 },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'dnsc-pod-'))
    t.after(() => rmSync(root, { recursive: true, force: true }))
    // Static seeds so that no API server is needed; the seed address is replaced below.
    const { objects } = await render({
      set: [
        'agent.seeds.fromService=false',
        'agent.seeds.static[0]=192.0.2.1:3999',
        'coredns.customConfigMap.enabled=true',
        'agent.dns.service.clusterIP=10.0.0.53',
      ],
    })
    const ds = find(objects, 'DaemonSet', '-agent')
    const mountPaths = materialise(root, objects, ds)

    const psk = secretValue(objects, '-gossip', 'gossip.psk')
    const key = parsePrivateKeyPem(secretValue(objects, '-publisher', 'publisher.key'))
    if (typeof key === 'string') throw new Error(key)
    const signer = signerFromPrivateKey(key)
    const publisher = await startNode({ psk: derivePsk(psk, 'test'), trusted: [signer.publicKey], signer })
    t.after(() => publisher.node.stop())
    await publisher.node.publish([{ name: NAME, type: 'A', values: ['10.0.0.12'], ttlSeconds: 60 }])

    const [gossipPort, dnsPort, opsPort] = [await freePort(), await freePort(), await freePort()]
    const args = podArgs(ds, root, mountPaths, {
      'gossip-listen': `127.0.0.1:${gossipPort}`,
      'gossip-seed': `127.0.0.1:${publisher.addr.port}`,
      'dns-listen': `127.0.0.1:${dnsPort}`,
      'metrics-listen': `127.0.0.1:${opsPort}`,
    })

    const env = podEnv(ds)
    assert.equal(env['UV_THREADPOOL_SIZE'], '1')
    const agent = spawn(NODE, await podCommand(ds, args), {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    })
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

    // Pods ask CoreDNS: the chart's server block, run by the real CoreDNS. Only the listen port
    // and the forward address change (the Service's ClusterIP becomes the agent's address).
    const block = dataOf(find(objects, 'ConfigMap', 'coredns-custom'))['dns-controller.server'] ?? ''
    const corePort = await freePort()
    const corefile = join(root, 'Corefile')
    writeFileSync(
      corefile,
      block
        .replace('k8s.local:53 {', `k8s.local:${corePort} {\n    bind 127.0.0.1`)
        .replace('forward . 10.0.0.53', `forward . 127.0.0.1:${dnsPort}`),
    )
    const coredns = spawn(join(testbinDir(), 'coredns'), ['-conf', corefile, '-quiet'], { stdio: 'ignore' })
    t.after(() => coredns.kill('SIGKILL'))
    await until('CoreDNS to answer through the agent', async () => {
      const r = await dig(corePort, NAME, 'A')
      return r.answer.some((a) => a.endsWith('IN A 10.0.0.12'))
    })
    coredns.kill('SIGTERM')

    agent.kill('SIGTERM')
    const [code] = await exited
    assert.equal(code, 0, stderr)
  },
)
