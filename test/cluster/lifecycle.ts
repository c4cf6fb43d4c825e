/** Pods coming and going on the real node: agent restart, leader takeover, a rolling upgrade. */
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { ANNOTATION_EXTERNAL, PROBE, loadBalancer, waitResolves } from './dns.ts'
import { ms } from './names.ts'
import {
  CLUSTER_DIR,
  CLUSTER_NAME,
  FULL,
  NS,
  RELEASE,
  ROOT,
  execInPod,
  kubectl,
  kubectlJson,
  percentile,
  sh,
  until,
  uptime,
} from './harness.ts'
import type { Cluster } from './harness.ts'

const NODE_IP = '10.250.0.2'
const AGENT_SELECTOR = 'app.kubernetes.io/component=agent'

interface PodList {
  items: {
    metadata: { name: string; deletionTimestamp?: string }
    status: { conditions?: { type: string; status: string }[] }
  }[]
}

const ready = (p: PodList['items'][number]): boolean =>
  !p.metadata.deletionTimestamp &&
  (p.status.conditions ?? []).some((x) => x.type === 'Ready' && x.status === 'True')

async function agentState(): Promise<{ records: { name: string }[]; peers: number }> {
  const netns = (await sh('cat', [join(CLUSTER_DIR, 'netns')])).trim()
  const out = await sh('nsenter', [
    `--net=/run/netns/${netns}`,
    'curl',
    '-sf',
    `http://${NODE_IP}:3991/state`,
  ])
  return JSON.parse(out) as { records: { name: string }[]; peers: number }
}

/** The agent pod deleted while no controller runs: its replacement serves the persisted replica. */
export async function agentRestart(c: Cluster): Promise<void> {
  const name = `keep.${CLUSTER_NAME}`
  await loadBalancer(c, 'keep', { [ANNOTATION_EXTERNAL]: name }, '192.0.2.30')
  await waitResolves(c, name, ['192.0.2.30'])
  await kubectl(c, '-n', NS, 'scale', `deployment/${FULL}-controller`, '--replicas=0')
  await until('no controller pods', async () => {
    const l = await kubectlJson<PodList>(
      c,
      '-n',
      NS,
      'get',
      'pods',
      '-l',
      'app.kubernetes.io/component=controller',
    )
    return l.items.length === 0 ? true : undefined
  })
  try {
    const before = await kubectlJson<PodList>(c, '-n', NS, 'get', 'pods', '-l', AGENT_SELECTOR)
    const old = before.items[0]!.metadata.name
    const t0 = Date.now()
    await kubectl(c, '-n', NS, 'delete', 'pod', old, '--wait=false')
    const fresh = await until(
      'a ready replacement agent',
      async () => {
        const l = await kubectlJson<PodList>(c, '-n', NS, 'get', 'pods', '-l', AGENT_SELECTOR)
        return l.items.find((p) => p.metadata.name !== old && ready(p))?.metadata.name
      },
      120_000,
    )
    const readyMs = Date.now() - t0
    const state = await agentState()
    assert.equal(state.peers, 0, 'no controller runs: the agent has no peer')
    assert.ok(
      state.records.some((r) => r.name === name),
      `${fresh} serves ${name} from its persisted replica`,
    )
    await waitResolves(c, name, ['192.0.2.30'])
    console.log(
      `# agent pod deleted → replacement ${fresh} Ready in ${readyMs} ms, answering from the persisted replica with 0 peers; pod resolves after ${Date.now() - t0} ms`,
    )
  } finally {
    await kubectl(c, '-n', NS, 'scale', `deployment/${FULL}-controller`, '--replicas=2')
    await kubectl(c, '-n', NS, 'rollout', 'status', `deployment/${FULL}-controller`, '--timeout=180s')
  }
}

async function leaseHolder(c: Cluster): Promise<string | undefined> {
  const l = await kubectlJson<{ spec: { holderIdentity?: string } }>(
    c,
    '-n',
    NS,
    'get',
    'lease',
    `${FULL}-controller`,
  )
  return l.spec.holderIdentity || undefined
}

