/** docs/chart-values.md lists every value of charts/dns-controller/values.yaml (and no others). */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { it } from 'node:test'
import { parse } from 'yaml'

const ROOT = resolve(import.meta.dirname, '../../..')

/** Leaf paths: scalars, lists and empty maps are leaves; `resources`/`updateStrategy` too. */
function leaves(value: unknown, prefix: string, out: string[]): string[] {
  const opaque = /(^|\.)(resources|updateStrategy)$/.test(prefix)
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    opaque ||
    Object.keys(value).length === 0
  ) {
    out.push(prefix)
    return out
  }
  for (const [k, v] of Object.entries(value)) leaves(v, prefix === '' ? k : `${prefix}.${k}`, out)
  return out
}

it('docs/chart-values.md documents exactly the chart values', () => {
  const values = parse(readFileSync(join(ROOT, 'charts/dns-controller/values.yaml'), 'utf8')) as unknown
  const doc = readFileSync(join(ROOT, 'docs/chart-values.md'), 'utf8')
  const documented = new Set(
    [...doc.matchAll(/^\| ([^|]+) \|/gm)].flatMap((m) =>
      [...(m[1] ?? '').matchAll(/`([a-zA-Z][\w.]*)`/g)].map((x) => x[1] ?? ''),
    ),
  )
  const paths = leaves(values, '', [])
  assert.deepEqual(
    paths.filter((p) => !documented.has(p)),
    [],
    'values missing from docs/chart-values.md',
  )
  assert.deepEqual(
    [...documented].filter((d) => !paths.includes(d)),
    [],
    'docs/chart-values.md lists values the chart does not have',
  )
})
