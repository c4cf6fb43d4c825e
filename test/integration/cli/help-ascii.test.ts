import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderFlagsDoc } from '../../../scripts/gen-flags-doc.ts'

// yargs measures every command's and flag's text on each start, with string-width. The bundle
// (scripts/build.ts) lets string-width skip Intl.Segmenter for ASCII text; one non-ASCII character
// anywhere in the help brings the Segmenter back into every agent (~2.6 MB RSS).
test('every command and flag text is ASCII', () => {
  const doc = renderFlagsDoc()
  const bad = doc.split('\n').filter((line) => [...line].some((c) => c.charCodeAt(0) > 0x7f))
  assert.deepEqual(bad, [], 'non-ASCII help text (use -> instead of an arrow, and so on)')
})
