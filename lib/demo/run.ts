/**
 * `dns-controller demo`: a controller on a manifest (`--from`) and N agents, all child processes
 * on 127.0.0.1 under one temp dir, with fresh keys and the pre-shared key on. Prints the records,
 * each agent's readiness and what to try; then reports every change of the file as it reaches the
 * agents, until the demo is told to stop (SIGINT/SIGTERM) or a child dies.
 *
 * Exit status: 0 when stopped by a signal and every child stopped cleanly; 1 when a child failed,
 * the agents did not converge in time, or a child did not stop cleanly.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fetchAgentState } from '../agent/state-client.ts'
import type { AgentState } from '../agent/status.ts'
import { recordsTable } from '../records/format.ts'
import type { RecordType } from '../records/types.ts'
import { errorMessage } from '../util/errors.ts'
import { parseHostPort } from '../util/hostport.ts'
import type { HostPort } from '../util/hostport.ts'
import { demoPlan, HOSTS_SEED, layoutPorts, portCount } from './plan.ts'
import type { DemoFiles, DemoPlan } from './plan.ts'
import { freePorts, portsFrom } from '../util/ports.ts'
import { spawnChild, tail } from './supervisor.ts'
import type { Child, ChildExit } from './supervisor.ts'
import { converged, diffRecords, sampleName } from './view.ts'

export interface DemoInit {
  /** The manifest (--from), resolved to an absolute path; or the text of the example embedded in
   * the single executable, written to DIR/cluster.yaml for the controller to follow (and the user
   * to edit). */
  readonly from: string | { readonly embedded: string }
  readonly agents: number
  /** Consecutive ports from here; undefined: the system picks free ports. */
  readonly basePort?: number
  readonly clusterName?: string
  /** The node binary and this CLI's entry file, to start the children; no entry file when `node`
   * is this program itself (the single executable re-runs itself). */
  readonly node: string
  readonly cli: string | undefined
  /** How to run this CLI from the user's shell, for the printed hints. @default `${node} ${cli}` */
  readonly hint?: string
  /** Writes gossip.psk, publisher.key and publisher.pub into a directory (keygen). */
  readonly keygen: (dir: string) => Promise<void>
  /** Resolves with the signal's name when the demo should stop. */
  readonly stopped: Promise<string>
  readonly out: (text: string) => void
  /** Gives up when the agents have not converged by then. @default 60000 */
  readonly startTimeoutMs?: number
  /** Poll period of the agents' /state. @default 100 */
  readonly pollMs?: number
}

/** Thrown by runDemo for a --base-port range that is taken (the command turns it into a ConfigError). */
export class PortsBusyError extends Error {
  override readonly name = 'PortsBusyError'
}

const STOP_GRACE_MS = 10_000

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function readState(at: string): Promise<AgentState | undefined> {
  try {
    return await fetchAgentState(parseHostPort(at) as HostPort, 1000)
  } catch {
    return undefined
  }
}

async function httpStatus(url: string): Promise<number | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
    await res.body?.cancel()
    return res.status
  } catch {
    return undefined
  }
}

async function choosePorts(count: number, base: number | undefined): Promise<number[]> {
  if (base === undefined) return freePorts(count)
  const got = await portsFrom(base, count)
  if (Array.isArray(got)) return got
  throw new PortsBusyError(`port ${got.busy} (of ${base}-${base + count - 1}) is in use on 127.0.0.1`)
}

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

