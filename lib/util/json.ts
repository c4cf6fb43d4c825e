/** A parsed JSON or YAML object: not null, not an array. (A DNS record is a `DnsRecord`, elsewhere.) */
export type JsonObject = Record<string, unknown>

/** Narrows parsed JSON/YAML to an object whose fields can be read one by one. */
export function isJsonObject(x: unknown): x is JsonObject {
  return typeof x === 'object' && x !== null && !Array.isArray(x)
}
