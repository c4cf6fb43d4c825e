/**
 * The demo's layout, pure: which ports and files each process gets, and the exact arguments each
 * child is started with. Everything runs on 127.0.0.1 under one temp dir:
 *
 * | process    | ports (with --base-port P)            | files under DIR                          |
 * | ---------- | ------------------------------------- | ---------------------------------------- |
 * | controller | gossip P, metrics P+1                 | controller.log                           |
 * | agent i    | gossip, DNS, metrics: P+2+3(i-1) +0/1/2 | agent-i/{hosts,agent.log,node.key,…}   |
 *
 * Keys come from keygen in DIR/keys; the pre-shared key is on (no --gossip-insecure anywhere).
 */

export const DEMO_DEFAULT_AGENTS = 3
export const DEMO_MAX_AGENTS = 20
/** The example's cluster; with --cluster-name the controller also publishes api.internal.<name>. */
export const DEMO_ZONE = 'local'

export interface DemoPorts {
  readonly controllerGossip: number
  readonly controllerMetrics: number
  readonly agents: readonly { readonly gossip: number; readonly dns: number; readonly metrics: number }[]
}

/** How many ports a layout needs: two for the controller, three per agent. */
export function portCount(agents: number): number {
  return 2 + 3 * agents
}

/** Consecutive ports from `base` (--base-port), or any list of free ports in that order. */
export function layoutPorts(ports: readonly number[], agents: number): DemoPorts {
  if (ports.length < portCount(agents)) throw new Error(`bug: ${portCount(agents)} ports needed`)
  const at = (i: number): number => ports[i] as number
  return {
    controllerGossip: at(0),
    controllerMetrics: at(1),
    agents: Array.from({ length: agents }, (_, i) => ({
      gossip: at(2 + 3 * i),
      dns: at(3 + 3 * i),
      metrics: at(4 + 3 * i),
    })),
  }
}

export interface DemoFiles {
  readonly dir: string
  readonly psk: string
  readonly publisherKey: string
  readonly publisherPub: string
}

export interface ChildPlan {
  /** `controller`, `agent-1`, … */
  readonly name: string
  readonly args: readonly string[]
  readonly log: string
}

export interface AgentPlan extends ChildPlan {
  readonly stateDir: string
  readonly hostsFile: string
  readonly dns: string
  readonly metrics: string
}

export interface DemoPlan {
  readonly controller: ChildPlan & { readonly metrics: string; readonly gossip: string }
  readonly agents: readonly AgentPlan[]
}

export interface PlanInit {
  /** The controller's objects: a manifest (`--from`), or a cluster (`--kubeconfig`, tests). */
  readonly from: string | { readonly kubeconfig: string }
  readonly ports: DemoPorts
  readonly files: DemoFiles
  /** Passed to the controller as --cluster-name when set. */
  readonly clusterName?: string
  /** Joins paths (node:path join, injected to keep this module pure). */
  readonly join: (...parts: string[]) => string
}

const LOOPBACK = '127.0.0.1'

export function demoPlan(init: PlanInit): DemoPlan {
  const { ports, files, join } = init
  const controllerGossip = `${LOOPBACK}:${ports.controllerGossip}`
  const controllerMetrics = `${LOOPBACK}:${ports.controllerMetrics}`
  const controller = {
    name: 'controller',
    gossip: controllerGossip,
    metrics: controllerMetrics,
    log: join(files.dir, 'controller.log'),
    args: [
      typeof init.from === 'string' ? `--from=${init.from}` : `--kubeconfig=${init.from.kubeconfig}`,
      '--internal-ipv4',
      `--gossip-listen=${controllerGossip}`,
      `--gossip-secret-file=${files.psk}`,
      `--publisher-key-file=${files.publisherKey}`,
      `--metrics-listen=${controllerMetrics}`,
      ...(init.clusterName === undefined ? [] : [`--cluster-name=${init.clusterName}`]),
    ],
  }
  const firstAgentGossip = `${LOOPBACK}:${ports.agents[0]?.gossip ?? 0}`
  const agents = ports.agents.map((p, i): AgentPlan => {
    const name = `agent-${i + 1}`
    const stateDir = join(files.dir, name)
    const hostsFile = join(stateDir, 'hosts')
    const dns = `${LOOPBACK}:${p.dns}`
    const metrics = `${LOOPBACK}:${p.metrics}`
    // Every agent seeds from the controller and, but for the first, from agent-1: the gossip
    // still converges while the controller restarts.
    const seeds = i === 0 ? [controllerGossip] : [controllerGossip, firstAgentGossip]
    return {
      name,
      stateDir,
      hostsFile,
      dns,
      metrics,
      log: join(stateDir, 'agent.log'),
      args: [
        'agent',
        `--gossip-listen=${LOOPBACK}:${p.gossip}`,
        `--gossip-seed=${seeds.join(',')}`,
        `--gossip-secret-file=${files.psk}`,
        `--trusted-publisher-key-file=${files.publisherPub}`,
        `--state-dir=${stateDir}`,
        `--hosts-file=${hostsFile}`,
        `--dns-listen=${dns}`,
        `--metrics-listen=${metrics}`,
        `--zone=${DEMO_ZONE}`,
      ],
    }
  })
  return { controller, agents }
}

/** The seed lines of a fresh hosts file: the agent edits an existing file and never creates one. */
export const HOSTS_SEED = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
