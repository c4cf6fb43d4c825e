/** The chart's pods as the kubelet runs them: checked in the API, in the OCI spec and in /proc. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { FULL, NS, crictl, kubectlJson } from './harness.ts'
import type { Cluster } from './harness.ts'

interface Pod {
  metadata: { name: string }
  spec: {
    hostNetwork?: boolean
    securityContext?: { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean }
    containers: {
      name: string
      livenessProbe?: unknown
      readinessProbe?: unknown
      securityContext?: {
        readOnlyRootFilesystem?: boolean
        allowPrivilegeEscalation?: boolean
        capabilities?: { drop?: string[]; add?: string[] }
      }
    }[]
  }
  status: {
    conditions?: { type: string; status: string }[]
    containerStatuses?: { name: string; ready: boolean; restartCount: number; containerID: string }[]
  }
}

interface Inspect {
  info: {
    pid: number
    runtimeSpec: {
      root: { readonly?: boolean }
      process: {
        user: { uid: number; gid: number }
        noNewPrivileges?: boolean
        capabilities?: Record<string, string[]>
      }
    }
  }
}

interface Expected {
  component: 'agent' | 'controller'
  uid: number
  hostNetwork: boolean
}

const EXPECTED: Expected[] = [
  { component: 'agent', uid: 0, hostNetwork: true },
  { component: 'controller', uid: 1000, hostNetwork: false },
]

export async function podSecurity(c: Cluster): Promise<void> {
  for (const e of EXPECTED) {
    const pods = await kubectlJson<{ items: Pod[] }>(
      c,
      '-n',
      NS,
      'get',
      'pods',
      '-l',
      `app.kubernetes.io/component=${e.component}`,
    )
    assert.ok(pods.items.length > 0, `${e.component} pods exist`)
    for (const pod of pods.items) {
      const what = `${e.component} pod ${pod.metadata.name}`
      assert.equal(pod.spec.hostNetwork ?? false, e.hostNetwork, `${what}: hostNetwork`)
      assert.equal(pod.spec.securityContext?.runAsUser, e.uid, `${what}: runAsUser`)
      const ctr = pod.spec.containers[0]!
      const sc = ctr.securityContext
      assert.equal(sc?.readOnlyRootFilesystem, true, `${what}: readOnlyRootFilesystem`)
      assert.equal(sc?.allowPrivilegeEscalation, false, `${what}: allowPrivilegeEscalation`)
      assert.deepEqual(sc?.capabilities?.drop, ['ALL'], `${what}: drops every capability`)
      assert.equal(sc?.capabilities?.add, undefined, `${what}: adds none (DNS port 1053)`)
      assert.ok(ctr.livenessProbe && ctr.readinessProbe, `${what}: has liveness and readiness probes`)
      const st = pod.status.containerStatuses?.[0]
      assert.ok(st?.ready, `${what}: readiness probe passing`)
      assert.equal(st.restartCount, 0, `${what}: liveness probe never failed (no restart)`)

      // The runtime's view: the OCI spec containerd gave runc, and the live process.
      const id = st.containerID.replace(/^containerd:\/\//, '')
      const info = (JSON.parse(await crictl('inspect', id)) as Inspect).info
      const proc = info.runtimeSpec.process
      assert.equal(info.runtimeSpec.root.readonly, true, `${what}: OCI root.readonly`)
      assert.equal(proc.user.uid, e.uid, `${what}: OCI uid`)
      assert.equal(proc.noNewPrivileges, true, `${what}: OCI noNewPrivileges`)
      for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient']) {
        assert.deepEqual(proc.capabilities?.[set] ?? [], [], `${what}: OCI ${set} capabilities`)
      }
      const status = readFileSync(`/proc/${info.pid}/status`, 'utf8')
      const field = (k: string): string => new RegExp(`^${k}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? ''
      assert.equal(field('Uid').split(/\s+/)[0], String(e.uid), `${what}: process uid`)
      assert.equal(field('CapEff'), '0000000000000000', `${what}: process effective capabilities`)
      assert.equal(field('CapBnd'), '0000000000000000', `${what}: process bounding set`)
      assert.equal(field('NoNewPrivs'), '1', `${what}: process no_new_privs`)
      console.log(
        `# ${what}: uid ${e.uid}, read-only root, no capabilities (API, OCI spec, /proc), probes passing`,
      )
    }
  }
  // The chart's generated objects the pods rely on are in place too.
  await kubectlJson(c, '-n', NS, 'get', 'service', `${FULL}-dns`)
}
