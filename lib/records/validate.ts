/**
 * What a published record may contain, checked at every trust boundary: when a snapshot is
 * decoded (from a peer or the state file), when a publisher signs one, and in the hosts block
 * builder. A name or value that fails never reaches a sink: a newline in a name signed with the
 * publisher key would otherwise become a line of its own in `/etc/hosts`.
 *
 * | field        | accepted                                                                   |
 * | ------------ | -------------------------------------------------------------------------- |
 * | name         | lower-case, no trailing dot, RFC 1123 labels (1-63 characters), at most    |
 * |              | 253 characters, `*` only as the whole first label (names.ts `checkName`)    |
 * | A value      | an IPv4 dotted quad                                                         |
 * | AAAA value   | an IPv6 literal (no zone suffix)                                            |
 * | CNAME value  | a name, as above                                                            |
 */
import { parseIPv4, parseIPv6 } from './ip.ts'
import { checkName } from './names.ts'
import type { RecordType } from './types.ts'

/** A name exactly as the pipeline publishes it (validated, lower-case, no trailing dot). */
export function validName(name: string): boolean {
  const c = checkName(name)
  return c.ok && c.fqdn === `${name}.`
}

/** An address a hosts file or an A/AAAA record may hold. */
export function validAddress(value: string): boolean {
  return parseIPv4(value) !== undefined || parseIPv6(value) !== undefined
}

export function validValue(type: RecordType, value: string): boolean {
  switch (type) {
    case 'A':
      return parseIPv4(value) !== undefined
    case 'AAAA':
      return parseIPv6(value) !== undefined
    case 'CNAME':
      return validName(value)
  }
}

/** Why a record may not be published or served, or undefined when it may. */
export function recordProblem(r: {
  readonly name: string
  readonly type: RecordType
  readonly values: readonly string[]
}): 'invalid-name' | 'invalid-value' | undefined {
  if (!validName(r.name)) return 'invalid-name'
  for (const v of r.values) if (!validValue(r.type, v)) return 'invalid-value'
  return undefined
}
