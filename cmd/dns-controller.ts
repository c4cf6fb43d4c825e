#!/usr/bin/env node
/**
 * The one CLI. Argument parsing only: each command lives in cmd/commands/<name>.ts, turns its flags
 * into a frozen config (throwing ConfigError naming the flag) and hands it to lib/.
 */
import { runCli } from './cli.ts'

// Started with an IPC channel (by `demo`): stop as on SIGTERM when that parent goes, even if it was
// killed outright, so no child outlives it. Unref'd: the channel alone keeps nothing running.
if (process.channel !== undefined) {
  process.channel.unref()
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'))
}

process.exitCode = await runCli(process.argv.slice(2))
