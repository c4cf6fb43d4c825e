/**
 * `dns-controller keygen --out DIR [--force]`: writes the gossip secret and the publisher key pair.
 * Existing files are kept unless --force; the private files are mode 0600.
 */
// Synchronous fs: this module loads with every command, and node:fs/promises would bring
// readline and friends into the agent (~3.5 MB RSS).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { CommandModule } from 'yargs'
import { generatePublisherKeyPem, generateSecret } from '../../lib/gossip/keys.ts'
import { ConfigError, errorMessage } from '../../lib/util/errors.ts'

export const KEYGEN_FILES = {
  psk: 'gossip.psk',
  privateKey: 'publisher.key',
  publicKey: 'publisher.pub',
} as const

interface KeygenArgs {
  readonly out: string
  readonly force: boolean
}

/** Writes the three files into `out`; returns their paths. Throws ConfigError naming the flag. */
export async function keygen(args: KeygenArgs): Promise<readonly string[]> {
  const paths = {
    psk: join(args.out, KEYGEN_FILES.psk),
    privateKey: join(args.out, KEYGEN_FILES.privateKey),
    publicKey: join(args.out, KEYGEN_FILES.publicKey),
  }
  if (!args.force) {
    for (const p of Object.values(paths))
      if (existsSync(p)) throw new ConfigError('out', `${p} already exists; pass --force to overwrite it`)
  }
  const { privatePem, publicPem } = generatePublisherKeyPem()
  const files: readonly { path: string; text: string; mode: number }[] = [
    { path: paths.psk, text: `${generateSecret()}\n`, mode: 0o600 },
    { path: paths.privateKey, text: privatePem, mode: 0o600 },
    { path: paths.publicKey, text: publicPem, mode: 0o644 },
  ]
  try {
    mkdirSync(args.out, { recursive: true, mode: 0o700 })
    for (const f of files) {
      writeFileSync(f.path, f.text, { mode: f.mode })
      // writeFile keeps the mode of a file that already existed (with --force): set it explicitly.
      chmodSync(f.path, f.mode)
    }
  } catch (err) {
    throw new ConfigError('out', `cannot write into ${args.out}: ${errorMessage(err)}`, { cause: err })
  }
  return files.map((f) => f.path)
}

export const keygenCommand: CommandModule<object, KeygenArgs> = {
  command: 'keygen',
  describe: 'make the gossip secret and publisher key',
  builder: (y) =>
    y
      .option('out', { type: 'string', demandOption: true, describe: 'directory to write the files into' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite existing files' }),
  handler: async (argv) => {
    // yargs reports a missing --out through the CLI's fail handler but still calls us.
    if (typeof argv.out !== 'string') return
    if (argv.out.trim() === '') throw new ConfigError('out', 'must name a directory')
    const written = await keygen(argv)
    for (const p of written) process.stdout.write(`wrote ${p}\n`)
  },
}
