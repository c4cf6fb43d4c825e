#!/usr/bin/env node
/**
 * The one CLI. Argument parsing only: each command lives in cmd/commands/<name>.ts, turns its flags
 * into a frozen config (throwing ConfigError naming the flag) and hands it to lib/.
 */
import { runCli } from './cli.ts'

process.exitCode = await runCli(process.argv.slice(2))
