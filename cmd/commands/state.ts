import type { CommandModule } from 'yargs'

// Placeholder until its issue lands: says so and exits 1.
export const stateCommand: CommandModule = {
  command: 'state',
  describe: "show an agent's replica, peers and versions",
  handler: (argv) => {
    process.stderr.write('dns-controller state: not implemented yet\n')
    ;(argv as { exitCode?: number }).exitCode = 1
  },
}
