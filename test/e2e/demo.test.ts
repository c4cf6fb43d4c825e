// `dns-controller demo` as a user runs it: one process, on a copy of the example. Every agent
// answers dig and has the hosts block; an edit of the file reaches every agent (DNS and hosts
// file); SIGINT stops everything, removes the temp dir and exits 0. Needs `dig`.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dig } from '../integration/dns/dig.ts'

const ROOT = join(import.meta.dirname, '../..')
const CLI = join(ROOT, 'cmd/dns-controller.ts')
const EXAMPLE = join(ROOT, 'examples/cluster.yaml')
const DEADLINE_MS = 120_000

function hasDig(): boolean {
  try {
    execFileSync('which', ['dig'])
    return true
  } catch {
    return false
  }
}

/** Pids whose command line mentions `text` (the demo's children all name its temp dir). */
function processesMentioning(text: string): number[] {
  const out: number[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text)) out.push(Number(pid))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function answers(port: number, name: string): Promise<string[]> {
  const r = await dig(port, name, 'A')
  return r.answer.map((l) => l.split(' ').pop() ?? '').sort()
}

test(
  'demo: every agent serves the example, follows an edit within seconds, and SIGINT cleans up',
  {
    skip: hasDig() ? false : 'needs dig',
    timeout: DEADLINE_MS,
  },
  async (t) => {
    const work = await mkdtemp(join(tmpdir(), 'dnsc-demo-test-'))
    t.after(() => rm(work, { recursive: true, force: true }))
    const file = join(work, 'cluster.yaml')
    await copyFile(EXAMPLE, file)

    const child = spawn(process.execPath, [CLI, 'demo', '--from', file, '--agents', '3'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })

    await until('the demo says what to try', 60_000, async () =>
      stdout.includes('Ctrl-C stops everything')
        ? true
        : child.exitCode === null
          ? undefined
          : assert.fail(stdout + stderr),
    )
    const tempDir = /temp dir +(\S+)/.exec(stdout)?.[1]
    assert.ok(tempDir !== undefined && existsSync(tempDir), stdout)
    const digPorts = [...stdout.matchAll(/dig @127\.0\.0\.1 -p (\d+) api\.internal\.demo\.k8s\.local/g)].map(
      (m) => Number(m[1]),
    )
    const hostsFiles = [...stdout.matchAll(/^ +cat (\S+)$/gm)].map((m) => m[1] as string)
    assert.equal(digPorts.length, 3, stdout)
    assert.equal(hostsFiles.length, 3, stdout)
    assert.match(stdout, /^agent-1 +ready +5 records/m)
    assert.match(stdout, /^web\.demo\.k8s\.local +A +60 +198\.51\.100\.7$/m)

    for (const port of digPorts) {
      assert.deepEqual(await answers(port, 'api.internal.demo.k8s.local'), ['10.0.0.10'])
      assert.deepEqual(await answers(port, 'web.demo.k8s.local'), ['198.51.100.7'])
    }
    for (const f of hostsFiles)
      assert.match(await readFile(f, 'utf8'), /^198\.51\.100\.7\tweb\.demo\.k8s\.local$/m)

    // The edit: web moves to another address, and a new name appears.
    const text = await readFile(file, 'utf8')
    const edited = text
      .replace('198.51.100.7', '198.51.100.42')
      .replace('web.demo.k8s.local', 'web.demo.k8s.local,www.demo.k8s.local')
    assert.notEqual(edited, text)
    const saved = Date.now()
    await writeFile(file, edited)
    for (const [i, port] of digPorts.entries()) {
      await until(`agent ${i + 1} answers the new address`, 10_000, async () => {
        const a = await answers(port, 'www.demo.k8s.local')
        return a[0] === '198.51.100.42' ? true : undefined
      })
      await until(`agent ${i + 1}'s hosts file has it`, 5_000, async () =>
        /^198\.51\.100\.42\tweb\.demo\.k8s\.local www\.demo\.k8s\.local$/m.test(
          await readFile(hostsFiles[i] as string, 'utf8'),
        )
          ? true
          : undefined,
      )
    }
    const allMs = Date.now() - saved
    t.diagnostic(`edit reached 3 agents (dig and hosts) in ${allMs} ms`)
    await until('the demo reports the change', 5_000, async () =>
      /new snapshot reached all 3 agents/.test(stdout) ? true : undefined,
    )
    assert.match(stdout, /^ {2}\+ web\.demo\.k8s\.local A 198\.51\.100\.42$/m)

    child.kill('SIGINT')
    const code = await Promise.race([
      exited,
      new Promise<string>((r) => setTimeout(() => r('timeout'), 30_000)),
    ])
    assert.equal(code, 0, `exit ${String(code)}\n${stdout}\n${stderr}`)
    assert.equal(existsSync(tempDir), false, `${tempDir} still exists`)
    assert.match(stdout, /removed /)
    assert.deepEqual(processesMentioning(tempDir), [], 'no child process outlives the demo')
  },
)

test(
  'demo killed outright (SIGKILL): its children notice and stop by themselves',
  { skip: hasDig() ? false : 'needs dig', timeout: DEADLINE_MS },
  async (t) => {
    const child = spawn(process.execPath, [CLI, 'demo', '--agents', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    await until('the demo is up', 60_000, async () =>
      stdout.includes('Ctrl-C stops everything')
        ? true
        : child.exitCode === null
          ? undefined
          : assert.fail(stdout),
    )
    const tempDir = /temp dir +(\S+)/.exec(stdout)?.[1]
    assert.ok(tempDir !== undefined)
    t.after(() => rm(tempDir, { recursive: true, force: true }))
    assert.equal(processesMentioning(tempDir).length, 2, 'a controller and one agent run')
    child.kill('SIGKILL')
    await until('no child outlives the demo', 15_000, async () =>
      processesMentioning(tempDir).length === 0 ? true : undefined,
    )
  },
)
