/**
 * Entry point of the sans-IO gossip core for drivers (libp2p adapter, simulator, tests).
 * `createGossipCore(init)` builds one node's protocol state machine.
 */
export * from './types.ts'
export { createGossipCore } from './core.ts'
