import { loadAll } from 'js-yaml'
import { PYYAML_SCHEMA } from './pyyaml.js'
import { pyyamlText } from './pyyaml-text.js'
import { HookError } from '../errors.js'
import { describeValue } from '../lib/describe-value.js'
import { pointer } from '../lib/pointer.js'
import type { HookKind } from '../types.js'
import { isRecord } from '../lib/json.js'
import { checkInteger, checkKnownKeys, checkRecord, isOneOf, messageOf } from '../lib/check.js'
import { CERT_DIRS_BY_ERA, ENV_NAMES, HOOK_KINDS } from '../contract.js'
import { isEnvVarName } from '../lib/kubernetes.js'

/** One hook of a Krake Kubernetes controller configuration, with Krake's defaults filled in. */
export interface KrakeHookConfig {
  /** CN of the hook's client certificates (`hook_user`). */
  hookUser: string
  /** The hook's intermediate CA certificate file (`intermediate_src`). */
  intermediateSrc: string
  /** Its key file (`intermediate_key_src`). */
  intermediateKeySrc: string
  /** Where the certificate files are mounted (`cert_dest`). */
  certDest: string
  /** Name of the token variable (`env_token`). */
  envToken: string
  /** Name of the URL variable (`env_complete` or `env_url`). */
  envUrl: string
  /** An endpoint the applications can reach (`external_endpoint`). */
  externalEndpoint?: string
}

/** What the controller does when an application does not shut down in time. */
export type ShutdownFailureStrategy = 'delete' | 'give_up'

/** The shutdown hook: a hook, and how long the controller waits for it and what it does then. */
export interface KrakeShutdownHookConfig extends KrakeHookConfig {
  /**
   * Seconds the controller waits for the application after each call (`timeout`).
   * @defaultValue 30
   */
  timeout: number
  /**
   * After the last attempt: `delete` the application by force or `give_up` and leave it DEGRADED (`failure_strategy`).
   * @defaultValue `delete`
   */
  failureStrategy: ShutdownFailureStrategy
  /**
   * Calls after the first one (`failure_retry_count`).
   * @defaultValue 0
   */
  failureRetryCount: number
}

/**
 * Which Krake wrote the configuration: `'2020'` (the seed's: `env_complete`,
 * `KRAKE_TOKEN`, `/etc/krake_cert`) or `'current'` (Krake since 2021:
 * `env_url`, `KRAKE_COMPLETE_TOKEN`, `/etc/krake_complete_certs/`, Secrets,
 * the observer schema, the shutdown hook).
 */
export type KrakeLayout = '2020' | 'current'

/** The `hooks:` section of a Krake Kubernetes controller configuration. */
export interface KrakeHooksConfig {
  /** The layout it was read in, detected or forced. */
  layout: KrakeLayout
  /** The complete hook's settings (`hooks.complete`), when the file has them. */
  complete?: KrakeHookConfig
  /** The shutdown hook's settings (`hooks.shutdown`), when the file has them. */
  shutdown?: KrakeShutdownHookConfig
}

/** How `parseKrakeHooksConfig` reads. */
export interface ParseKrakeHooksOptions {
  /**
   * Read the configuration as this Krake would.
   * @defaultValue detected (see `parseKrakeHooksConfig`)
   */
  layout?: KrakeLayout | undefined
}

type HookDefaults = Omit<KrakeHookConfig, 'externalEndpoint' | 'intermediateSrc' | 'intermediateKeySrc'> & {
  intermediateSrc?: string
  intermediateKeySrc?: string
}

const SHUTDOWN_DEFAULTS = { timeout: 30, failureStrategy: 'delete' as ShutdownFailureStrategy, failureRetryCount: 0 }

// The 2020 Krake had only the complete hook; our shutdown defaults there keep the two hooks apart.
const DEFAULTS: Record<KrakeLayout, Record<HookKind, HookDefaults>> = {
  // Krake's data/config.py of 2020 (4749d43): the intermediates are required there too, and
  // cert_dest is /etc/krake_certs/ (its docs say /etc/krake_cert; the code wins)
  '2020': {
    complete: {
      hookUser: 'system:complete-hook',
      certDest: CERT_DIRS_BY_ERA.krake2020.complete,
      envToken: ENV_NAMES.seed.complete.token,
      envUrl: ENV_NAMES.seed.complete.url,
    },
    // 2020's Krake has no shutdown hook: ours, for a fork that adds one
    shutdown: {
      hookUser: 'system:shutdown-hook',
      certDest: CERT_DIRS_BY_ERA.seed.shutdown,
      envToken: ENV_NAMES.seed.shutdown.token,
      envUrl: ENV_NAMES.seed.shutdown.url,
    },
  },
  // Krake's current data/config.py: the intermediates have no default there, they are required.
  current: {
    complete: {
      hookUser: 'system:complete-hook',
      certDest: CERT_DIRS_BY_ERA.current.complete,
      envToken: ENV_NAMES.current.complete.token,
      envUrl: ENV_NAMES.current.complete.url,
    },
    shutdown: {
      hookUser: 'system:shutdown-hook',
      certDest: CERT_DIRS_BY_ERA.current.shutdown,
      envToken: ENV_NAMES.current.shutdown.token,
      envUrl: ENV_NAMES.current.shutdown.url,
    },
  },
}

