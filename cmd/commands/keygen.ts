import type { CommandModule } from 'yargs'

// Placeholder until its issue lands: says so and exits 1.
export const keygenCommand: CommandModule = {
  command: 'keygen',
  describe: 'make the gossip secret and publisher key',
  handler: (argv) => {
    process.stderr.write('dns-controller keygen: not implemented yet\n')
    ;(argv as { exitCode?: number }).exitCode = 1
  },
}
