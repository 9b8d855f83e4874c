import { resolve } from 'node:path'
import { readBound } from '../admission/bound.js'
import type { HookBound } from '../admission/review.js'
import { HookError, rerootError } from '../errors.js'
import { fieldName } from '../lib/pointer.js'
import type { HookSpec, InjectOptions } from '../types.js'
import { isRecord } from '../lib/json.js'
import { readConfigFile, type LoadRestrictor } from './files.js'
import { checkKnownKeys, checkRecord } from '../lib/check.js'

export { HOOK_CONFIG_API_VERSION, HOOK_CONFIG_KIND } from '../contract.js'
import { HOOK_CONFIG_API_VERSION, HOOK_CONFIG_KIND } from '../contract.js'

/** A HookSpec and InjectOptions, read and resolved from a HookConfig object. */
export interface HookConfig {
  spec: HookSpec
  options: InjectOptions
  /** Which Pods the webhook may deliver the hook to (the HookConfig's top-level `boundTo`). */
  boundTo?: HookBound
  /**
   * Pipelines (inject, the KRM function): write manifests that carry references
   * only; the Secrets that hold the token and the key go to `secretsFile`
   * (mode 0600, resolved against the configuration's directory) or are left out.
   */
  referencesOnly?: { secretsFile?: string }
  /** Where a field came from in the config, when not from its own key (`/spec/tls/certPem` -> `/spec/tls/certFile`). */
  origins: Record<string, string>
}

/** Each TLS file, given inline or by path. */
const TLS_FIELDS = [
  ['caBundlePem', 'caBundleFile'],
  ['certPem', 'certFile'],
  ['keyPem', 'keyFile'],
] as const

/** Where the files a HookConfig names are read from, and how freely. */
export interface FileAccess {
  /** The base directory: relative paths start there (the working directory, which kustomize and kpt set). */
  baseDir: string
  restrictor: LoadRestrictor
  /** Told the path (as written, relative to baseDir) of every file read: the webhook re-reads a HookConfig when one changes. */
  onRead?: ((path: string) => void) | undefined
}

/** `inline` or the content of `file` (exactly one of them); undefined when neither is set. */
function inlineOrFile(
  obj: Record<string, unknown>,
  inline: string,
  file: string,
  prefix: string,
  files: FileAccess,
): unknown {
  const hasInline = obj[inline] !== undefined && obj[inline] !== null
  const hasFile = obj[file] !== undefined && obj[file] !== null
  if (hasInline && hasFile)
    throw new HookError(
      'ERR_INVALID_CONFIG',
      `set ${fieldName([...prefix.split('/').slice(1), inline])} or ${file}, not both`,
      {
        path: `${prefix}/${file}`,
      },
    )
  if (hasFile) {
    const text = readConfigFile(obj[file], `${prefix}/${file}`, files.baseDir, files.restrictor)
    if (typeof obj[file] === 'string') files.onRead?.(obj[file])
    return text
  }
  return obj[inline]
}

/**
 * Reads a HookConfig object (parsed YAML):
 *
 * ```yaml
 * apiVersion: krake-hooks/v1alpha1
 * kind: HookConfig
 * metadata: { name: complete-hook }
 * spec:                 # the HookSpec
 *   kind: complete
 *   app: { name: my-app, namespace: team-a }
 *   apiEndpoint: https://krake-api:8443
 *   tokenFile: token.txt          # or token: ...
 *   tls:
 *     caBundleFile: ca-bundle.pem # or caBundlePem: |
 *     certFile: cert.pem          # or certPem: |
 *     keyFile: key.pem            # or keyPem: |
 * options:              # the InjectOptions
 *   onConflict: error
 * ```
 *
 * File paths are read relative to `files.baseDir` (kustomize runs plugins in
 * the kustomization's directory) and, unless `files.restrictor` is `none`,
 * must stay inside it once symlinks are resolved; only regular files of at
 * most 1 MiB are read. A token is never generated: a pipeline that
 * made a new one on every run would change the manifests each time and
 * leave the API with no way to know it. Errors point into the config
 * (`/spec/token`, `/options/certDest`).
 */