/** Krake's string keys and our fields (a Map: `constructor` or `__proto__` is no key of it). */
const STRING_KEYS = new Map<
  string,
  'hookUser' | 'intermediateSrc' | 'intermediateKeySrc' | 'certDest' | 'envToken' | 'envUrl' | 'externalEndpoint'
>([
  ['hook_user', 'hookUser'],
  ['intermediate_src', 'intermediateSrc'],
  ['intermediate_key_src', 'intermediateKeySrc'],
  ['cert_dest', 'certDest'],
  ['env_token', 'envToken'],
  ['env_url', 'envUrl'],
  ['external_endpoint', 'externalEndpoint'],
])
const SHUTDOWN_KEYS = ['timeout', 'failure_strategy', 'failure_retry_count'] as const

const fail = (message: string, path: string): never => {
  throw new HookError('ERR_INVALID_CONFIG', message, { path })
}

/** An integer of at least `min`, as Krake's config model checks it (a YAML int, never a string or a bool). */
const integer = (value: unknown, min: number, name: string, path: string) =>
  checkInteger(value, min, { code: 'ERR_INVALID_CONFIG', path, name })

function parseHook(
  kind: HookKind,
  raw: unknown,
  base: string[],
  layout: KrakeLayout,
): KrakeHookConfig | KrakeShutdownHookConfig {
  const at = (...keys: string[]) => pointer(...base, ...keys)
  if (raw !== null && raw !== undefined && !isRecord(raw)) fail(`hooks.${kind} must be a mapping`, at())
  const hook = (raw ?? {}) as Record<string, unknown>
  const out = {
    ...DEFAULTS[layout][kind],
    ...(kind === 'shutdown' ? SHUTDOWN_DEFAULTS : {}),
  } as KrakeShutdownHookConfig
  if (hook.env_complete !== undefined && hook.env_url !== undefined)
    fail(`hooks.${kind}: set env_complete or env_url, not both`, at('env_url'))
  const allowed = [...STRING_KEYS.keys(), ...(kind === 'complete' ? ['env_complete'] : SHUTDOWN_KEYS)]
  checkKnownKeys(hook, allowed, { code: 'ERR_INVALID_CONFIG', path: at(), noun: 'key', context: `hooks.${kind}` })
  for (const [key, value] of Object.entries(hook)) {
    if (kind === 'shutdown' && isOneOf(key, SHUTDOWN_KEYS)) {
      if (key === 'timeout') out.timeout = integer(value, 1, `hooks.shutdown.timeout (seconds)`, at(key))
      else if (key === 'failure_retry_count')
        out.failureRetryCount = integer(value, 0, 'hooks.shutdown.failure_retry_count', at(key))
      else if (value === 'delete' || value === 'give_up') out.failureStrategy = value
      else fail(`hooks.shutdown.failure_strategy must be "delete" or "give_up", not ${describeValue(value)}`, at(key))
      continue
    }
    // env_complete is the 2020 name of the complete hook's env_url
    const field = key === 'env_complete' && kind === 'complete' ? 'envUrl' : STRING_KEYS.get(key)
    if (field === undefined) continue // every key is known by now
    if (value === null && key === 'external_endpoint') continue
    if (typeof value !== 'string' || value === '')
      return fail(`hooks.${kind}.${key} must be a non-empty string, not ${describeValue(value)}`, at(key))
    if ((field === 'envToken' || field === 'envUrl') && !isEnvVarName(value))
      return fail(
        `hooks.${kind}.${key} must be an environment variable name the API server accepts ([-._a-zA-Z][-._a-zA-Z0-9]*), not ${describeValue(value)}`,
        at(key),
      )
    out[field] = value
  }
  for (const [key, field] of [
    ['intermediate_src', 'intermediateSrc'],
    ['intermediate_key_src', 'intermediateKeySrc'],
  ] as const) {
    if (out[field] === undefined) fail(`hooks.${kind}.${key} is required (Krake has no default for it)`, at(key))
  }
  if (out.externalEndpoint !== undefined) {
    let url: URL | undefined
    try {
      url = new URL(out.externalEndpoint)
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      fail(
        `hooks.${kind}.external_endpoint must be an absolute http(s) URL, not ${describeValue(out.externalEndpoint)}`,
        at('external_endpoint'),
      )
    }
  }
  if (!out.certDest.startsWith('/'))
    fail(`hooks.${kind}.cert_dest must be an absolute path, not ${describeValue(out.certDest)}`, at('cert_dest'))
  return out
}

