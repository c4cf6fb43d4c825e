/**
 * Annotation values and DNS names.
 *
 * kOps (b): a value is a comma-separated list; each token is trimmed and gets a trailing dot.
 * Where we deliberately differ (docs/kops-compat.md): empty tokens are skipped and reported instead of
 * becoming a record for the root `.`, and names are validated and lower-cased.
 *
 * | token                 | kOps                 | here                                   |
 * | --------------------- | -------------------- | -------------------------------------- |
 * | ` A.Example.com `     | `A.Example.com.`     | `a.example.com.`                       |
 * | `` (from `a,` or `,`) | record for `.`       | skipped, problem `empty-token`         |
 * | `a_b.example.com`     | published as is      | problem `invalid-name`                 |
 * | `*.example.com`       | published            | published (`*` only as a whole first label) |
 */

/** Longest name, without the trailing dot (RFC 1035 section 2.3.4 in text form). */
export const MAX_NAME_CHARS = 253
export const MAX_LABEL_CHARS = 63

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/

/** kOps' rule: appends a trailing dot when missing. */
export function ensureTrailingDot(name: string): string {
  return name.endsWith('.') ? name : `${name}.`
}

/** Removes one trailing dot. */
export function stripTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name
}

/** Splits an annotation value into trimmed tokens, keeping empty ones so callers can report them. */
export function splitList(value: string): string[] {
  return value.split(',').map((t) => t.trim())
}

export type NameCheck = { ok: true; fqdn: string } | { ok: false; reason: string }

/**
 * Validates a DNS name (RFC 1123 labels, at most 253 characters, `*` only as a whole first label)
 * and returns it lower-cased with a trailing dot.
 */
export function checkName(text: string): NameCheck {
  const bare = stripTrailingDot(text.trim()).toLowerCase()
  if (bare === '') return { ok: false, reason: 'empty name' }
  if (bare.length > MAX_NAME_CHARS) return { ok: false, reason: `longer than ${MAX_NAME_CHARS} characters` }
  const labels = bare.split('.')
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] ?? ''
    if (label === '*' && i === 0 && labels.length > 1) continue
    if (label === '') return { ok: false, reason: 'empty label' }
    if (label.length > MAX_LABEL_CHARS)
      return { ok: false, reason: `label longer than ${MAX_LABEL_CHARS} characters` }
    if (label.includes('*')) return { ok: false, reason: '"*" is only allowed as the whole first label' }
    if (!LABEL.test(label)) return { ok: false, reason: `label "${label}" is not a valid RFC 1123 label` }
  }
  return { ok: true, fqdn: `${bare}.` }
}
