/**
 * `dns-controller` as a process: with --from, it becomes ready, publishes the file's records
 * (seen on /status), follows an edit, and exits 0 on SIGTERM; with --kubeconfig, the same against
 * a real kube-apiserver, holding the Lease while it runs and releasing it on SIGTERM.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePublisherKeyPem } from '../../lib/gossip/keys.ts'
import { missingTestbin, startKube } from '../harness/kube.ts'
import { freePort } from '../../lib/util/ports.ts'

const NODE = join(import.meta.dirname, '../../node_modules/.bin/node')
const CLI = join(import.meta.dirname, '../../cmd/dns-controller.ts')

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url)
  const text = await res.text()
  try {
    return { status: res.status, body: JSON.parse(text) }
  } catch {
    return { status: res.status, body: text }
  }
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms
  for (;;) {
    const v = await probe().catch(() => undefined)
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

const svc = (ip: string) => `
kind: Service
apiVersion: v1
metadata: { name: web, namespace: default, annotations: { dns.alpha.kubernetes.io/external: web.example.local } }
spec: { type: LoadBalancer }
status: { loadBalancer: { ingress: [{ ip: ${ip} }] } }
`

async function runCli(t: { after: (fn: () => Promise<void>) => void }, args: string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'dnsc-cli-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const key = join(dir, 'publisher.key')
  await writeFile(key, generatePublisherKeyPem().privatePem)
  const [ops, gossip, gossip2] = [await freePort(), await freePort(), await freePort()]
  const child = spawn(
    NODE,
    [
      CLI,
      '--internal-ipv4',
      '--gossip-insecure',
      `--publisher-key-file=${key}`,
      `--metrics-listen=127.0.0.1:${ops}`,
      `--gossip-listen=127.0.0.1:${gossip}`,
      `--gossip-listen-secondary=127.0.0.1:${gossip2}`,
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  )
  let stderr = ''
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  t.after(async () => {
    child.kill('SIGKILL')
    await exited
  })
  return { dir, base: `http://127.0.0.1:${ops}`, child, exited, stderr: () => stderr }
}

test(
  'controller --from: ready, publishes, follows edits, exits 0 on SIGTERM',
  { timeout: 60_000 },
  async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'dnsc-from-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const file = join(dir, 'objects.yaml')
    await writeFile(file, svc('10.9.0.1'))
    const p = await runCli(t, [`--from=${file}`])
    await until('ready', 30_000, async () =>
      (await getJson(`${p.base}/readyz`)).status === 200 ? true : undefined,
    )
    const status = (await getJson(`${p.base}/status`)).body as { publishedRecords: number; leader: boolean }
    assert.equal(status.publishedRecords, 1)
    assert.equal(status.leader, true)
    await writeFile(
      file,
      svc('10.9.0.1') +
        '---\n' +
        svc('10.9.0.2').replace('name: web', 'name: web2').replace('web.example', 'web2.example'),
    )
    await until('edit published', 10_000, async () => {
      const s = (await getJson(`${p.base}/status`)).body as { publishedRecords: number }
      return s.publishedRecords === 2 ? true : undefined
    })
    const metrics = (await getJson(`${p.base}/metrics`)).body as string
    assert.match(metrics, /dns_controller_publishes_total\{result="ok"\} 2/)
    p.child.kill('SIGTERM')
    assert.equal(await p.exited, 0, p.stderr())
  },
)

test(
  'controller --kubeconfig: holds the Lease, publishes, releases on SIGTERM',
  { skip: missingTestbin('etcd', 'kube-apiserver'), timeout: 90_000 },
  async (t) => {
    const kube = await startKube()
    t.after(() => kube.stop())
    const p = await runCli(t, [`--kubeconfig=${kube.kubeconfigPath}`, '--watch-ingress=false'])
    await until('ready', 30_000, async () =>
      (await getJson(`${p.base}/readyz`)).status === 200 ? true : undefined,
    )
    const lease = (
      await kube.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/dns-controller')
    ).body as { spec: { holderIdentity?: string } }
    assert.ok((lease.spec.holderIdentity ?? '') !== '', 'the controller holds the Lease')
    p.child.kill('SIGTERM')
    assert.equal(await p.exited, 0, p.stderr())
    const after = (
      await kube.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/dns-controller')
    ).body as { spec: { holderIdentity?: string } }
    assert.equal(after.spec.holderIdentity ?? '', '', 'released on a clean stop')
  },
)
