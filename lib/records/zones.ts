// `--zone` rules (docs/kops-compat.md, "Zones") and which names they permit in gossip
// mode (docs/records.md, "Zones").
//
// | flag value            | kOps rule                   | gossip mode here: permits names under |
// | --------------------- | --------------------------- | ------------------------------------- |
// | `*`, `*/*`, no flags  | wildcard                    | `local`                               |
// | `example.com[.]`      | zone named example.com.     | `example.com`                         |
// | `example.com/ID`      | that name with that id      | `example.com` (ids mean nothing here) |
// | `*/gossip:local`      | the zone with that id       | `local` (kOps' gossip zone id)        |
// | `*/ID` (other ids)    | the zone with that id       | nothing                               |
//
// kOps parsed anything; we check syntax once at start (`checkZoneFlag`) so a typo is a ConfigError
// instead of a silently unmanaged zone.
import { checkName, ensureTrailingDot, stripTrailingDot } from './names.ts'

/** kOps' only gossip zone and its id (docs/kops-compat.md, "Zones"). */
export const GOSSIP_ZONE = 'local'
export const GOSSIP_ZONE_ID = 'gossip:local'

export interface ZoneSpec {
  /** With a trailing dot, or '' for "any name". */
  readonly name: string
  /** '' for "any id". */
  readonly id: string
}

export interface ZoneRules {
  readonly explicit: readonly ZoneSpec[]
  readonly wildcard: boolean
}

/** Parses `name`, `name/id`, `*` or `*` parts; never fails (kOps). */
export function parseZoneSpec(text: string): ZoneSpec {
  const s = text.trim()
  const slash = s.indexOf('/')
  let name = slash < 0 ? s : s.slice(0, slash)
  let id = slash < 0 ? '' : s.slice(slash + 1)
  if (name === '*') name = ''
  if (id === '*') id = ''
  return { name: name === '' ? '' : ensureTrailingDot(name), id }
}

// `*` and `*/*` (or no flags) turn the wildcard on; anything else is an explicit rule.
export function parseZoneRules(flags: readonly string[]): ZoneRules {
  const explicit: ZoneSpec[] = []
  let wildcard = flags.length === 0
  for (const f of flags) {
    const spec = parseZoneSpec(f)
    if (spec.name === '' && spec.id === '') wildcard = true
    else explicit.push(spec)
  }
  return { explicit, wildcard }
}

/** Syntax check for one `--zone` value: undefined when fine, else the reason. */
export function checkZoneFlag(text: string): string | undefined {
  const s = text.trim()
  if (s === '') return 'empty zone'
  const parts = s.split('/')
  if (parts.length > 2) return `"${text}" has more than one "/" (write NAME, NAME/ID, */ID or */*)`
  const [name = '', id] = parts
  if (id !== undefined && id === '') return `"${text}" has an empty id after "/"`
  if (name !== '*') {
    const check = checkName(name)
    if (!check.ok || name.startsWith('*'))
      return `"${text}": ${check.ok ? 'a zone cannot be a wildcard name' : check.reason}`
  }
  return undefined
}

/** The zones (lower-case, no trailing dot) whose names the rules permit in gossip mode. */
export function gossipZones(rules: ZoneRules): readonly string[] {
  const zones = new Set<string>()
  if (rules.wildcard) zones.add(GOSSIP_ZONE)
  for (const r of rules.explicit) {
    if (r.name !== '') zones.add(stripTrailingDot(r.name).toLowerCase())
    else if (r.id === GOSSIP_ZONE_ID) zones.add(GOSSIP_ZONE)
  }
  return [...zones].sort()
}

/** The longest permitted zone containing `fqdn` (either form), or undefined. */
export function permittedZoneOf(fqdn: string, zones: readonly string[]): string | undefined {
  const name = stripTrailingDot(fqdn).toLowerCase()
  let best: string | undefined
  for (const z of zones) {
    if ((name === z || name.endsWith(`.${z}`)) && (best === undefined || z.length > best.length)) best = z
  }
  return best
}

/** A cluster name is gossip iff, without one trailing dot, it ends in `.k8s.local`. */
export function isGossipClusterName(name: string): boolean {
  return stripTrailingDot(name).endsWith('.k8s.local')
}
