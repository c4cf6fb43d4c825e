// The demo as docs/demo.md describes it and as people pipe it: it passes --cluster-name
// demo.k8s.local, shows the controller's complaint about a broken edit in its own output, and
// when its output is closed (`| head`) it stops its children and removes its temp dir (which
// holds private keys) instead of dying on EPIPE.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '../..')
const NODE = join(ROOT, 'node_modules/.bin/node')
const CLI = join(ROOT, 'cmd/dns-controller.ts')

function cmdlinesMentioning(text: string): string[] {
  const out: string[] = []
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const c = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      if (c.includes(text)) out.push(c.replaceAll('\0', ' '))
    } catch {
      // gone meanwhile
    }
  }
  return out
}

async function until(what: string, ms: number, f: () => boolean): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms: ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test(
  'demo: --cluster-name demo.k8s.local, a broken edit is shown, a closed pipe cleans up',
  { timeout: 120_000 },
  async (t) => {
    const work = await mkdtemp(join(tmpdir(), 'dnsc-demo-pipe-'))
    t.after(() => rm(work, { recursive: true, force: true }))
    const copy = join(work, 'cluster.yaml')
    await copyFile(join(ROOT, 'examples/cluster.yaml'), copy)
    const child = spawn(NODE, [CLI, 'demo', '--from', copy, '--agents', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const exited = once(child, 'exit') as Promise<[number | null, string | null]>
    t.after(() => {
      child.kill('SIGKILL')
    })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    let err = ''
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    await until('the hints', 60_000, () => out.includes('Ctrl-C stops everything'))
    const dir = /temp dir +(\S+)/.exec(out)?.[1] ?? ''
    assert.ok(dir !== '' && existsSync(dir), out)
    assert.match(out, /^ {2}\S+ 1 agent on|a controller and 1 agent on/m)
    const controller = cmdlinesMentioning(dir).find((c) => c.includes('--from='))
    assert.match(controller ?? '', /--cluster-name=demo\.k8s\.local/)
    assert.doesNotMatch(out, /node \S+\.ts state/, 'the hint does not ask the machine Node to run .ts')

    await writeFile(copy, 'kind: Service\nmetadata: [unterminated\n')
    await until('the complaint in the window', 30_000, () =>
      /controller warning: could not re-read the file/.test(out),
    )

    // `| head` exits: the read end closes, the next write fails with EPIPE.
    child.stdout.destroy()
    // The next thing the demo prints (a changed record) meets the closed pipe.
    await writeFile(
      copy,
      readFileSync(join(ROOT, 'examples/cluster.yaml'), 'utf8').replace('198.51.100.7', '198.51.100.8'),
    )
    const [code, signal] = await exited
    assert.equal(signal, null, err)
    assert.equal(code, 0, err)
    assert.doesNotMatch(err, /EPIPE|Unhandled/)
    assert.equal(existsSync(dir), false, 'the temp dir with the keys is gone')
    await until('no child left', 10_000, () => cmdlinesMentioning(dir).length === 0)
  },
)
