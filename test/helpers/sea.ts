/**
 * The single executable for tests that run it (scripts/build-sea.ts), built once per content of the
 * sources and reused by every test file and run until they change: a build takes a minute.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildSea, SEA_NAME } from '../../scripts/build-sea.ts'

const ROOT = join(import.meta.dirname, '../..')

function hashTree(h: ReturnType<typeof createHash>, path: string): void {
  if (statSync(path).isDirectory()) {
    for (const e of readdirSync(path).sort()) hashTree(h, join(path, e))
  } else {
    h.update(path).update(readFileSync(path))
  }
}

/** The path of an executable built from the current sources. */
export async function seaExecutable(): Promise<string> {
  const h = createHash('sha256')
  for (const p of ['cmd', 'lib', 'scripts', 'examples', 'package.json', 'package-lock.json'])
    hashTree(h, join(ROOT, p))
  const dir = join(tmpdir(), `dnsc-sea-cache-${h.digest('hex').slice(0, 16)}`)
  const exe = join(dir, SEA_NAME)
  if (existsSync(exe)) return exe
  mkdirSync(dir, { recursive: true })
  // Built aside and renamed, so a test file running at the same time never sees half a file.
  const partial = `${exe}.${process.pid}`
  await buildSea(partial)
  renameSync(partial, exe)
  return exe
}
