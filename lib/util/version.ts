/**
 * This build's version (package.json) and git commit. The bundle gets the commit from git at
 * build time (scripts/build.ts defines DNSC_BUILD_COMMIT); run from a checkout it is read from
 * .git without running git; otherwise it is 'unknown'.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pkg from '../../package.json' with { type: 'json' }

declare const DNSC_BUILD_COMMIT: string | undefined

export interface BuildInfo {
  readonly version: string
  readonly commit: string
}

/** The commit HEAD names in a .git directory (a branch ref, packed or loose, or a detached id). */
export function readGitCommit(gitDir: string): string | undefined {
  try {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim()
    const ref = /^ref: (.+)$/.exec(head)?.[1]
    if (ref === undefined) return /^[0-9a-f]{40}$/.test(head) ? head : undefined
    try {
      return readFileSync(join(gitDir, ref), 'utf8').trim()
    } catch {
      const packed = readFileSync(join(gitDir, 'packed-refs'), 'utf8')
      return packed
        .split('\n')
        .find((l) => l.endsWith(` ${ref}`))
        ?.split(' ')[0]
    }
  } catch {
    return undefined
  }
}

let cached: BuildInfo | undefined

export function buildInfo(): BuildInfo {
  if (cached !== undefined) return cached
  const built = typeof DNSC_BUILD_COMMIT === 'string' ? DNSC_BUILD_COMMIT : undefined
  const commit = built ?? readGitCommit(join(import.meta.dirname, '../../.git'))?.slice(0, 12) ?? 'unknown'
  cached = { version: pkg.version, commit }
  return cached
}

/** `dns-controller 0.1.0 (commit 0123456789ab)` */
export function versionLine(): string {
  const b = buildInfo()
  return `dns-controller ${b.version} (commit ${b.commit})`
}
