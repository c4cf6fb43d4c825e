/**
 * Builds what the image runs: cmd/dns-controller.ts and everything it imports, bundled by esbuild
 * into ES modules under an output directory (default dist/): `dns-controller.js` plus chunks that
 * load only when a command needs them (the agent, the controller, the Kubernetes client).
 *
 * Why a bundle and not tsc's one file per module: the agent loads ~670 modules from node_modules,
 * and each costs memory for as long as the process lives. One minified module graph with the
 * pieces below trimmed measured 127 MB -> 89 MB of agent RSS (bench/results/gossip-procs.md).
 *
 * Trimmed at bundle time, with the same behaviour as the packages' full entry points:
 *   - dns2: only its packet codec (its index also loads DoH/DoT clients and servers: https, tls).
 *   - prom-client: only the metric classes we use (its index loads the pushgateway and cluster
 *     aggregator: http, https, zlib, cluster).
 *   - mortice (libp2p's peer-store locks): its single-process implementation. The store asks for
 *     `singleProcess: true`, and the Node entry imports cluster and worker_threads regardless.
 *   - @libp2p/noise's default crypto (two WebAssembly modules instantiated at import, @noble):
 *     replaced by lib/gossip/libp2p/noise-crypto.ts, which our host passes to noise() anyway
 *     (~7 MB RSS per agent). The build fails if the package's layout no longer matches, as it
 *     silently did when the package moved from @chainsafe/libp2p-noise.
 *   - yargs' `assert` (two equality checks): a stand-in. Node's assert brings worker_threads, its
 *     diff engine and colour support into every command (~0.7 MB RSS).
 *   - prom-client's default metrics (v8, perf_hooks) load on the first call, which only the
 *     controller makes.
 *   - string-width (yargs' layout, three copies) splits ASCII text without CR into characters itself
 *     and makes its Intl.Segmenter only for other text: the first Segmenter in a process costs
 *     ~2.6 MB RSS (ICU data), and yargs measures our (ASCII) option texts on every start. In such
 *     text every character is its own grapheme cluster (only CR LF joins), so widths are the same.
 *   - `node:fs`, `node:process` and `node:util` come from process.getBuiltinModule, not an ES
 *     `import`. Importing a built-in builds its ES namespace, which reads every export, lazy ones
 *     included: `fs.promises` loads readline and the REPL history (+3.5 MB RSS), `process.report`
 *     and friends load fs/promises too, `util.parseArgs`/`diff` load worker_threads (+0.9 MB).
 *     fs and process become CommonJS modules (esbuild's interop reads property descriptors, not
 *     values); util's lazy exports resolve even on a descriptor read, so it gets an ES module with
 *     the names we use (UTIL_EXPORTS: the build fails on any other). Other built-ins stay plain
 *     imports: their lazy exports are cheap, or used anyway.
 *
 * Re-checked on Node 26.12.1: an ES import of node:fs or node:process still loads fs/promises and
 * readline, node:util still worker_threads, node:http still undici, tls and zlib, and the first
 * Intl.Segmenter still costs ~2.7 MB; every trim above still earns its keep.
 *
 * The same program also becomes one executable, OUTDIR/dns-controller-linux-x64 (build-sea.ts).
 *
 *   node scripts/build.ts [OUTDIR] [--no-sea]
 */
import { build } from 'esbuild'
import type { BuildOptions, Plugin } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { buildSea, SEA_NAME } from './build-sea.ts'

const ROOT = resolve(import.meta.dirname, '..')

/** The node:util exports our code and dependencies import by name (see the header). */
const UTIL_EXPORTS = ['format', 'inspect', 'promisify'] as const

/** Built-ins whose ES namespace is costly to build, without building it (see the header). */
function builtinPlugin(): Plugin {
  const get = (name: string): string => `process.getBuiltinModule(${JSON.stringify(`node:${name}`)})`
  const contents: Record<string, string> = {
    fs: `module.exports = ${get('fs')}\n`,
    process: `module.exports = ${get('process')}\n`,
    util: `const m = ${get('util')}\nexport default m\nexport const { ${UTIL_EXPORTS.join(', ')} } = m\n`,
  }
  return {
    name: 'builtin',
    setup(b) {
      // ES imports only: a require() of a built-in already skips the namespace.
      b.onResolve({ filter: /^(node:)?(fs|process|util)$/ }, (a) =>
        a.kind === 'import-statement'
          ? { path: a.path.replace(/^node:/, ''), namespace: 'builtin' }
          : undefined,
      )
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (a) => ({
        contents: contents[a.path] ?? '',
        loader: 'js',
      }))
    },
  }
}

/** The prom-client exports our code imports; the build fails if the code asks for another. */
const PROM_EXPORTS = ['Registry', 'Counter', 'Gauge', 'Histogram', 'collectDefaultMetrics'] as const

