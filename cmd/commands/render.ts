import type { CommandModule } from 'yargs'

// Placeholder until its issue lands: says so and exits 1.
export const renderCommand: CommandModule = {
  command: 'render',
  describe: 'print the records that given objects produce',
  handler: (argv) => {
    process.stderr.write('dns-controller render: not implemented yet\n')
    ;(argv as { exitCode?: number }).exitCode = 1
  },
}
