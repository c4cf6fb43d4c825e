/** `dns-controller agent`: flags → config (cmd/flags/agent.ts) → runAgent (lib/agent/run.ts). */
import { agentConfigFromArgs, agentFlags, checkAgentFiles } from '../flags/agent.ts'
import { daemonCommand } from './daemon.ts'

export const agentCommand = daemonCommand({
  command: 'agent',
  describe: 'run the node agent: gossip replica -> /etc/hosts block and/or local DNS',
  component: 'agent',
  options: agentFlags,
  examples: [
    [
      '$0 agent --gossip-seed=10.0.0.2:3999 --hosts-file=/etc/hosts --zone=mycluster.k8s.local',
      "kOps' /etc/hosts block",
    ],
    [
      '$0 agent --gossip-seed=10.0.0.2:3999 --dns-listen=169.254.20.10:53 --upstream=10.96.0.10:53 --metrics-listen=0.0.0.0:3991',
      'local DNS server',
    ],
  ],
  config: agentConfigFromArgs,
  checkFiles: (config, probe) => checkAgentFiles(config, probe.readable, probe.writable),
  run: async (config, log, stopped) => {
    // Heavy modules (libp2p, prom-client) load here, not at CLI start-up.
    const { runAgent } = await import('../../lib/agent/run.ts')
    return runAgent(config, { log, stopped })
  },
})
