/**
 * The demo's child processes: each runs this same CLI with its own arguments, logs into its own
 * file, and sits in its own process group, so a Ctrl-C reaches only the demo, which then stops
 * the children in order (agents first, the controller last) and waits for them.
 */
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'

export interface ChildExit {
  readonly name: string
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface Child {
  readonly name: string
  readonly pid: number | undefined
  readonly log: string
  /** Resolves when the process has exited (never rejects). */
  readonly exited: Promise<ChildExit>
  readonly running: boolean
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit. */
  stop(graceMs: number): Promise<ChildExit>
}

export interface SpawnInit {
  readonly name: string
  /** The node binary and the CLI entry (process.execPath, process.argv[1]); no entry when `node`
   * is the program itself (the single executable). */
  readonly node: string
  readonly cli: string | undefined
  readonly args: readonly string[]
  readonly log: string
}

export function spawnChild(init: SpawnInit): Child {
  const fd = openSync(init.log, 'a')
  let proc: ChildProcess
  try {
    proc = spawn(init.node, init.cli === undefined ? [...init.args] : [init.cli, ...init.args], {
      // The IPC channel is only a lifeline: a child stops when it closes (cmd/dns-controller.ts).
      stdio: ['ignore', fd, fd, 'ipc'],
      detached: true,
      env: process.env,
    })
  } finally {
    closeSync(fd)
  }
  let running = true
  const exited = new Promise<ChildExit>((resolve) => {
    proc.once('exit', (code, signal) => {
      running = false
      resolve({ name: init.name, code, signal })
    })
    proc.once('error', () => {
      running = false
      resolve({ name: init.name, code: null, signal: null })
    })
  })
  return {
    name: init.name,
    pid: proc.pid,
    log: init.log,
    exited,
    get running() {
      return running
    },
    async stop(graceMs) {
      if (running) proc.kill('SIGTERM')
      const timer = setTimeout(() => {
        if (running) proc.kill('SIGKILL')
      }, graceMs)
      const exit = await exited
      clearTimeout(timer)
      return exit
    },
  }
}

/** The last `lines` lines of a log file, for error reports. */
export function tail(path: string, lines = 15): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd().split('\n')
    return text.slice(-lines).join('\n')
  } catch {
    return '(no log)'
  }
}

/** Kills every child still running, synchronously (for process 'exit' when the demo dies early). */
export function killAll(children: readonly Child[]): void {
  for (const c of children) {
    if (!c.running || c.pid === undefined) continue
    try {
      process.kill(c.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
}
