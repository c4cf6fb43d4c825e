/**
 * The long-running commands (controller, agent), one shape: flags → config (pure, cmd/flags) →
 * start-time file checks → the start-up log line → the process's `run` in lib, until SIGINT or
 * SIGTERM. `run` is imported by the command, so `render`, `state` and `--help` never load it.
 */
import type { ArgumentsCamelCase, CommandModule } from 'yargs'
import type { Logger } from '../../lib/util/log.ts'
import { probeReadableFile, probeWritableFile } from '../../lib/util/file-probe.ts'
import { defineCommand } from './define.ts'
import type { CommandSpec } from './define.ts'
import { startupLogger } from './startup-log.ts'

type StartupConfig = Parameters<typeof startupLogger>[1]

export interface FileProbes {
  readonly readable: (path: string) => boolean | string
  readonly writable: (path: string) => boolean | string
}

export interface DaemonSpec<C extends StartupConfig> extends Omit<CommandSpec, 'run'> {
  /** The logger's component name. */
  readonly component: string
  config(argv: ArgumentsCamelCase): C
  checkFiles(config: C, probes: FileProbes): void
  run(config: C, log: Logger, stopped: Promise<string>): Promise<number>
}

/** Resolves with the name of the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<string> {
  return new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'))
    process.once('SIGINT', () => resolve('SIGINT'))
  })
}

export function daemonCommand<C extends StartupConfig>(spec: DaemonSpec<C>): CommandModule {
  return defineCommand({
    ...spec,
    run: async (argv) => {
      const config = spec.config(argv)
      spec.checkFiles(config, { readable: probeReadableFile, writable: probeWritableFile })
      return spec.run(config, startupLogger(spec.component, config), untilSignal())
    },
  })
}
