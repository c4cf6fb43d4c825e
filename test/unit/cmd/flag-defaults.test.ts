import { test } from 'node:test'
import assert from 'node:assert/strict'
import { agentConfigFromArgs, agentFlags } from '../../../cmd/flags/agent.ts'
import { controllerConfigFromArgs, controllerFlags } from '../../../cmd/flags/controller.ts'
import { parseFlags } from './parse.ts'

// A flag's default is written once, in its table. The parsers must see the same defaults whether
// yargs filled them in or a caller passed only the flags it sets.

test('controller: a partial object gets the same config as yargs with the same flags', async () => {
  const flags = ['--internal-ipv4', '--gossip-insecure']
  const viaYargs = controllerConfigFromArgs(await parseFlags(controllerFlags, flags))
  const partial = controllerConfigFromArgs({ 'internal-ipv4': true, 'gossip-insecure': true })
  assert.deepEqual(partial, viaYargs)
  assert.equal(partial.records.watchIngress, true, "--watch-ingress's default is true")
})

test('agent: a partial object gets the agent defaults, not the controller ports', async () => {
  const viaYargs = agentConfigFromArgs(await parseFlags(agentFlags, ['--gossip-insecure']))
  const partial = agentConfigFromArgs({ 'gossip-insecure': true })
  assert.deepEqual(partial, viaYargs)
  assert.equal(partial.gossip.primary.listen.port, 3999)
})
