// The files a HookConfig names (tokenFile, caBundleFile, certFile, keyFile):
// read as kustomize reads a kustomization's files, from inside its base
// directory only, regular files only, small ones only.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { HookError } from '../errors.js'
import { describeValue } from '../lib/describe-value.js'
import { errorCodeOf } from '../lib/check.js'

/** `rootOnly`: kustomize's LoadRestrictionsRootOnly (the default); `none`: any file, on request. */
export type LoadRestrictor = 'rootOnly' | 'none'

/** The largest file read: a token or three PEM files are a few KiB. */
const MAX_FILE_BYTES = 1024 * 1024

/** `--load-restrictor` as kustomize spells it, or short. */
export function loadRestrictor(value: string): LoadRestrictor | undefined {
  if (value === 'none' || value === 'LoadRestrictionsNone') return 'none'
  if (value === 'rootOnly' || value === 'LoadRestrictionsRootOnly') return 'rootOnly'
  return undefined
}

const refuse = (pointer: string, message: string, cause?: unknown): never => {
  throw new HookError('ERR_INVALID_CONFIG', message, {
    path: pointer,
    ...(cause === undefined ? {} : { cause }),
  })
}

/**
 * The text of the file `path` names, relative to `baseDir`. With `rootOnly`
 * the file, after every symlink is resolved, must be inside `baseDir` (so a
 * HookConfig cannot pull `../../secret` or `/etc/shadow` into the manifests,
 * as kustomize forbids its own files); in any case it must be a regular file
 * (not a FIFO, a device or a directory) of at most 1 MiB, read without
 * waiting or growing. Messages name the file, never its content.
 */
export function readConfigFile(
  path: unknown,
  pointer: string,
  baseDir: string,
  restrictor: LoadRestrictor = 'rootOnly',
): string {
  if (typeof path !== 'string' || path === '' || path.includes('\0')) return refuse(pointer, 'must be a file path')
  let real: string
  try {
    real = realpathSync(resolve(baseDir, path))
  } catch (cause) {
    return refuse(pointer, `cannot read ${describeValue(path)} (${errorCodeOf(cause) ?? 'error'})`, cause)
  }
  if (restrictor === 'rootOnly') {
    const root = realpathSync(baseDir)
    const rel = relative(root, real)
    if (rel === '' || rel === '..' || rel.startsWith('..' + sep) || isAbsolute(rel)) {
      refuse(
        pointer,
        `${describeValue(path)} is outside the base directory ${describeValue(root)}; files are read from inside it only (--load-restrictor none lifts this)`,
      )
    }
  }
  let fd: number
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (cause) {
    return refuse(pointer, `cannot read ${describeValue(path)} (${errorCodeOf(cause) ?? 'error'})`, cause)
  }
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile()) refuse(pointer, `${describeValue(path)} is not a regular file`)
    if (stat.size > MAX_FILE_BYTES) refuse(pointer, `${describeValue(path)} is larger than ${MAX_FILE_BYTES} bytes`)
    const buffer = Buffer.alloc(MAX_FILE_BYTES + 1)
    let size = 0
    for (let n = -1; n !== 0 && size <= MAX_FILE_BYTES; size += n)
      n = readSync(fd, buffer, size, buffer.length - size, null)
    if (size > MAX_FILE_BYTES) refuse(pointer, `${describeValue(path)} is larger than ${MAX_FILE_BYTES} bytes`)
    return buffer.subarray(0, size).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** The most a manifest input may hold (a file, a pipe or stdin): far past any application, short of a runaway. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024

/**
 * The text of a manifest input: `-` is stdin, anything else a path. A
 * regular file, a pipe or a socket is read up to `MAX_INPUT_BYTES` and no
 * further (`/dev/zero` or a pipe that never ends is refused, not held in
 * memory); a device or a directory is refused unread. A named FIFO is read as
 * `cat` reads it: once a writer opens it. Throws an Error whose message
 * names the input, never its content.
 */
export function readInput(file: string): string {
  const name = file === '-' ? 'stdin' : file
  const fd = file === '-' ? 0 : openSync(file, constants.O_RDONLY)
  try {
    const stat = fstatSync(fd)
    if (!stat.isFile() && !stat.isFIFO() && !stat.isSocket()) throw new Error(`${name} is not a regular file or a pipe`)
    const chunks: Buffer[] = []
    let size = 0
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, MAX_INPUT_BYTES + 1 - size))
      let n: number
      try {
        n = readSync(fd, chunk, 0, chunk.length, null)
      } catch (cause) {
        if (errorCodeOf(cause) === 'EAGAIN') continue // a non-blocking stdin with nothing yet
        throw cause
      }
      if (n === 0) break
      chunks.push(chunk.subarray(0, n))
      size += n
      if (size > MAX_INPUT_BYTES) throw new Error(`${name} is larger than ${MAX_INPUT_BYTES} bytes`)
    }
    return Buffer.concat(chunks, size).toString('utf8')
  } finally {
    if (fd !== 0) closeSync(fd)
  }
}
