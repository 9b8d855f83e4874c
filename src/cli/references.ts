// Manifests that can go to Git: the hook as references only (its token and URL
// by secretKeyRef, its certificate files from a Secret volume), and the
// Secrets that hold the values taken out of the output, written to a file of
// mode 0600 that the user names, or left out.
import { closeSync, constants, fchmodSync, openSync, writeSync } from 'node:fs'
import { HookError } from '../errors.js'
import type { InjectOptions } from '../types.js'
import type { Json } from '../lib/clone.js'
import { isObject, jsonEqual } from '../lib/json.js'
import { stringifyManifests } from '../yaml/stringify.js'

/** The options that keep every value out of the Pod spec: the webhook's defaults, and what references-only forces. */
export const REFERENCE_OPTIONS = { tokenFrom: 'secret', certStorage: 'Secret' } as const

/** The option that would write a value into the manifests (the token into the Pod spec, the key into a ConfigMap), if any. */
export function inlineOption(options: InjectOptions): 'tokenFrom' | 'certStorage' | undefined {
  if (options.tokenFrom === 'value') return 'tokenFrom'
  if (options.certStorage === 'ConfigMap') return 'certStorage'
  return undefined
}

/** `options` with the values kept out of the Pod spec, refusing options that ask for them inline. */
export function referenceOptions(options: InjectOptions): InjectOptions {
  const inline = inlineOption(options)
  if (inline !== undefined)
    throw new HookError(
      'ERR_INVALID_CONFIG',
      'referencesOnly keeps the token and the key out of the manifests: options.tokenFrom must be "secret" and options.certStorage "Secret" (or unset)',
      { path: `/options/${inline}` },
    )
  return { ...options, ...REFERENCE_OPTIONS }
}

/** The hook's Secrets of `hooked` (added, or put in the place of the input's), and the rest in order. */
export function splitSecrets(
  input: readonly object[],
  hooked: readonly object[],
): { kept: object[]; secrets: object[] } {
  const kept: object[] = []
  const secrets: object[] = []
  hooked.forEach((m, i) => {
    const hookObject =
      (i >= input.length || !jsonEqual(m as Json, input[i] as Json)) &&
      isObject(m) &&
      m.apiVersion === 'v1' &&
      m.kind === 'Secret'
    ;(hookObject ? secrets : kept).push(m)
  })
  return { kept, secrets }
}

/**
 * Writes `secrets` as YAML to `path`, mode 0600 whether the file is new or
 * not, never through a symbolic link.
 */
export function writeSecretsFile(path: string, secrets: readonly object[]): void {
  let fd: number
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600)
  } catch (e) {
    throw new HookError('ERR_INVALID_CONFIG', `cannot write the secrets file ${path}: ${(e as Error).message}`, {
      cause: e,
    })
  }
  try {
    fchmodSync(fd, 0o600) // an existing file keeps its mode on open: set it before a byte is written
    writeSync(fd, stringifyManifests(secrets))
  } finally {
    closeSync(fd)
  }
}
