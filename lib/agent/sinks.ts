/**
 * The agent's listeners and writers, started from its config: the hosts sink, the DNS server and
 * the ops server (`/metrics`, `/healthz`, `/readyz`, `/state`). Each is off when its flag is empty.
 */
import type { Registry } from 'prom-client'
import type { Check } from '../http/ops-server.ts'
import { startOpsServer } from '../http/ops-server.ts'
import type { OpsServer } from '../http/ops-server.ts'
import type { AnswerCache } from '../sinks/dns/cache.ts'
import { startDnsServer } from '../sinks/dns/server.ts'
import type { DnsServer } from '../sinks/dns/server.ts'
import { createHostsSink } from '../sinks/hosts/sink.ts'
import type { HostsSink } from '../sinks/hosts/sink.ts'
import type { Startable } from '../util/lifecycle.ts'
import type { Logger } from '../util/log.ts'
import type { AgentSinksConfig } from './config.ts'

export interface Sinks extends Startable {
  /** Each is undefined while off or not (yet) started; kept after a failed start for its address. */
  readonly hosts: HostsSink | undefined
  readonly dns: DnsServer | undefined
  readonly ops: OpsServer | undefined
}

export interface SinksComponents {
  readonly log: Logger
  readonly registry: Registry
  /** The cache served until the first replica. */
  readonly cache: AnswerCache
  readonly ready: () => Check
  readonly state: () => unknown
}

/**
 * The enabled sinks. `start` throws when one cannot start (a port in use) after closing the
 * others, so the process can exit with the error; `stop` lets a pending hosts write finish.
 */
export function agentSinks(config: AgentSinksConfig, c: SinksComponents): Sinks {
  const deps = { log: c.log, registry: c.registry }
  let hosts: HostsSink | undefined
  let dns: DnsServer | undefined
  let ops: OpsServer | undefined
  const stop = async (): Promise<void> => {
    await hosts?.idle()
    hosts?.stop()
    await Promise.all([dns?.close(), ops?.close()])
  }
  const start = async (): Promise<void> => {
    if (config.hostsFile !== undefined)
      hosts = createHostsSink({ path: config.hostsFile, zones: config.zones }, deps)
    if (config.dnsListen !== undefined)
      dns = await startDnsServer({ listen: config.dnsListen, upstreams: config.upstreams }, c.cache, deps)
    if (config.metricsListen !== undefined)
      ops = await startOpsServer(
        {
          listen: config.metricsListen,
          registry: c.registry,
          healthy: () => ({ ok: true }),
          ready: c.ready,
          jsonRoutes: { '/state': c.state },
        },
        c.log,
      )
  }
  return {
    get hosts() {
      return hosts
    },
    get dns() {
      return dns
    },
    get ops() {
      return ops
    },
    async start() {
      try {
        await start()
      } catch (err) {
        await stop()
        throw err
      }
    },
    stop,
  }
}
