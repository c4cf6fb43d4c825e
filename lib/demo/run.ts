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
import { errorMessage } from '../util/errors.ts'
import { parseHostPort } from '../util/hostport.ts'
import type { HostPort } from '../util/hostport.ts'
import { demoPlan, HOSTS_SEED, layoutPorts, portCount } from './plan.ts'
import type { DemoFiles, DemoPlan } from './plan.ts'
import { freePorts, portsFrom } from '../util/ports.ts'
import { spawnChild, tail } from './supervisor.ts'
import type { Child, ChildExit } from './supervisor.ts'
import { everyAgent, readiness, resolvedRecord, summary, tryLines } from './report.ts'
import { converged, diffRecords } from './view.ts'

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

/** Everything one session runs on: the plan, the children and how to look at them. */
interface Session {
  readonly init: DemoInit
  readonly plan: DemoPlan
  /** The manifest, absolute. */
  readonly from: string
  readonly dir: string
  readonly stop: { readonly reason: string | undefined }
  /** Throws ChildDied once any child has exited. */
  readonly checkAlive: () => void
  /** Prints the controller's new warnings and errors. */
  readonly showProblems: () => Promise<void>
}

/** The manifest the controller follows: the given file, or the embedded example written to `dir`. */
async function manifest(init: DemoInit, dir: string): Promise<string> {
  if (typeof init.from === 'string') return resolve(init.from)
  const from = join(dir, 'cluster.yaml')
  await writeFile(from, init.from.embedded)
  return from
}

/** Keys, ports, the plan and each agent's files, in the temp dir. */
async function prepare(init: DemoInit, dir: string, from: string): Promise<DemoPlan> {
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
  return plan
}

/** Starts the controller and the agents; each child is added to `children` as it starts. */
function spawnAll(init: DemoInit, plan: DemoPlan, children: Child[]): () => void {
  for (const p of [plan.controller, ...plan.agents])
    children.push(spawnChild({ ...p, node: init.node, cli: init.cli }))
  let dead: ChildExit | undefined
  void Promise.race(children.map((c) => c.exited)).then((e) => (dead = e))
  return () => {
    if (dead !== undefined) throw new ChildDied(dead, children)
  }
}

const readStates = (plan: DemoPlan) => Promise.all(plan.agents.map((a) => readState(a.metrics)))

/** Start: waits until every agent holds the same snapshot; throws when the time is up. */
async function waitConverged(s: Session): Promise<{ states: AgentState[]; version: string } | undefined> {
  const timeoutMs = s.init.startTimeoutMs ?? 60_000
  const deadline = Date.now() + timeoutMs
  let states: (AgentState | undefined)[] = []
  for (;;) {
    if (s.stop.reason !== undefined) return undefined
    s.checkAlive()
    if (Date.now() > deadline) {
      const report = s.plan.agents
        .map(
          (a, i) =>
            `${a.name}: ${states[i] === undefined ? 'no state' : `${states[i]?.records.length} records`}`,
        )
        .join(', ')
      throw new Error(`the agents did not converge within ${timeoutMs} ms (${report})`)
    }
    await sleep(s.init.pollMs ?? 100)
    states = await readStates(s.plan)
    const version = converged(states)
    if (version !== undefined) return { states: states as AgentState[], version }
  }
}

/** The records every agent holds, and whether each process is ready. */
async function showStart(s: Session, states: readonly AgentState[], started: number): Promise<void> {
  const out = s.init.out
  const first = states[0] as AgentState
  out('\nrecords (published by the controller, held by every agent):\n')
  out(recordsTable(first.records.map(resolvedRecord)))
  out(`\ncontroller  ${readiness(await httpStatus(`http://${s.plan.controller.metrics}/readyz`))}\n`)
  for (const [i, a] of s.plan.agents.entries()) {
    const st = states[i] as AgentState
    const ready = readiness(await httpStatus(`http://${a.metrics}/readyz`))
    out(`${a.name.padEnd(10)}  ${ready}  ${st.records.length} records  ${st.peers} peers\n`)
  }
  const n = s.plan.agents.length
  out(`${everyAgent(n)} ${n === 1 ? 'holds' : 'hold'} the snapshot, ${Date.now() - started} ms after start\n`)
  await s.showProblems()
  const hint = s.init.hint ?? (s.init.cli === undefined ? s.init.node : `${s.init.node} ${s.init.cli}`)
  out(tryLines(s.plan, first, s.from, hint, s.dir))
}

/** How long ago the manifest was saved, when recently: an edit's latency as the user sees it. */
async function sinceSaved(from: string): Promise<string> {
  const mtime = await stat(from).then(
    (st) => st.mtimeMs,
    () => undefined,
  )
  return mtime === undefined || Date.now() - mtime > 30_000
    ? ''
    : `, ${Math.round(Date.now() - mtime)} ms after the file was saved`
}

/** Follow: reports each new snapshot once every agent holds it, until told to stop. */
async function follow(s: Session, shownRecords: AgentState['records'], shownVersion: string): Promise<void> {
  let shown = { records: shownRecords, version: shownVersion }
  while (s.stop.reason === undefined) {
    s.checkAlive()
    await sleep(s.init.pollMs ?? 100)
    await s.showProblems()
    const states = await readStates(s.plan)
    const version = converged(states)
    if (version === undefined || version === shown.version) continue
    const now = states[0] as AgentState
    const changes = diffRecords(shown.records, now.records)
    const time = new Date().toISOString().slice(11, 19)
    s.init.out(
      `${time} new snapshot reached ${everyAgent(s.plan.agents.length)}${await sinceSaved(s.from)}\n`,
    )
    for (const c of changes.length === 0 ? ['(same records)'] : changes) s.init.out(`  ${c}\n`)
    shown = { records: now.records, version }
  }
}

async function session(
  init: DemoInit,
  dir: string,
  children: Child[],
  stop: { readonly reason: string | undefined },
): Promise<number> {
  const from = await manifest(init, dir)
  const plan = await prepare(init, dir, from)
  const checkAlive = spawnAll(init, plan, children)
  init.out(summary(plan, from, dir))
  const controllerLog = logFollower(plan.controller.log)
  const showProblems = async (): Promise<void> => {
    for (const l of await controllerLog()) init.out(`  controller ${l}\n`)
  }
  const s: Session = { init, plan, from, dir, stop, checkAlive, showProblems }
  const started = Date.now()
  init.out('waiting for the controller to publish and every agent to hold the snapshot…\n')
  const start = await waitConverged(s)
  if (start === undefined) return 0
  await showStart(s, start.states, started)
  await follow(s, (start.states[0] as AgentState).records, start.version)
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
