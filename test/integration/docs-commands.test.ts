// Every dns-controller command shown in README.md and docs/*.md (fenced blocks and inline code)
// is run as written, from a scratch directory that sees the checkout's examples/: render, keygen,
// --help and --version must succeed; `state --from` runs against a demo agent (its address put
// in); the controller and agent lines, which would run forever, must get past flag parsing and
// stop at the first missing key file (exit 2 naming it), which proves every flag and value
// shown exists and parses. Commands of other tools (kubectl, helm) are not run.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dirname, '../..')
const LAUNCHER = join(ROOT, 'bin/dns-controller.js')

interface DocCommand {
  readonly file: string
  readonly line: string
  /** Arguments after `dns-controller`. */
  readonly args: string[]
  /** The command's stdin came from a pipe (`kubectl … | dns-controller render -f -`). */
  readonly piped: boolean
}

function docCommands(): DocCommand[] {
  const files = [
    'README.md',
    ...readdirSync(join(ROOT, 'docs'))
      // flags.md is the generated --help text, not commands
      .filter((f) => f.endsWith('.md') && f !== 'flags.md')
      .map((f) => `docs/${f}`),
  ]
  const out: DocCommand[] = []
  for (const file of files) {
    const text = readFileSync(join(ROOT, file), 'utf8')
    const lines: string[] = []
    for (const m of text.matchAll(/```[a-z]*\n([\s\S]*?)```/g))
      lines.push(...(m[1] ?? '').replace(/\\\n\s*/g, '').split('\n'))
    for (const m of text.replace(/```[\s\S]*?```/g, '').matchAll(/`((?:npx )?dns-controller [^`]* -[^`]+)`/g))
      lines.push(m[1] ?? '')
    for (const raw of lines) {
      const line = raw.replace(/\s+#.*$/, '').trim()
      const m = /(?:^|\|\s*)(?:npx )?dns-controller((?: [^|<>$]*)?)$/.exec(line)
      if (m === null || line.startsWith('#')) continue
      const args = (m[1] ?? '')
        .trim()
        .split(/\s+/)
        .filter((a) => a !== '')
      if (
        args.some(
          (a) =>
            a.includes('…') ||
            a.includes('NAME') ||
            a.includes('FILE') ||
            a.includes('HOST:PORT') ||
            a === '[flags]',
        )
      )
        continue
      out.push({ file, line, args, piped: line.includes('|') })
    }
  }
  return out
}

function run(
  args: string[],
  cwd: string,
  input?: string,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [LAUNCHER, ...args], {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 30_000,
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

test('every runnable command in the README and docs works as written', { timeout: 300_000 }, async (t) => {
  const cmds = docCommands()
  assert.ok(cmds.length >= 10, `found only ${cmds.length} commands`)
  const scratch = mkdtempSync(join(tmpdir(), 'dnsc-docs-'))
  t.after(() => rmSync(scratch, { recursive: true, force: true }))
  symlinkSync(join(ROOT, 'examples'), join(scratch, 'examples'))
  const example = readFileSync(join(ROOT, 'examples/cluster.yaml'), 'utf8')

  // One agent to point `state --from` at.
  const demo = spawn(process.execPath, [LAUNCHER, 'demo', '--agents', '1'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let demoOut = ''
  demo.stdout.on('data', (c: Buffer) => (demoOut += c.toString()))
  const demoExit = new Promise((r) => demo.once('exit', r))
  t.after(async () => {
    demo.kill('SIGTERM')
    await demoExit
  })
  const deadline = Date.now() + 90_000
  while (!demoOut.includes('Ctrl-C stops everything')) {
    assert.ok(Date.now() < deadline, `the demo did not start:\n${demoOut}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  const agentState = /state http:\/\/(\S+)\/state/.exec(demoOut)?.[1] ?? ''

  const ran: string[] = []
  for (const c of cmds) {
    const where = `${c.file}: ${c.line}`
    const [first = ''] = c.args
    if (c.args.includes('--help') || c.args.includes('--version')) {
      const r = run(c.args, scratch)
      assert.equal(r.status, 0, `${where}\n${r.stderr}`)
    } else if (first === 'render') {
      const r = run(c.args, scratch, c.piped ? example : undefined)
      assert.equal(r.status, 0, `${where}\n${r.stderr}`)
      assert.match(r.stdout, /api\.internal\.demo\.k8s\.local/, where)
    } else if (first === 'keygen') {
      const r = run(c.args, scratch)
      assert.equal(r.status, 0, `${where}\n${r.stderr}`)
      const out = c.args[c.args.indexOf('--out') + 1] ?? ''
      for (const f of ['gossip.psk', 'publisher.key', 'publisher.pub'])
        assert.ok(existsSync(join(scratch, out, f)), `${where}: ${f}`)
      rmSync(join(scratch, out), { recursive: true })
    } else if (first === 'state') {
      const args = c.args.map((a, i) => (c.args[i - 1] === '--from' ? agentState : a))
      const r = run(args, scratch)
      assert.equal(r.status, 0, `${where}\n${r.stderr}`)
      assert.match(r.stdout, /PEERS/, where)
    } else if (first === 'demo') {
      continue // the demo itself runs above
    } else {
      // The controller or the agent: flags parse, then the first missing key file stops it.
      const r = run(c.args, scratch)
      assert.equal(r.status, 2, `${where}\n${r.stderr}`)
      assert.match(
        r.stderr,
        /^dns-controller: --(gossip-secret-file|publisher-key-file|trusted-publisher-key-file|hosts-file|kubeconfig): /m,
        where,
      )
    }
    ran.push(where)
  }
  t.diagnostic(`ran ${ran.length} documented commands`)
  assert.ok(
    ran.some((w) => w.includes(' render ')) &&
      ran.some((w) => w.includes(' keygen ')) &&
      ran.some((w) => w.includes(' state ')),
  )
})

test(
  'the launcher runs on the machine Node too (it hands over to the pinned one)',
  { skip: existsSync('/usr/bin/node') ? false : 'no system node' },
  () => {
    const r = spawnSync('/usr/bin/node', [LAUNCHER, '--version'], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /^dns-controller \d+\.\d+\.\d+ \(commit /)
    const bad = spawnSync('/usr/bin/node', [LAUNCHER, 'rendr'], { encoding: 'utf8', timeout: 30_000 })
    assert.equal(bad.status, 2, 'the exit status comes through')
  },
)
