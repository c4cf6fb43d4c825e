import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs'
import { fetchAgentState, StateFetchError, stateTable } from '../../lib/agent/state-client.ts'
import { stringFlag } from '../flags/values.ts'
import { agentAddressArgs, agentFromFlag } from '../flags/agent-address.ts'

/** `dns-controller state --from HOST:PORT [-o json]`: an agent's replica, publishers and peers. */
export const stateCommand: CommandModule = {
  command: 'state',
  describe: "show an agent's replica, peers and versions",
  builder: (y: Argv) =>
    y
      .options({
        from: agentFromFlag,
        output: {
          alias: 'o',
          type: 'string',
          choices: ['table', 'json'],
          default: 'table',
          description: 'tables, or the /state JSON {"records","publishers","peers"}',
        },
        timeout: { type: 'number', default: 5, description: 'seconds to wait for the agent' },
      })
      .example('$0 state --from 127.0.0.1:3991', '')
      .example('$0 state --from 10.0.0.5:3991 -o json', ''),
  handler: async (argv: ArgumentsCamelCase) => {
    const { from, timeoutMs } = agentAddressArgs(argv)
    const out = argv as { exitCode?: number }
    try {
      const state = await fetchAgentState(from, timeoutMs)
      process.stdout.write(
        stringFlag(argv['output']) === 'json' ? `${JSON.stringify(state, null, 2)}\n` : stateTable(state),
      )
      out.exitCode = 0
    } catch (err) {
      if (!(err instanceof StateFetchError)) throw err
      process.stderr.write(`dns-controller state: ${err.message}\n`)
      out.exitCode = 1
    }
  },
}
