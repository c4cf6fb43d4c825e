/**
 * The three kinds of failure:
 * - ConfigError: the operator gave a bad flag or file; the CLI exits 2 naming the flag.
 * - an outside dependency failed (API server, network): the caller retries with backoff and counts it.
 * - anything else is a bug and is allowed to crash tests.
 * Peer input (gossip frames, DNS packets) never throws: decoders return a result instead.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly flag: string
  constructor(flag: string, message: string, options?: ErrorOptions) {
    super(flag === '' ? message : `--${flag}: ${message}`, options)
    this.flag = flag
  }
}

/** Exhaustiveness check for `switch` over a discriminated union. */
export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`)
}

/** The message of an unknown thrown value, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
