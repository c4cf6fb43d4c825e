import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { OWNER_ADDRESS, readBlock } from '../../../lib/sinks/hosts/block.ts'
import { views } from './views.ts'

const KILLS = Number(process.env['HOSTS_KILLS'] ?? 200)
const USER = '127.0.0.1 localhost\n10.9.9.9 seeded.example\n# a comment\n'

function blockOf(view: Map<string, string[]>): string {
  const lines: string[] = []
  for (const [name, addrs] of view) for (const a of addrs) lines.push(`${a} ${name}`)
  lines.push(...[...view.keys()].map((n) => `${OWNER_ADDRESS} ${n}`))
  return lines.sort().join('\n')
}

const PARALLEL = 4

// One worker: its own file, KILLS / PARALLEL rounds of spawn, wait, kill -9, check.
async function killRounds(dir: string, w: number, rounds: number, seen: Map<string, number>): Promise<void> {
  const path = join(dir, `hosts-${w}`)
  writeFileSync(path, USER)
  const expected = new Set(views.map(blockOf))
  for (let i = 0; i < rounds; i++) {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'writer-loop.ts'), path], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    try {
      await once(child.stdout, 'data')
      // Let it loop for a moment so the kill lands at a random point of some update.
      await new Promise((r) => setTimeout(r, 1 + ((i * 7 + w) % 17)))
    } finally {
      child.kill('SIGKILL')
      await once(child, 'exit').catch(() => {})
    }
    const text = readFileSync(path, 'latin1')
    assert.ok(text.startsWith(USER), `worker ${w} kill ${i}: user lines changed`)
    const { hosts, problems } = readBlock(text)
    assert.deepEqual(problems, [], `worker ${w} kill ${i}: problems`)
    const got = [...hosts]
      .flatMap(([a, names]) => [...names].map((n) => `${a} ${n}`))
      .sort()
      .join('\n')
    assert.ok(expected.has(got), `worker ${w} kill ${i}: block is neither the old nor the new one:\n${text}`)
    const state = text.endsWith('\n\n') ? 'padded' : 'exact'
    seen.set(state, (seen.get(state) ?? 0) + 1)
  }
}

test(
  `kill -9 during updates never leaves a broken hosts file (${KILLS} kills)`,
  { timeout: 240_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'hosts-kill-'))
    t.after(() => rmSync(dir, { recursive: true, force: true }))
    const seen = new Map<string, number>()
    const rounds = Math.ceil(KILLS / PARALLEL)
    await Promise.all(Array.from({ length: PARALLEL }, (_, w) => killRounds(dir, w, rounds, seen)))
    t.diagnostic(`states seen after kill: ${JSON.stringify(Object.fromEntries(seen))}`)
  },
)
