import { loadAll } from 'js-yaml'
import { HookError } from '../errors.js'
import { show } from '../lib/show.js'
import { pointer } from '../lib/pointer.js'
import type { HookKind } from '../inject/types.js'
import { isRecord } from '../lib/json.js'

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

/** The `hooks:` section of a Krake Kubernetes controller configuration. */
export interface KrakeHooksConfig {
  complete?: KrakeHookConfig
  shutdown?: KrakeHookConfig
}

const DEFAULTS: Record<HookKind, Omit<KrakeHookConfig, 'externalEndpoint'>> = {
  complete: {
    hookUser: 'system:complete-hook',
    intermediateSrc: 'tmp/pki/system:complete-signing.pem',
    intermediateKeySrc: 'tmp/pki/system:complete-signing-key.pem',
    certDest: '/etc/krake_cert',
    envToken: 'KRAKE_TOKEN',
    envUrl: 'KRAKE_COMPLETE_URL',
  },
  shutdown: {
    hookUser: 'system:shutdown-hook',
    intermediateSrc: 'tmp/pki/system:shutdown-signing.pem',
    intermediateKeySrc: 'tmp/pki/system:shutdown-signing-key.pem',
    // not /etc/krake_cert: both hooks mount into the same containers
    certDest: '/etc/krake_shutdown_cert',
    envToken: 'KRAKE_SHUTDOWN_TOKEN',
    envUrl: 'KRAKE_SHUTDOWN_URL',
  },
}

const STRING_KEYS: Record<string, keyof KrakeHookConfig> = {
  hook_user: 'hookUser',
  intermediate_src: 'intermediateSrc',
  intermediate_key_src: 'intermediateKeySrc',
  cert_dest: 'certDest',
  env_token: 'envToken',
  env_url: 'envUrl',
  external_endpoint: 'externalEndpoint',
}

const fail = (message: string, path: string): never => {
  throw new HookError('ERR_INVALID_CONFIG', message, { path })
}

function parseHook(kind: HookKind, raw: unknown, base: string[]): KrakeHookConfig {
  const at = (...keys: string[]) => pointer(...base, ...keys)
  if (raw === null || raw === undefined) return { ...DEFAULTS[kind] }
  if (!isRecord(raw)) fail(`hooks.${kind} must be a mapping`, at())
  const out: KrakeHookConfig = { ...DEFAULTS[kind] }
  const hook = raw as Record<string, unknown>
  if (hook.env_complete !== undefined && hook.env_url !== undefined) fail(`hooks.${kind}: set env_complete or env_url, not both`, at('env_url'))
  for (const [key, value] of Object.entries(hook)) {
    // env_complete is the 2020 name of the complete hook's env_url
    const field = key === 'env_complete' && kind === 'complete' ? 'envUrl' : STRING_KEYS[key]
    if (field === undefined) {
      const allowed = [...Object.keys(STRING_KEYS), ...(kind === 'complete' ? ['env_complete'] : [])]
      fail(`hooks.${kind}: unknown key "${key}" (allowed: ${allowed.join(', ')})`, at(key))
    }
    if (value === null && key === 'external_endpoint') continue
    if (typeof value !== 'string' || value === '') fail(`hooks.${kind}.${key} must be a non-empty string, not ${show(value)}`, at(key))
    out[field!] = value as string
  }
  if (out.externalEndpoint !== undefined) {
    let url: URL | undefined
    try {
      url = new URL(out.externalEndpoint)
    } catch {
      url = undefined
    }
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') {
      fail(`hooks.${kind}.external_endpoint must be an absolute http(s) URL, not ${show(out.externalEndpoint)}`, at('external_endpoint'))
    }
  }
  if (!out.certDest.startsWith('/')) fail(`hooks.${kind}.cert_dest must be an absolute path, not ${show(out.certDest)}`, at('cert_dest'))
  return out
}

/**
 * Reads the hooks of a Krake Kubernetes controller configuration: the whole
 * file or its `hooks:` section, as YAML text or parsed. Krake's defaults fill
 * what is not set (`hook_user`, `env_token`, `env_complete`/`env_url`, ...).
 * An unknown key, a wrong type or a bad `external_endpoint` is a HookError
 * (`ERR_INVALID_CONFIG`) whose path names the key (`/hooks/complete/env_tokn`).
 *
 * @example
 * ```ts
 * const hooks = parseKrakeHooksConfig(readFileSync('kubernetes.yaml', 'utf8'))
 * hooks.complete?.envToken // 'KRAKE_TOKEN'
 * ```
 */
export function parseKrakeHooksConfig(input: unknown): KrakeHooksConfig {
  let doc = input
  if (typeof input === 'string') {
    let docs: unknown[]
    try {
      docs = loadAll(input) // load() refuses an empty text; an empty file configures no hook
    } catch (cause) {
      throw new HookError('ERR_YAML_SYNTAX', `the Krake configuration is not valid YAML: ${(cause as Error).message.split('\n')[0]}`, { path: '', cause })
    }
    if (docs.length > 1) fail('the Krake configuration must be one YAML document', '')
    doc = docs[0]
  }
  if (doc === null || doc === undefined) return {}
  if (!isRecord(doc)) return fail('the Krake configuration must be a mapping', '')
  const whole = 'hooks' in doc || !Object.keys(doc).every((k) => k === 'complete' || k === 'shutdown')
  const section = whole ? doc.hooks : doc
  const base = whole ? ['hooks'] : []
  if (section === undefined || section === null) return {}
  if (!isRecord(section)) return fail('hooks must be a mapping', pointer(...base))
  const out: KrakeHooksConfig = {}
  for (const key of Object.keys(section)) {
    if (key !== 'complete' && key !== 'shutdown') fail(`hooks: unknown hook "${key}" (Krake knows complete and shutdown)`, pointer(...base, key))
    out[key as HookKind] = parseHook(key as HookKind, section[key], [...base, key])
  }
  return out
}
