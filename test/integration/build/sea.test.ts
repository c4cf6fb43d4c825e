/**
 * The single executable (`npm run build` → dist/dns-controller-linux-x64) runs every command with
 * no Node, no node_modules and no other file: copied alone into an empty directory and started
 * with an empty environment, it prints help and its version, makes keys, renders a manifest and
 * runs an agent that serves /healthz and writes its start-up line, and runs `demo` on the example
 * it carries, its controller and agent being the executable again.
 */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../../../lib/util/ports.ts'
import { agentArgs } from '../../helpers/agent-args.ts'
import { seaExecutable } from '../../helpers/sea.ts'
import { until } from '../chart/pods.ts'

const ROOT = join(import.meta.dirname, '../../..')
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

test('the single executable runs every command alone, without Node', { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsc-sea-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const exe = join(dir, 'dns-controller-linux-x64')
  copyFileSync(await seaExecutable(), exe)
  const run = (args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((res) => {
      execFile(exe, [...args], { cwd: dir, env: {}, timeout: 60_000 }, (err, stdout, stderr) =>
        res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
      )
    })

  for (const command of ['', 'agent', 'render', 'keygen', 'state', 'demo']) {
    const args = command === '' ? [] : [command]
    const help = await run([...args, '--help'])
    assert.equal(help.code, 0, `${command} --help: ${help.stderr}`)
    assert.match(help.stdout, /--version/, `${command} --help lists --version`)
    const version = await run([...args, '--version'])
    assert.equal(version.code, 0, version.stderr)
    assert.match(version.stdout, new RegExp(`^dns-controller ${VERSION} \\(commit [0-9a-f]{12}\\)`))
  }
  assert.equal((await run(['agent', '--dns-listen=nonsense'])).code, 2, 'a bad flag exits 2')

  assert.equal((await run(['keygen', '--out', 'keys'])).code, 0)
  copyFileSync(join(ROOT, 'examples/cluster.yaml'), join(dir, 'cluster.yaml'))
  const rendered = await run(['render', '-f', 'cluster.yaml', '--internal-ipv4', '-o', 'json'])
  assert.equal(rendered.code, 0, rendered.stderr)
  assert.ok((JSON.parse(rendered.stdout) as unknown[]).length > 0)

  writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n')
  const [gossipPort, dnsPort, metricsPort] = [await freePort(), await freePort(), await freePort()]
  const args = agentArgs({
    keys: join(dir, 'keys'),
    own: dir,
    gossipPort,
    dnsPort,
    metricsPort,
    seeds: [],
    zone: 'k8s.local',
  })
  // Node's flags as the unit passes them (packaging/systemd): --node-options before the command.
  const nodeOptions = '--node-options=--max-semi-space-size=1 --optimize-for-size --v8-pool-size=1 --no-opt'
  const agent = spawn(exe, [nodeOptions, ...args.filter((a) => a !== '--gossip-seed=')], {
    cwd: dir,
    env: {},
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  t.after(() => agent.kill('SIGKILL'))
  let stderr = ''
  agent.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  await until(
    'the agent to serve /healthz',
    async () => (await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).ok,
  )
  const start = stderr.split('\n').find((l) => / agent: starting /.test(l)) ?? ''
  assert.match(start, new RegExp(`version=${VERSION.replace(/\./g, '\\.')} commit=[0-9a-f]{12}`), stderr)
  assert.match(start, /hostsFile/, 'the start-up line shows the effective configuration')
  assert.match(start, /gossip\.psk/, 'file paths are shown')
  // The agent evaluates only its own chunks, as from the bundle: ~21 MB of private memory. The
  // whole program as one module (controller and Kubernetes client included) took ~45 MB.
  const anonMb =
    Number(/^RssAnon:\s+(\d+) kB/m.exec(readFileSync(`/proc/${agent.pid}/status`, 'utf8'))?.[1]) / 1024
  assert.ok(anonMb < 32, `the agent holds ${anonMb.toFixed(1)} MB of private memory`)
  agent.kill('SIGTERM')
  await new Promise((res) => agent.once('exit', res))

  // demo: no entry file to hand to a child and no examples/ beside the executable.
  const demo = spawn(exe, ['demo', '--agents', '1'], { cwd: dir, env: {}, stdio: ['ignore', 'pipe', 'pipe'] })
  t.after(() => demo.kill('SIGKILL'))
  let out = ''
  demo.stdout.on('data', (d: Buffer) => (out += d.toString()))
  demo.stderr.on('data', (d: Buffer) => (out += d.toString()))
  const demoExit = new Promise<number | null>((res) => demo.once('exit', (code) => res(code)))
  await until(
    'the demo to converge',
    () => out.includes('Ctrl-C stops everything') || demo.exitCode !== null,
    60_000,
  )
  assert.match(out, /agent-1 +ready +5 records/, out)
  const temp = /temp dir +(\S+)/.exec(out)?.[1] ?? ''
  assert.match(out, new RegExp(`from ${temp}/cluster\\.yaml`), 'the embedded example, in the temp dir')
  assert.ok(out.includes(`${exe} state --from`), 'the hint runs the executable')
  demo.kill('SIGINT')
  assert.equal(await demoExit, 0, out)
  assert.ok(!existsSync(temp), 'the demo removed its temp dir')
})
