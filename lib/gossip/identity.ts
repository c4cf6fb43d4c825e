/**
 * The node's persistent libp2p identity: an Ed25519 key, protobuf-encoded as libp2p stores it, in
 * `<state-dir>/node.key` (directory 0700, file 0600). A stable identity lets peers recognise a
 * restarted node instead of treating it as a stranger.
 */
// Synchronous fs: a few bytes once at start-up. node:fs/promises would load readline and friends
// into the agent for nothing (~3.5 MB RSS, bench/results/gossip-procs.md).
import {
  chmodSync,
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { ConfigError, errorMessage } from '../util/errors.ts'

export const NODE_KEY_FILE = 'node.key'

/** Loads `<dir>/node.key`, or creates the directory and a new key when there is none. */
export async function loadOrCreateNodeKey(dir: string, flag = 'state-dir'): Promise<PrivateKey> {
  const path = join(dir, NODE_KEY_FILE)
  let bytes: Buffer | undefined
  try {
    bytes = readFileSync(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new ConfigError(flag, `cannot read ${path}: ${errorMessage(err)}`, { cause: err })
  }
  if (bytes !== undefined) {
    try {
      return privateKeyFromProtobuf(bytes)
    } catch (err) {
      throw new ConfigError(flag, `${path} is not a libp2p private key; delete it to make a new identity`, {
        cause: err,
      })
    }
  }
  const key = await generateKeyPair('Ed25519')
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 })
    chmodSync(dir, 0o700)
    // Write then rename, so a crash never leaves a truncated identity behind.
    const tmp = `${path}.tmp-${process.pid}`
    const fd = openSync(tmp, 'w', 0o600)
    try {
      writeSync(fd, privateKeyToProtobuf(key))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, path)
  } catch (err) {
    throw new ConfigError(flag, `cannot write ${path}: ${errorMessage(err)}`, { cause: err })
  }
  return key
}