function tryLines(plan: DemoPlan, state: AgentState, from: string, cli: string, dir: string): string {
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

export async function runDemo(init: DemoInit): Promise<number> {
  const out = init.out
  const dir = await mkdtemp(join(tmpdir(), 'dns-controller-demo-'))
  const children: Child[] = []
  const stop = { reason: undefined as string | undefined }
  void init.stopped.then((s) => (stop.reason = s))
  let code: number
  try {
    code = await session(init, dir, children, stop)
  } catch (err) {
    code = 1
    out(`\ndns-controller demo: ${errorMessage(err)}\n`)
    if (err instanceof ChildDied) out(err.details)
  }
  out(`stopping (${stop.reason ?? 'error'})…\n`)
  // Agents first, so none logs the controller's departure as a problem; then the controller.
  const agents = children.filter((c) => c.name !== 'controller')
  const exits = await Promise.all(agents.map((c) => c.stop(STOP_GRACE_MS)))
  const ctl = children.find((c) => c.name === 'controller')
  if (ctl !== undefined) exits.push(await ctl.stop(STOP_GRACE_MS))
  for (const e of exits.filter((x) => x.code !== 0)) {
    out(`${e.name} exited ${e.code === null ? `by ${e.signal ?? 'an error'}` : `with status ${e.code}`}\n`)
    code = 1
  }
  try {
    await rm(dir, { recursive: true, force: true })
    out(`removed ${dir}\n`)
  } catch (err) {
    out(`could not remove ${dir}: ${errorMessage(err)}\n`)
    code = 1
  }
  return code
}

async function session(
  init: DemoInit,
  dir: string,
  children: Child[],
  stop: { readonly reason: string | undefined },
): Promise<number> {
  const out = init.out
  const from = typeof init.from === 'string' ? resolve(init.from) : join(dir, 'cluster.yaml')
  if (typeof init.from !== 'string') await writeFile(from, init.from.embedded)
  const pollMs = init.pollMs ?? 100
  const keys = join(dir, 'keys')
  await init.keygen(keys)
  const files: DemoFiles = {
    dir,
    psk: join(keys, 'gossip.psk'),
    publisherKey: join(keys, 'publisher.key'),
    publisherPub: join(keys, 'publisher.pub'),
  }
  const ports = layoutPorts(await choosePorts(portCount(init.agents), init.basePort), init.agents)
  const plan = demoPlan({
    from,
    ports,
    files,
    join,
    ...(init.clusterName === undefined ? {} : { clusterName: init.clusterName }),
  })
  for (const a of plan.agents) {
    await mkdir(a.stateDir, { recursive: true, mode: 0o700 })
    await writeFile(a.hostsFile, HOSTS_SEED)
  }
  const spawn = (p: { name: string; args: readonly string[]; log: string }): Child => {
    const child = spawnChild({ ...p, node: init.node, cli: init.cli })
    children.push(child)
    return child
  }
  spawn(plan.controller)
  for (const a of plan.agents) spawn(a)
  out(summary(plan, from, dir))
  const controllerLog = logFollower(plan.controller.log)
  const showProblems = async (): Promise<void> => {
    for (const l of await controllerLog()) out(`  controller ${l}\n`)
  }
  const died = Promise.race(children.map((c) => c.exited))
  let dead: ChildExit | undefined
  void died.then((e) => (dead = e))

  // Start: wait until every agent holds the same snapshot.
  const started = Date.now()
  const deadline = started + (init.startTimeoutMs ?? 60_000)
  let states: (AgentState | undefined)[] = []
  let version: string | undefined
  out('waiting for the controller to publish and every agent to hold the snapshot…\n')
  while (version === undefined) {
    if (stop.reason !== undefined) return 0
    if (dead !== undefined) throw new ChildDied(dead, children)
    if (Date.now() > deadline) {
      const report = plan.agents
        .map(
          (a, i) =>
            `${a.name}: ${states[i] === undefined ? 'no state' : `${states[i]?.records.length} records`}`,
        )
        .join(', ')
      throw new Error(`the agents did not converge within ${init.startTimeoutMs ?? 60_000} ms (${report})`)
    }
    await sleep(pollMs)
    states = await Promise.all(plan.agents.map((a) => readState(a.metrics)))
    version = converged(states)
  }
  const first = states[0] as AgentState
  out('\nrecords (published by the controller, held by every agent):\n')
  out(
    recordsTable(
      first.records.map((r) => ({
        name: r.name,
        type: r.type as RecordType,
        values: r.values,
        ttlSeconds: r.ttl,
      })),
    ),
  )
  const controllerReady = await httpStatus(`http://${plan.controller.metrics}/readyz`)
  out(
    `\ncontroller  ${controllerReady === 200 ? 'ready' : `not ready (/readyz ${controllerReady ?? 'unreachable'})`}\n`,
  )
  for (const [i, a] of plan.agents.entries()) {
    const s = states[i] as AgentState
    const ready = await httpStatus(`http://${a.metrics}/readyz`)
    out(
      `${a.name.padEnd(10)}  ${ready === 200 ? 'ready' : `not ready (/readyz ${ready ?? 'unreachable'})`}  ` +
        `${s.records.length} records  ${s.peers} peers\n`,
    )
  }
  const n = plan.agents.length
  out(`${everyAgent(n)} ${n === 1 ? 'holds' : 'hold'} the snapshot, ${Date.now() - started} ms after start\n`)
  await showProblems()
  out(
    tryLines(
      plan,
      first,
      from,
      init.hint ?? (init.cli === undefined ? init.node : `${init.node} ${init.cli}`),
      dir,
    ),
  )

  // Follow: report each new snapshot once every agent holds it.
  let shown = first.records
  let shownVersion = version
  while (stop.reason === undefined) {
    if (dead !== undefined) throw new ChildDied(dead, children)
    await sleep(pollMs)
    await showProblems()
    states = await Promise.all(plan.agents.map((a) => readState(a.metrics)))
    const v = converged(states)
    if (v === undefined || v === shownVersion) continue
    const now = states[0] as AgentState
    const changes = diffRecords(shown, now.records)
    const mtime = await stat(from).then(
      (s) => s.mtimeMs,
      () => undefined,
    )
    const since =
      mtime === undefined || Date.now() - mtime > 30_000
        ? ''
        : `, ${Math.round(Date.now() - mtime)} ms after the file was saved`
    const time = new Date().toISOString().slice(11, 19)
    out(`${time} new snapshot reached ${everyAgent(plan.agents.length)}${since}\n`)
    for (const c of changes.length === 0 ? ['(same records)'] : changes) out(`  ${c}\n`)
    shown = now.records
    shownVersion = v
  }
  return 0
}

/**
 * New warning and error lines of a child's log since the last call, shortened for the window:
 * a YAML error or a record problem explains why an edit changed nothing.
 */
export function logFollower(path: string): () => Promise<string[]> {
  let offset = 0
  let partial = ''
  return async () => {
    let text: string
    try {
      const buf = await readFile(path)
      if (buf.length < offset) offset = 0
      text = partial + buf.subarray(offset).toString('utf8')
      offset = buf.length
    } catch {
      return []
    }
    const lines = text.split('\n')
    partial = lines.pop() ?? ''
    return lines.flatMap((l) => {
      const m = /^\S+ ([WE]) [^:]+: (.*)$/.exec(l)
      return m === null ? [] : [`${m[1] === 'E' ? 'error' : 'warning'}: ${m[2]}`]
    })
  }
}

class ChildDied extends Error {
  override readonly name = 'ChildDied'
  readonly details: string
  constructor(exit: ChildExit, children: readonly Child[]) {
    super(`${exit.name} exited unexpectedly (${exit.code === null ? exit.signal : `status ${exit.code}`})`)
    const child = children.find((c) => c.name === exit.name)
    this.details = child === undefined ? '' : `last lines of ${child.log}:\n${tail(child.log)}\n`
  }
}
