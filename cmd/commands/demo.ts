import type { CommandModule } from 'yargs'

// Placeholder until its issue lands: says so and exits 1.
export const demoCommand: CommandModule = {
  command: 'demo',
  describe: 'run the embedded demonstration on loopback',
  handler: (argv) => {
    process.stderr.write('dns-controller demo: not implemented yet\n')
    ;(argv as { exitCode?: number }).exitCode = 1
  },
}
