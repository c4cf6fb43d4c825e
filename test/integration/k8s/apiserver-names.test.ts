/**
 * `--cluster-name` end to end on a real kube-apiserver (endpoint reconciler `lease`), with no
 * annotations anywhere: the controller (the CLI, as a process) publishes api.internal.<cluster>
 * with the apiserver's advertised address, and every agent (processes, PSK on) answers it by DNS
 * and writes it into its hosts block. Restarting kube-apiserver with another --advertise-address
 * moves the record everywhere. (The API refuses loopback endpoint addresses, so the second address
 * is a documentation one, 198.51.100.20: only published, never dialled.)
 */
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keygen } from '../../../cmd/commands/keygen.ts'
import { demoPlan, HOSTS_SEED, layoutPorts, portCount } from '../../../lib/demo/plan.ts'
import type { DemoPlan } from '../../../lib/demo/plan.ts'
import { freePorts } from '../../../lib/util/ports.ts'
import { spawnChild, tail } from '../../../lib/demo/supervisor.ts'
import type { Child } from '../../../lib/demo/supervisor.ts'
import { missingTestbin, startKube } from '../../harness/kube.ts'
import type { KubeCluster } from '../../harness/kube.ts'
import { dig } from '../dns/dig.ts'

const CLUSTER = 'itest.k8s.local'
const NAME = `api.internal.${CLUSTER}`
const CLI = join(import.meta.dirname, '../../../cmd/dns-controller.ts')
const AGENTS = 2

function needs(): string | undefined {
  const missing = missingTestbin('etcd', 'kube-apiserver')
  if (missing !== undefined) return missing
  try {
    execFileSync('which', ['dig'])
  } catch {
    return 'needs dig'
  }
  return undefined
}

async function until(
  what: string,
  ms: number,
  ok: () => Promise<boolean>,
  logs: () => string,
): Promise<void> {
  const end = Date.now() + ms
  while (!(await ok().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}\n${logs()}`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

describe(
  '--cluster-name on a real kube-apiserver, controller and agents as processes',
  { skip: needs(), timeout: 300_000 },
  () => {
    let kube: KubeCluster
    let dir: string
    let plan: DemoPlan
    const children: Child[] = []
    const logs = (): string => children.map((c) => `--- ${c.name}\n${tail(c.log, 8)}`).join('\n')

    before(async () => {
      kube = await startKube({ endpointReconciler: 'lease' })
      dir = await mkdtemp(join(tmpdir(), 'dnsc-apinames-'))
      const keys = join(dir, 'keys')
      await keygen({ out: keys, force: false })
      plan = demoPlan({
        from: { kubeconfig: kube.kubeconfigPath },
        ports: layoutPorts(await freePorts(portCount(AGENTS)), AGENTS),
        files: {
          dir,
          psk: join(keys, 'gossip.psk'),
          publisherKey: join(keys, 'publisher.key'),
          publisherPub: join(keys, 'publisher.pub'),
        },
        clusterName: CLUSTER,
        join,
      })
      for (const a of plan.agents) {
        await mkdir(a.stateDir, { recursive: true })
        await writeFile(a.hostsFile, HOSTS_SEED)
      }
      for (const p of [plan.controller, ...plan.agents])
        children.push(spawnChild({ ...p, node: process.execPath, cli: CLI }))
    })
    after(async () => {
      const exits = await Promise.all(children.map((c) => c.stop(10_000)))
      await kube?.stop()
      if (dir !== undefined) await rm(dir, { recursive: true, force: true })
      for (const e of exits) assert.equal(e.code, 0, `${e.name} stopped cleanly`)
    })

    const everywhere = async (address: string): Promise<boolean> => {
      for (const a of plan.agents) {
        const r = await dig(Number(a.dns.split(':')[1]), NAME, 'A')
        if (r.answer.map((l) => l.split(' ').pop()).join(',') !== address) return false
        const hosts = await readFile(a.hostsFile, 'utf8')
        if (
          !new RegExp(`^${address.replaceAll('.', '\\.')}\\t${NAME.replaceAll('.', '\\.')}$`, 'm').test(hosts)
        )
          return false
      }
      return true
    }

    test('no annotations: api.internal is the advertised address, by DNS and in the hosts block of every agent', async () => {
      // What kube-apiserver advertises by default: the host's first non-loopback address.
      const path = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes'
      // The lease reconciler writes the slice shortly after /readyz turns ready: wait for it.
      let slice = await kube.request('GET', path)
      for (const deadline = Date.now() + 30_000; slice.status === 404 && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 200))
        slice = await kube.request('GET', path)
      }
      assert.equal(slice.status, 200, 'the lease reconciler keeps default/kubernetes')
      const body = slice.body as { endpoints?: { addresses: string[] }[] }
      const advertised = body.endpoints?.[0]?.addresses[0]
      assert.ok(advertised !== undefined, JSON.stringify(slice.body))
      await until(`every agent serves ${NAME} → ${advertised}`, 60_000, () => everywhere(advertised), logs)
    })

    test('kube-apiserver restarted with another --advertise-address: the record moves everywhere', async (t) => {
      await kube.stopApiserver()
      await kube.startApiserver({ advertiseAddress: '198.51.100.20' })
      const started = Date.now()
      await until(
        `every agent serves ${NAME} → 198.51.100.20`,
        90_000,
        () => everywhere('198.51.100.20'),
        logs,
      )
      t.diagnostic(`moved ${Date.now() - started} ms after kube-apiserver was ready again`)
    })
  },
)
