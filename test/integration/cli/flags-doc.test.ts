import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { FLAGS_DOC, renderFlagsDoc } from '../../../scripts/gen-flags-doc.ts'

test('docs/flags.md matches the CLI (regenerate: node scripts/gen-flags-doc.ts)', () => {
  const current = readFileSync(FLAGS_DOC, 'utf8')
  assert.ok(current === renderFlagsDoc(), 'docs/flags.md is stale: run node scripts/gen-flags-doc.ts')
})
