import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeHostsFile } from '../../../../lib/sinks/hosts/writer.ts'
import { BEGIN_MARKER, END_MARKER, OWNER_COMMENT } from '../../../../lib/sinks/hosts/block.ts'

function tempFile(t: { after: (f: () => void) => void }, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'hosts-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const path = join(dir, 'hosts')
  writeFileSync(path, content)
  return path
}

test('writes in place, then leaves identical content alone', (t) => {
  const path = tempFile(t, '127.0.0.1 localhost\n')
  const inode = statSync(path).ino
  const desired = new Map([['api.local', ['10.0.0.1']]])
  assert.equal(writeHostsFile(path, desired).outcome, 'written')
  assert.equal(statSync(path).ino, inode)
  assert.equal(
    readFileSync(path, 'utf8'),
    [
      '127.0.0.1 localhost',
      '',
      BEGIN_MARKER,
      '10.0.0.1\tapi.local',
      `${OWNER_COMMENT} api.local`,
      END_MARKER,
      '',
    ].join('\n'),
  )
  assert.equal(writeHostsFile(path, desired).outcome, 'unchanged')
})

test('a shorter block truncates the file exactly', (t) => {
  const path = tempFile(t, 'x\n')
  const many = new Map(Array.from({ length: 50 }, (_, i) => [`n${i}.local`, [`10.0.0.${i}`]] as const))
  writeHostsFile(path, many)
  writeHostsFile(path, new Map([['n1.local', ['10.0.0.1']]]))
  assert.equal(
    readFileSync(path, 'utf8'),
    ['x', '', BEGIN_MARKER, '10.0.0.1\tn1.local', `${OWNER_COMMENT} n1.local`, END_MARKER, ''].join('\n'),
  )
})

test('bytes outside the block round-trip even when they are not UTF-8', (t) => {
  const user = Buffer.from([0x31, 0x2e, 0x32, 0x2e, 0x33, 0x2e, 0x34, 0x20, 0xe9, 0xff, 0x0a])
  const path = tempFile(t, user)
  writeHostsFile(path, new Map([['a.local', ['10.0.0.1']]]))
  assert.ok(readFileSync(path).subarray(0, user.length).equals(user))
})

test('a missing file is an error, never created', (t) => {
  const path = tempFile(t, '')
  rmSync(path)
  assert.throws(() => writeHostsFile(path, new Map()), /ENOENT/)
})
