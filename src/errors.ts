/**
 * Every code a {@link HookError} can carry. The codes are stable: match on
 * `error.code`, never on the message.
 */
export type HookErrorCode =
  // arguments of the wrong shape (not a manifest problem)
  | 'ERR_INVALID_ARGUMENT'
  // manifests
  | 'ERR_INVALID_MANIFESTS'
  | 'ERR_INVALID_MANIFEST'
  | 'ERR_INVALID_VALUE'
  | 'ERR_CYCLE'
  | 'ERR_TOO_DEEP'
  | 'ERR_INVALID_WORKLOAD'
  | 'ERR_INVALID_ENV'
  | 'ERR_INVALID_VOLUMES'
  | 'ERR_INVALID_VOLUME_MOUNTS'
  | 'ERR_CONFLICT'
  // hook spec and options
  | 'ERR_INVALID_HOOK'
  | 'ERR_INVALID_ENDPOINT'
  | 'ERR_INVALID_OPTION'
  // certificates
  | 'ERR_INVALID_PEM'
  | 'ERR_KEY_MISMATCH'
  | 'ERR_ISSUER_NOT_CA'
  | 'ERR_ISSUER_EXPIRED'
  | 'ERR_UNSUPPORTED_ALGORITHM'
  // the HookConfig of the CLI and the KRM function; Krake's controller configuration
  | 'ERR_INVALID_CONFIG'
  // a Krake Application object
  | 'ERR_INVALID_APPLICATION'
  // the admission webhook: an object that asks for a hook the webhook does not hold, or asks wrongly
  | 'ERR_HOOK_NOT_CONFIGURED'
  | 'ERR_INVALID_ANNOTATION'
  // the admission webhook: a Pod whose namespace or service account the hook is not bound to (403)
  | 'ERR_NOT_BOUND'
  // a hook store: another call of the same token is being applied (the handler answers 503)
  | 'ERR_CALL_PENDING'
  // YAML
  | 'ERR_YAML_SYNTAX'
  | 'ERR_YAML_NOT_MAPPING'
  | 'ERR_YAML_ALIAS_LIMIT'
  | 'ERR_YAML_CYCLE'
  | 'ERR_YAML_NUMBER'

/**
 * `e` pointing at the path `rootAt` gives for its own path, or `e` itself when
 * that is undefined: a caller that passed a value on (a HookConfig's
 * `tokenFile`, a Krake configuration's `cert_dest`) names the key its own
 * user wrote. The message stays as it was: messages never carry the path.
 */
export function rerootError(e: HookError, rootAt: (path: string) => string | undefined): HookError {
  const path = e.path === undefined ? undefined : rootAt(e.path)
  return path === undefined ? e : new HookError(e.code, e.message, { path, cause: e })
}

/** `ERR_CODE at /path: message`, as the command and the admission webhook print an error. */
export function describeHookError(e: HookError, path: string | undefined = e.path): string {
  return `${e.code}${path ? ` at ${path}` : ''}: ${e.message}`
}

/** Where an error points, and what caused it. */
export interface HookErrorOptions {
  /**
   * JSON pointer (RFC 6901) to the offending field. Manifest errors point
   * into the manifest list (`/0/spec/template/spec/containers`); hook-spec
   * errors into the hook (`/app/name`); option errors into the options
   * (`/certDest`); YAML errors to the document (`/2`). The message names the
   * field in words (`spec.containers[0].name`) and never repeats the pointer.
   */
  path?: string
  /** 1-based line of a YAML error. */
  line?: number
  /** The error this one was raised for (a parse error, the error before re-rooting). */
  cause?: unknown
}

/**
 * The one error type of this library: bad input, a refused conflict, a
 * certificate that cannot be used. Anything else escaping is a bug.
 *
 * @example
 * ```ts
 * try { injectHook(manifests, hook) }
 * catch (e) { if (e instanceof HookError) console.error(e.code, e.path, e.message) }
 * ```
 */
export class HookError extends Error {
  /** Stable: match on it, never on the message. */
  readonly code: HookErrorCode
  /** JSON pointer (RFC 6901) to the offending field, when there is one. */
  readonly path?: string
  /** 1-based line of a YAML error. */
  readonly line?: number

  constructor(code: HookErrorCode, message: string, options: HookErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'HookError'
    this.code = code
    if (options.path !== undefined) this.path = options.path
    if (options.line !== undefined) this.line = options.line
  }
}
