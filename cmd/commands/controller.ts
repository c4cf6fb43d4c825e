import type { CommandModule } from 'yargs'

// Placeholder until its issue lands: says so and exits 1.
export const controllerCommand: CommandModule = {
  command: '$0',
  describe: 'run the controller (default command)',
  handler: (argv) => {
    process.stderr.write('dns-controller controller: not implemented yet\n')
    ;(argv as { exitCode?: number }).exitCode = 1
  },
}
