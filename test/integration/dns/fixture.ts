// A DNS server on 127.0.0.1:0 serving a small zone set, stopped by the test that started it.
import { Registry } from 'prom-client'
import type { ResolvedRecord } from '../../../lib/records/types.ts'
import { buildCache } from '../../../lib/sinks/dns/cache.ts'
import { startDnsServer } from '../../../lib/sinks/dns/server.ts'
import type { DnsServer, DnsServerInit } from '../../../lib/sinks/dns/server.ts'
import { silentLogger } from '../../../lib/util/log.ts'

export const ZONES = ['c.k8s.local', 'example.test']

const rec = (
  name: string,
  type: ResolvedRecord['type'],
  values: string[],
  ttlSeconds = 60,
): ResolvedRecord => ({
  name,
  type,
  values,
  ttlSeconds,
})

export const RECORDS: readonly ResolvedRecord[] = [
  rec('api.internal.c.k8s.local', 'A', ['10.0.0.1', '10.0.0.2']),
  rec('api.internal.c.k8s.local', 'AAAA', ['fd00::1']),
  rec('alias.c.k8s.local', 'CNAME', ['api.internal.c.k8s.local'], 30),
  rec('twice.c.k8s.local', 'CNAME', ['alias.c.k8s.local'], 30),
  rec('away.c.k8s.local', 'CNAME', ['www.example.org'], 30),
  rec('dangling.c.k8s.local', 'CNAME', ['missing.c.k8s.local'], 30),
  // 60 addresses: ~1 KB, more than 512 or 700 bytes, less than 1232.
  rec(
    'big.c.k8s.local',
    'A',
    Array.from({ length: 60 }, (_, i) => `10.1.0.${i + 1}`),
  ),
  // Wildcards (RFC 4592): one with an existing name beside it, one that is a CNAME.
  rec('*.apps.c.k8s.local', 'A', ['10.2.0.1']),
  rec('exists.apps.c.k8s.local', 'A', ['10.2.0.9']),
  rec('*.web.c.k8s.local', 'CNAME', ['api.internal.c.k8s.local'], 30),
  rec('www.example.test', 'A', ['192.0.2.10']),
  rec('outside.example.org', 'A', ['192.0.2.99']),
]

export async function startFixture(
  opts: Partial<DnsServerInit> & { records?: readonly ResolvedRecord[]; zones?: readonly string[] } = {},
): Promise<{ server: DnsServer; registry: Registry; port: number }> {
  const registry = new Registry()
  const cache = buildCache(opts.records ?? RECORDS, { zones: opts.zones ?? ZONES, serial: 7 })
  const server = await startDnsServer(
    { listen: { host: '127.0.0.1', port: 0 }, upstreams: opts.upstreams ?? [], ...opts },
    cache,
    { log: silentLogger, registry },
  )
  return { server, registry, port: server.address.port }
}
