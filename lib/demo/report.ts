/**
 * The demo's text: the start-up summary, the readiness lines and what to try, pure.
 */
import type { AgentState } from '../agent/status.ts'
import type { RecordType, ResolvedRecord } from '../records/types.ts'
import type { DemoPlan } from './plan.ts'
import { sampleName } from './view.ts'

/** "1 agent", "3 agents". */
export function agents(n: number): string {
  return `${n} agent${n === 1 ? '' : 's'}`
}

/** "all 3 agents" / "the agent". */
export function everyAgent(n: number): string {
  return n === 1 ? 'the agent' : `all ${n} agents`
}

export function summary(plan: DemoPlan, from: string, dir: string): string {
  const c = plan.controller
  const rows = [
    `dns-controller demo: a controller and ${agents(plan.agents.length)} on 127.0.0.1, pre-shared key on`,
    `  temp dir    ${dir}`,
    `  controller  gossip ${c.gossip}  status http://${c.metrics}/status  log ${c.log}`,
    `              from ${from}`,
    ...plan.agents.map(
      (a) => `  ${a.name.padEnd(10)}  dns ${a.dns}  hosts ${a.hostsFile}  state http://${a.metrics}/state`,
    ),
  ]
  return rows.join('\n') + '\n'
}

export function tryLines(plan: DemoPlan, state: AgentState, from: string, cli: string, dir: string): string {
  const name = sampleName(state.records) ?? 'api.internal.demo.k8s.local'
  const other = state.records.find((r) => r.name !== name && r.type === 'CNAME')
  const lines = ['', 'Try:']
  for (const a of plan.agents) lines.push(`  dig @127.0.0.1 -p ${a.dns.split(':')[1]} ${name}`)
  for (const a of plan.agents) lines.push(`  cat ${a.hostsFile}`)
  const first = plan.agents[0]
  if (first !== undefined) {
    const port = first.dns.split(':')[1]
    if (other !== undefined) lines.push(`  dig @127.0.0.1 -p ${port} +tcp ${other.name}`)
    lines.push(`  ${cli} state --from ${first.metrics}`)
  }
  lines.push(
    '',
    `Edit ${from}: every agent follows within a second.`,
    `Ctrl-C stops everything and removes ${dir}.`,
    '',
  )
  return lines.join('\n') + '\n'
}

/** "ready", or why not from /readyz's status (undefined: unreachable). */
export function readiness(status: number | undefined): string {
  return status === 200 ? 'ready' : `not ready (/readyz ${status ?? 'unreachable'})`
}

/** A /state record as the records table prints it. */
export function resolvedRecord(r: AgentState['records'][number]): ResolvedRecord {
  return { name: r.name, type: r.type as RecordType, values: r.values, ttlSeconds: r.ttl }
}
