import type { CommandModule } from 'yargs'

// Placeholder until its issue lands: says so and exits 1.
export const agentCommand: CommandModule = {
  command: 'agent',
  describe: 'run the node agent',
  handler: (argv) => {
    process.stderr.write('dns-controller agent: not implemented yet\n')
    ;(argv as { exitCode?: number }).exitCode = 1
  },
}