function trimPlugin(): Plugin {
  const require = createRequire(join(ROOT, 'package.json'))
  const dns2Dir = dirname(require.resolve('dns2'))
  const promDir = dirname(require.resolve('prom-client'))
  const promFile: Record<(typeof PROM_EXPORTS)[number], string> = {
    Registry: 'lib/registry.js',
    Counter: 'lib/counter.js',
    Gauge: 'lib/gauge.js',
    Histogram: 'lib/histogram.js',
    collectDefaultMetrics: 'lib/defaultMetrics.js',
  }
  const noiseCrypto = join(ROOT, 'lib/gossip/libp2p/noise-crypto.ts')
  const modules: Record<string, string> = {
    // Both names the package imports from its crypto modules; neither is used (host.ts passes
    // nodeNoiseCrypto), but each must still resolve to working code.
    'noise-crypto': `export { nodeNoiseCrypto as defaultCrypto, nodeNoiseCrypto as pureJsCrypto } from ${JSON.stringify(noiseCrypto)}\n`,
    dns2: `import Packet from ${JSON.stringify(join(dns2Dir, 'packet.js'))}\nexport default { Packet }\n`,
    'prom-client':
      PROM_EXPORTS.map((n) =>
        n === 'collectDefaultMetrics'
          ? `const ${n} = (...args) => require(${JSON.stringify(join(promDir, promFile[n]))})(...args)`
          : `import ${n} from ${JSON.stringify(join(promDir, promFile[n]))}`,
      ).join('\n') +
      `\nexport { ${PROM_EXPORTS.join(', ')} }\nexport default { ${PROM_EXPORTS.join(', ')} }\n`,
    // Node's assert semantics for what yargs calls: Object.is, and a message that may be an Error.
    assert: [
      'function fail(message, fallback) {',
      '  if (message instanceof Error) throw message',
      "  const e = new Error(message ?? fallback); e.name = 'AssertionError'; e.code = 'ERR_ASSERTION'; throw e",
      '}',
      'export function strictEqual(a, b, message) {',
      '  if (!Object.is(a, b)) fail(message, `Expected values to be strictly equal: ${String(a)} !== ${String(b)}`)',
      '}',
      'export function notStrictEqual(a, b, message) {',
      '  if (Object.is(a, b)) fail(message, `Expected "actual" to be strictly unequal to: ${String(b)}`)',
      '}',
      'export default { strictEqual, notStrictEqual }',
    ].join('\n'),
  }
  return {
    name: 'trim',
    setup(b) {
      b.onResolve({ filter: /^(dns2|prom-client)$/ }, (a) => ({ path: a.path, namespace: 'trim' }))
      b.onLoad({ filter: /.*/, namespace: 'trim' }, (a) => ({
        contents: modules[a.path] ?? '',
        resolveDir: ROOT,
        loader: 'js',
      }))
      let noiseTrimmed = false
      b.onResolve({ filter: /^\.\/crypto\/(index|js)\.js$/ }, (a) => {
        if (!/[\\/]@libp2p[\\/]noise[\\/]dist[\\/]src[\\/][^\\/]+\.js$/.test(a.importer)) return undefined
        noiseTrimmed = true
        return { path: 'noise-crypto', namespace: 'trim' }
      })
      b.onEnd((r) => {
        if (r.errors.length === 0 && !noiseTrimmed)
          throw new Error("@libp2p/noise: no './crypto/index.js' import to replace (the package changed)")
      })
      b.onResolve({ filter: /^assert$/ }, (a) =>
        /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/.test(a.importer)
          ? { path: 'assert', namespace: 'trim' }
          : undefined,
      )
      b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, async (a) => {
        const source = await readFile(a.path, 'utf8')
        const eager = 'const segmenter = new Intl.Segmenter();'
        if (!source.includes(eager))
          throw new Error(`${a.path}: no \`${eager}\` to make lazy (string-width changed)`)
        const lazy =
          'let lazySegmenter; const segmenter = { segment: (s) => /^[\\x00-\\x0c\\x0e-\\x7f]*$/.test(s) ? Array.from(s, (segment) => ({ segment })) : (lazySegmenter ??= new Intl.Segmenter()).segment(s) };'
        return { contents: source.replace(eager, lazy), loader: 'js' }
      })
      b.onResolve({ filter: /^\.\/node\.js$/ }, (a) =>
        /[\\/]mortice[\\/]dist[\\/]src[\\/]mortice\.js$/.test(a.importer)
          ? { path: join(dirname(a.importer), 'react-native.js') }
          : undefined,
      )
    },
  }
}

/** The entry, the trims, the target, the commit (the bundle; the executable embeds the bundle). */
export function commonOptions(): BuildOptions {
  return {
    entryPoints: [join(ROOT, 'cmd/dns-controller.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node26',
    // Whitespace and syntax only: function names stay readable in stack traces and logs.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
    // CommonJS dependencies call require(); an ES module has none of its own.
    banner: {
      js: "import { createRequire as __dnscRequire } from 'node:module';const require=__dnscRequire(import.meta.url);",
    },
    plugins: [builtinPlugin(), trimPlugin()],
    // `--version` and the start-up line name the commit the bundle was built from.
    define: { DNSC_BUILD_COMMIT: JSON.stringify(gitCommit()) },
  }
}

export async function bundle(outdir: string): Promise<void> {
  rmSync(outdir, { recursive: true, force: true })
  const result = await build({ ...commonOptions(), outdir, splitting: true, legalComments: 'external' })
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.length} errors`)
}

/** The checkout's commit (12 hex digits), or 'unknown' outside git. */
function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim()
  } catch {
    return 'unknown'
  }
}

if (import.meta.main) {
  const args = process.argv.slice(2)
  const outdir = resolve(args.find((a) => !a.startsWith('--')) ?? join(ROOT, 'dist'))
  const t0 = performance.now()
  await bundle(outdir)
  // --no-sea: the bundle only (the image's build stage: it runs the bundle on the image's Node).
  const exe = args.includes('--no-sea') ? undefined : join(outdir, SEA_NAME)
  if (exe !== undefined) await buildSea(exe)
  process.stdout.write(
    `built ${outdir}${exe === undefined ? '' : ` and ${exe}`} in ${(performance.now() - t0).toFixed(0)} ms\n`,
  )
}
