/** Long-lived parts share one lifecycle; start() and stop() are idempotent. */
export interface Startable {
  start(): Promise<void>
  stop(): Promise<void>
}
