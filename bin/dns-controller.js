#!/usr/bin/env node
// The package's command in a checkout (`npx dns-controller`, `npm link`): plain JavaScript, so any
// Node can start it. A Node that runs TypeScript itself imports the entry file; an older one (the
// machine's own Node 20, say) hands over to the pinned Node in node_modules with the same
// arguments, stdio, signals and exit status.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entry = join(root, 'cmd', 'dns-controller.ts')

if (process.features.typescript) {
  await import(entry)
} else {
  const pinned = join(root, 'node_modules', '.bin', 'node')
  if (!existsSync(pinned)) {
    process.stderr.write(
      `dns-controller: this Node (${process.version}) cannot run TypeScript; run \`npm ci\` in ${root} first\n`,
    )
    process.exit(2)
  }
  const child = spawn(pinned, [entry, ...process.argv.slice(2)], { stdio: 'inherit' })
  // Ctrl-C reaches the child from the terminal itself (same process group): forwarding it too
  // would make two. A SIGTERM sent to this process alone is passed on.
  process.on('SIGINT', () => {})
  process.on('SIGTERM', () => child.kill('SIGTERM'))
  child.on('exit', (code, signal) => {
    if (signal === null) process.exit(code ?? 1)
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  })
}