/** The leading controller pod deleted: the other replica takes the Lease and publishes changes. */
export async function leaderTakeover(c: Cluster): Promise<number> {
  const pods = await kubectlJson<PodList>(
    c,
    '-n',
    NS,
    'get',
    'pods',
    '-l',
    'app.kubernetes.io/component=controller',
  )
  const names = pods.items.map((p) => p.metadata.name)
  const holder = await until('a Lease holder', () => leaseHolder(c))
  const leader = names.find((n) => holder.startsWith(n))
  assert.ok(leader, `Lease holder ${holder} is one of ${names.join(', ')}`)
  const t0 = Date.now()
  await kubectl(c, '-n', NS, 'delete', 'pod', leader, '--wait=false')
  const next = await until(
    'another Lease holder',
    async () => {
      const h = await leaseHolder(c)
      return h && !h.startsWith(leader) ? h : undefined
    },
    120_000,
  )
  const takeover = Date.now() - t0
  console.log(`# leader ${leader} deleted → ${next} holds the Lease after ${takeover} ms`)
  const name = `after-takeover.${CLUSTER_NAME}`
  const t1 = Date.now()
  await kubectl(c, 'annotate', '--overwrite', 'service', 'keep', `${ANNOTATION_EXTERNAL}=${name}`)
  await waitResolves(c, name, ['192.0.2.30'])
  console.log(`# a change after the takeover resolves from a pod in ${Date.now() - t1} ms`)
  await kubectl(c, '-n', NS, 'rollout', 'status', `deployment/${FULL}-controller`, '--timeout=180s')
  return takeover
}

/** `helm upgrade` rolling the agent DaemonSet while a pod asks for a name every 50 ms. */
export async function rollout(
  c: Cluster,
): Promise<{ failed: number; total: number; slowest: number[]; disruption: number; tailOk: boolean }> {
  const name = `after-takeover.${CLUSTER_NAME}`
  await waitResolves(c, name, ['192.0.2.30'])
  const script =
    `while :; do a=$(cut -d' ' -f1 /proc/uptime); ` +
    `if nslookup -type=a ${name}. 2>&1 | grep -q '^Address: 192.0.2.30$'; then r=ok; else r=fail; fi; ` +
    `b=$(cut -d' ' -f1 /proc/uptime); echo "$a $b $r"; usleep 50000; done`
  const p = execInPod(c, PROBE, script)
  try {
    await p.waitFor(/ ok$/, 30_000)
    const start = uptime()
    await sh(
      join(CLUSTER_DIR, 'bin/helm'),
      [
        'upgrade',
        RELEASE,
        join(ROOT, 'charts/dns-controller'),
        '-n',
        NS,
        '--reuse-values',
        '--set',
        `agent.podAnnotations.rolled=r${Date.now()}`,
      ],
      300_000,
    )
    await kubectl(c, '-n', NS, 'rollout', 'status', `daemonset/${FULL}-agent`, '--timeout=300s')
    // A few more seconds of answers after the new agent is Ready.
    await new Promise((r) => setTimeout(r, 3000))
    const rows = p.lines
      .map((l) => l.split(' '))
      .filter((x) => x.length === 3 && Number(x[0]) >= start)
      .map(([a, b, r]) => ({ at: Number(a), took: Number(b) - Number(a), ok: r === 'ok' }))
    const failed = rows.filter((r) => !r.ok)
    const took = rows.map((r) => r.took)
    const slowest = [...took].sort((a, b) => b - a).slice(0, 5)
    // From the first failed or slow (over 0.5 s) answer to the end of the last one.
    const bad = rows.filter((r) => !r.ok || r.took > 0.5)
    const last = bad[bad.length - 1]
    const disruption = last ? last.at + last.took - bad[0]!.at : 0
    console.log(
      `# agent rollout: ${rows.length} queries (one every 50 ms plus its own time), ${failed.length} failed, ` +
        `answers disrupted for ${ms(disruption)}; slowest ${slowest.map(ms).join(', ')}; p99 ${ms(percentile(took, 99))}`,
    )
    const tailOk = rows.length >= 10 && rows.slice(-10).every((r) => r.ok)
    return { failed: failed.length, total: rows.length, slowest, disruption, tailOk }
  } finally {
    p.stop()
  }
}
