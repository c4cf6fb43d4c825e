/**
 * The bundle the image runs (`npm run build`, scripts/build.ts) behaves like the sources, and its
 * agent does not load what the bundling trims away: Node's undici (tls, http2, zlib) through an
 * ES import of node:http, dns2's network clients, prom-client's pushgateway and cluster pieces.
 * Each of those costs the agent RSS on every node for nothing.
 */
import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { bundle } from '../../../scripts/build.ts'
import { freePort } from '../../../lib/util/ports.ts'
import { until } from '../chart/pods.ts'

const ROOT = resolve(import.meta.dirname, '../../..')
const NODE = join(ROOT, 'node_modules/.bin/node')
const SOURCE = join(ROOT, 'cmd/dns-controller.ts')

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(NODE, [...args], { timeout: 30_000, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout, stderr }),
    )
  })
}

describe('the bundled program', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dnsc-bundle-'))
  const entry = join(dir, 'dist/dns-controller.js')
  before(() => bundle(join(dir, 'dist')))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('renders the example cluster exactly as the sources do', async () => {
    const args = ['render', '-f', join(ROOT, 'examples/cluster.yaml'), '--internal-ipv4', '-o', 'json']
    const [fromBundle, fromSource] = await Promise.all([run([entry, ...args]), run([SOURCE, ...args])])
    assert.equal(fromBundle.code, 0, fromBundle.stderr)
    assert.ok((JSON.parse(fromBundle.stdout) as unknown[]).length > 0, fromBundle.stdout)
    assert.equal(fromBundle.stdout, fromSource.stdout)
  })

  it('exits 2 naming a bad flag, like the sources', async () => {
    const r = await run([entry, 'agent', '--dns-listen=nonsense'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--dns-listen/)
  })

  it('runs an agent that compiles no WebAssembly and loads no undici, tls, http2, https, zlib, fs/promises, worker_threads, assert, v8 or perf_hooks', async (t) => {
    const keys = join(dir, 'keys')
    assert.equal((await run([entry, 'keygen', '--out', keys])).code, 0)
    const state = join(dir, 'state')
    const hosts = join(dir, 'hosts')
    writeFileSync(hosts, '127.0.0.1 localhost\n')
    // Lists the built-in modules the process has loaded when asked (SIGUSR2), then goes on.
    const probe = join(dir, 'probe.mjs')
    writeFileSync(
      probe,
      // …and counts the Intl.Segmenters made (each process's first costs ~2.6 MB of ICU data) and
      // the WebAssembly modules compiled (@libp2p/noise's default crypto: ~7 MB, build.ts).
      [
        'let segmenters = 0',
        'let wasm = 0',
        'const S = Intl.Segmenter',
        'Intl.Segmenter = class extends S { constructor(...a) { super(...a); segmenters++ } }',
        'const M = WebAssembly.Module',
        'WebAssembly.Module = class extends M { constructor(...a) { super(...a); wasm++ } }',
        "for (const f of ['compile', 'instantiate', 'compileStreaming', 'instantiateStreaming']) { const g = WebAssembly[f]; WebAssembly[f] = (...a) => { wasm++; return g(...a) } }",
        "process.on('SIGUSR2', () => process.stderr.write('SEGMENTERS ' + segmenters + ' WASM ' + wasm + ' LOADED ' + JSON.stringify(process.moduleLoadList) + '\\n'))",
      ].join('\n'),
    )
    const [gossip, dns, ops] = [await freePort(), await freePort(), await freePort()]
    const agent = spawn(
      NODE,
      [
        `--import=${probe}`,
        entry,
        'agent',
        `--gossip-listen=127.0.0.1:${gossip}`,
        `--gossip-secret-file=${join(keys, 'gossip.psk')}`,
        `--trusted-publisher-key-file=${join(keys, 'publisher.pub')}`,
        `--state-dir=${state}`,
        `--hosts-file=${hosts}`,
        `--dns-listen=127.0.0.1:${dns}`,
        `--metrics-listen=127.0.0.1:${ops}`,
        '--zone=example.local',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    t.after(() => agent.kill('SIGKILL'))
    let stderr = ''
    agent.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    await until(
      'the agent to serve /healthz',
      async () => (await fetch(`http://127.0.0.1:${ops}/healthz`)).ok,
    )
    // A scrape and a DNS query, so the metrics and DNS paths have run too.
    assert.match(await (await fetch(`http://127.0.0.1:${ops}/metrics`)).text(), /dns_controller_/)
    agent.kill('SIGUSR2')
    await until('the module list', () => stderr.includes('LOADED '), 10_000)
    const loaded = JSON.parse(/LOADED (.*)/.exec(stderr)?.[1] ?? '[]') as string[]
    const builtins = loaded
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => m.slice('NativeModule '.length))
    assert.ok(builtins.includes('dgram') && builtins.includes('http'), 'the probe saw the agent start')
    // yargs measures every help text at start; string-width skips the Segmenter for ASCII (build.ts).
    assert.equal(/SEGMENTERS (\d+)/.exec(stderr)?.[1], '0', 'the agent made an Intl.Segmenter')
    // The Noise handshake and cipher run on node:crypto (noise-crypto.ts), not WebAssembly.
    assert.equal(/WASM (\d+)/.exec(stderr)?.[1], '0', 'the agent compiled WebAssembly')
    // undici & co come with an ES import of node:http; fs/promises (readline, REPL history) with an
    // ES import of node:fs or node:process; worker_threads with util's or assert's; v8 and
    // perf_hooks with prom-client's default metrics (scripts/build.ts).
    for (const heavy of [
      'internal/deps/undici/undici',
      'tls',
      'http2',
      'zlib',
      'https',
      'internal/fs/promises',
      'internal/readline/interface',
      'worker_threads',
      'assert',
      'v8',
      'perf_hooks',
    ])
      assert.ok(!builtins.includes(heavy), `the agent loaded ${heavy}`)
    agent.kill('SIGTERM')
    await once(agent, 'exit')
  })
})