/**
 * The layout a Krake of that era would have written: current when a hook has
 * `env_url`, there is a shutdown section or a shutdown-only key; 2020's
 * otherwise (`env_complete`, or nothing that tells): today's Krake requires a
 * shutdown section, so a file without one is one only 2020's Krake reads.
 */
function detectLayout(section: Record<string, unknown>): KrakeLayout {
  const hooks = Object.values(section).filter(isRecord)
  if ('shutdown' in section || hooks.some((h) => 'env_url' in h || SHUTDOWN_KEYS.some((k) => k in h))) return 'current'
  return '2020'
}

/**
 * Reads the hooks of a Krake Kubernetes controller configuration: the whole
 * file or its `hooks:` section, as YAML text or parsed, as the Krake that
 * wrote it reads it. Every key of both eras is read, and the defaults of the
 * layout fill what is not set: current (`KRAKE_COMPLETE_TOKEN`,
 * `/etc/krake_complete_certs/`, the shutdown hook's `timeout` 30,
 * `failure_strategy` delete, `failure_retry_count` 0; the intermediates
 * required) or 2020's (`KRAKE_TOKEN`, `/etc/krake_cert`). The layout is
 * detected (`env_url`, a shutdown section or a shutdown-only key: current;
 * otherwise 2020's, as today's Krake refuses a file without a shutdown
 * section) unless `options.layout` forces
 * one, and the result says which. An unknown key, a wrong type or a bad
 * value is a HookError (`ERR_INVALID_CONFIG`) whose path names the key
 * (`/hooks/complete/env_tokn`).
 *
 * @example
 * ```ts
 * const hooks = parseKrakeHooksConfig(readFileSync('kubernetes.yaml', 'utf8'))
 * hooks.layout // 'current'
 * hooks.complete?.envToken // 'KRAKE_COMPLETE_TOKEN'
 * hooks.shutdown?.failureStrategy // 'delete'
 * ```
 */
export function parseKrakeHooksConfig(input: unknown, options: ParseKrakeHooksOptions = {}): KrakeHooksConfig {
  const forced = options?.layout
  if (forced !== undefined && forced !== '2020' && forced !== 'current') {
    throw new HookError(
      'ERR_INVALID_ARGUMENT',
      `options.layout must be "2020" or "current", not ${describeValue(forced)}`,
      {
        path: '/layout',
      },
    )
  }
  let doc = input
  if (typeof input === 'string') {
    let docs: unknown[]
    try {
      // as Krake's PyYAML reads it: its line breaks and TABs (pyyaml-text.ts), its scalars
      // (pyyaml.ts), a repeated key taking its last value (json: true); load() refuses an empty
      // text, and an empty file configures no hook
      docs = loadAll(pyyamlText(input), { schema: PYYAML_SCHEMA, json: true })
    } catch (cause) {
      throw new HookError(
        'ERR_YAML_SYNTAX',
        `the Krake configuration is not valid YAML: ${messageOf(cause).split('\n')[0] ?? ''}`,
        { path: '', cause },
      )
    }
    if (docs.length > 1) fail('the Krake configuration must be one YAML document', '')
    doc = docs[0]
  }
  if (doc === null || doc === undefined) return fail('hooks is required: Krake has no default for it', '/hooks')
  if (!isRecord(doc)) return fail('the Krake configuration must be a mapping', '')
  const whole = 'hooks' in doc || !Object.keys(doc).every((k) => k === 'complete' || k === 'shutdown')
  const base = whole ? ['hooks'] : []
  if ((whole ? doc.hooks : doc) == null) return fail('hooks is required: Krake has no default for it', '/hooks')
  const section = checkRecord(whole ? doc.hooks : doc, {
    code: 'ERR_INVALID_CONFIG',
    path: pointer(...base),
    name: 'hooks',
  })
  const layout = forced ?? detectLayout(section)
  const out: KrakeHooksConfig = { layout }
  for (const key of Object.keys(section)) {
    if (key === 'complete') out.complete = parseHook('complete', section[key], [...base, key], layout)
    else if (key === 'shutdown')
      out.shutdown = parseHook('shutdown', section[key], [...base, key], layout) as KrakeShutdownHookConfig
    else fail(`hooks: unknown hook "${key}" (Krake knows complete and shutdown)`, pointer(...base, key))
  }
  // Krake's HooksConfiguration has no default for its hooks: complete in 2020; complete and shutdown now
  for (const kind of layout === 'current' ? HOOK_KINDS : (['complete'] as const)) {
    if (out[kind] === undefined)
      fail(
        `hooks.${kind} is required: ${layout === 'current' ? 'current' : "2020's"} Krake has no default for it`,
        pointer(...base, kind),
      )
  }
  return out
}
