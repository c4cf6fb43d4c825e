import { defineCommand } from './define.ts'
import { formatHostPort } from '../../lib/util/hostport.ts'
import { agentAddressArgs, agentAddressFlags } from '../flags/agent-address.ts'

const POLL_MS = 200

/**
 * `dns-controller ready --from HOST:PORT [--timeout S]`: waits until an agent's /readyz answers 200
 * (it has a verified view: live, or persisted from its last run). The systemd unit's ExecStartPost,
 * so that units ordered after the agent (the kubelet) start once its names resolve; Node has no
 * unix datagram socket for sd_notify without a native module.
 */
export const readyCommand = defineCommand({
  command: 'ready',
  describe: "wait until an agent's /readyz says it serves names (exit 0), or until --timeout (exit 1)",
  options: agentAddressFlags(60, 'seconds to wait'),
  examples: [['$0 ready --from 127.0.0.1:3991 --timeout 60', '']],
  run: async (argv) => {
    const { from, timeoutMs } = agentAddressArgs(argv)
    const url = `http://${formatHostPort(from)}/readyz`
    const deadline = Date.now() + timeoutMs
    for (;;) {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
        await res.body?.cancel()
        if (res.status === 200) return 0
      } catch {
        // not listening yet: the agent is still starting
      }
      if (Date.now() >= deadline) break
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
    process.stderr.write(`dns-controller ready: ${url} did not answer 200 within ${timeoutMs / 1000}s\n`)
    return 1
  },
})