export function readHookConfig(
  config: unknown,
  files: FileAccess = { baseDir: process.cwd(), restrictor: 'rootOnly' },
): HookConfig {
  if (!isRecord(config))
    throw new HookError('ERR_INVALID_CONFIG', 'the hook configuration must be a mapping', { path: '' })
  if (config.apiVersion !== HOOK_CONFIG_API_VERSION || config.kind !== HOOK_CONFIG_KIND) {
    throw new HookError(
      'ERR_INVALID_CONFIG',
      `expected apiVersion ${HOOK_CONFIG_API_VERSION} and kind ${HOOK_CONFIG_KIND}, found ${String(config.apiVersion)} ${String(config.kind)}`,
      {
        path: config.apiVersion !== HOOK_CONFIG_API_VERSION ? '/apiVersion' : '/kind',
      },
    )
  }
  checkKnownKeys(config, ['apiVersion', 'kind', 'metadata', 'spec', 'options', 'boundTo', 'referencesOnly'], {
    code: 'ERR_INVALID_CONFIG',
    path: '',
  })
  const raw = config.spec
  if (!isRecord(raw))
    throw new HookError('ERR_INVALID_CONFIG', 'spec must be a mapping holding the hook', { path: '/spec' })
  const { tokenFile: _tokenFile, tls: rawTls, ...rest } = raw
  const spec: Record<string, unknown> = { ...rest }
  const token = inlineOrFile(raw, 'token', 'tokenFile', '/spec', files)
  if (token === undefined) {
    throw new HookError(
      'ERR_INVALID_CONFIG',
      'spec.token or spec.tokenFile is required (make one with `krake-hooks token`); a token is never generated here',
      { path: '/spec/token' },
    )
  }
  if (typeof token === 'string' && raw.tokenFile !== undefined && raw.tokenFile !== null) {
    // a file is read as createHookToken (and Krake's token_urlsafe) writes one: 43 base64url
    // characters and a line end; anything else (a file truncated mid-write, two tokens, a PEM
    // given by mistake) is not a token, and would be accepted nowhere
    const trimmed = token.trim()
    if (!/^[A-Za-z0-9_-]{43}$/.test(trimmed))
      throw new HookError(
        'ERR_INVALID_CONFIG',
        `spec.tokenFile must hold one token as \`krake-hooks token\` writes it (43 base64url characters), not ${trimmed.length} characters${/^[A-Za-z0-9_-]*$/.test(trimmed) ? '' : ' of which some are not base64url'}`,
        { path: '/spec/tokenFile' },
      )
    spec.token = trimmed
  } else spec.token = token
  const origins: Record<string, string> = {}
  if (raw.tokenFile !== undefined && raw.tokenFile !== null) origins['/spec/token'] = '/spec/tokenFile'
  if (rawTls !== undefined && rawTls !== null) {
    const tlsConfig = checkRecord(rawTls, { code: 'ERR_INVALID_CONFIG', path: '/spec/tls', name: 'spec.tls' })
    const tls: Record<string, unknown> = {}
    for (const [inline, file] of TLS_FIELDS) {
      tls[inline] = inlineOrFile(tlsConfig, inline, file, '/spec/tls', files)
      if (tlsConfig[file] !== undefined && tlsConfig[file] !== null)
        origins[`/spec/tls/${inline}`] = `/spec/tls/${file}`
    }
    checkKnownKeys(tlsConfig, TLS_FIELDS.flat(), { code: 'ERR_INVALID_CONFIG', path: '/spec/tls', within: 'spec.tls' })
    spec.tls = tls
  }
  const options = checkRecord(config.options ?? {}, { code: 'ERR_INVALID_CONFIG', path: '/options', name: 'options' })
  // where the webhook may deliver the hook: checked here, so a malformed one names its key in the file
  if (config.boundTo !== undefined) readBound(config.boundTo, '', '/boundTo')
  const referencesOnly = readReferencesOnly(config.referencesOnly, files.baseDir)
  return {
    ...(referencesOnly === undefined ? {} : { referencesOnly }),
    spec: spec as unknown as HookSpec,
    options,
    origins,
    // cast: checked by readBound just above
    ...(config.boundTo === undefined ? {} : { boundTo: config.boundTo as HookBound }),
  }
}

/** The HookConfig's `referencesOnly`: a mapping with an optional `secretsFile`, or undefined when absent. */
function readReferencesOnly(value: unknown, baseDir: string): { secretsFile?: string } | undefined {
  if (value === undefined) return undefined
  const r = checkRecord(value ?? {}, { code: 'ERR_INVALID_CONFIG', path: '/referencesOnly', name: 'referencesOnly' })
  checkKnownKeys(r, ['secretsFile'], { code: 'ERR_INVALID_CONFIG', path: '/referencesOnly', within: 'referencesOnly' })
  if (r.secretsFile === undefined) return {}
  if (typeof r.secretsFile !== 'string' || r.secretsFile === '')
    throw new HookError('ERR_INVALID_CONFIG', 'referencesOnly.secretsFile must be a path', {
      path: '/referencesOnly/secretsFile',
    })
  return { secretsFile: resolve(baseDir, r.secretsFile) }
}

/**
 * Re-roots a HookError of injectHook's hook or options at the config's
 * `/spec` or `/options`, naming the file key when the value came from a file.
 */
export function inConfig(e: HookError, origins: Record<string, string> = {}): HookError {
  const prefix =
    e.code === 'ERR_INVALID_OPTION'
      ? '/options'
      : ['ERR_INVALID_HOOK', 'ERR_INVALID_ENDPOINT', 'ERR_INVALID_PEM', 'ERR_KEY_MISMATCH'].includes(e.code)
        ? '/spec'
        : undefined
  if (prefix === undefined) return e
  return rerootError(e, (path) => origins[prefix + path] ?? prefix + path)
}
