/** Why a file named by a flag cannot be read, told apart: missing, not enterable, not a file. */
import { accessSync, constants, statSync } from 'node:fs'

/** true when `path` is a readable file; false when it does not exist; else the reason. */
export function probeReadableFile(path: string): boolean | string {
  try {
    if (statSync(path).isDirectory()) return 'is a directory, not a file'
    accessSync(path, constants.R_OK)
    return true
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return false
    if (code === 'EACCES' || code === 'EPERM')
      return 'permission denied (the file, or a directory on its path, is not readable by this user)'
    if (code === 'ENOTDIR') return 'a part of the path is not a directory'
    return (err as Error).message
  }
}
