/** What record building depends on besides the objects themselves. */
import { GOSSIP_ZONE } from './zones.ts'

export interface RecordOptions {
  /**
   * Zones whose names may be published (lower-case, no trailing dot; from `gossipZones`). A name
   * outside all of them is an `outside-zones` problem. @default ['local']
   */
  readonly zones: readonly string[]
  /** `--internal-ipv4`: node IPv4 InternalIPs become `node/N/internal` targets. @default false */
  readonly internalIPv4: boolean
  /** `--internal-ipv6`: the same for IPv6. @default false */
  readonly internalIPv6: boolean
  /** `--publish-not-ready`: kOps' behaviour, pods publish whether Ready or not. @default false */
  readonly publishNotReady: boolean
}

export const RECORD_DEFAULTS: RecordOptions = Object.freeze({
  zones: Object.freeze([GOSSIP_ZONE]),
  internalIPv4: false,
  internalIPv6: false,
  publishNotReady: false,
})
