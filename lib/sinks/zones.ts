/**
 * Zone membership shared by both sinks: an agent serves and writes only names inside its
 * `--zone`s. Names and zones are lower-case without the trailing dot.
 */

/** Normalises a zone flag value: lower-case, no leading/trailing dots. */
export function normaliseZone(zone: string): string {
  return zone
    .trim()
    .toLowerCase()
    .replace(/^\.+|\.+$/g, '')
}

/** The longest zone that contains `name` (the zone itself counts), or undefined. */
export function zoneOf(name: string, zones: readonly string[]): string | undefined {
  let best: string | undefined
  for (const zone of zones) {
    const inside = zone === '' || name === zone || name.endsWith('.' + zone)
    if (inside && (best === undefined || zone.length > best.length)) best = zone
  }
  return best
}

/** CNAME chains are followed at most this far (loops end here too). */
export const MAX_CNAME_CHAIN = 8
