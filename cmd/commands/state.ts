import { fetchAgentState, StateFetchError, stateTable } from '../../lib/agent/state-client.ts'
import { outputFlag, stringFlag } from '../flags/values.ts'
import { agentAddressArgs, agentAddressFlags } from '../flags/agent-address.ts'
import { defineCommand } from './define.ts'

/** `dns-controller state --from HOST:PORT [-o json]`: an agent's replica, publishers and peers. */
export const stateCommand = defineCommand({
  command: 'state',
  describe: "show an agent's replica, peers and versions",
  options: {
    ...agentAddressFlags(5, 'seconds to wait for the agent'),
    output: outputFlag('tables, or the /state JSON {"records","publishers","peers"}'),
  },
  examples: [
    ['$0 state --from 127.0.0.1:3991', ''],
    ['$0 state --from 10.0.0.5:3991 -o json', ''],
  ],
  run: async (argv) => {
    const { from, timeoutMs } = agentAddressArgs(argv)
    try {
      const state = await fetchAgentState(from, timeoutMs)
      process.stdout.write(
        stringFlag(argv['output']) === 'json' ? `${JSON.stringify(state, null, 2)}\n` : stateTable(state),
      )
      return 0
    } catch (err) {
      if (!(err instanceof StateFetchError)) throw err
      process.stderr.write(`dns-controller state: ${err.message}\n`)
      return 1
    }
  },
})
