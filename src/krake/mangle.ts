import { createPrivateKey, X509Certificate } from 'node:crypto'
import { buildCaBundle } from '../cert/bundle.js'
import { createCertificateIssuer, type IssuedCertificate } from '../cert/issuer.js'
import type { KeyAlgorithm } from '../cert/keys.js'
import type { CryptoProvider } from '../cert/provider.js'
import { HookError, rerootError } from '../errors.js'
import {
  runInjection,
  generatedName,
  certMount,
  certVolume,
  hookEnv,
  isOwnObject,
  makePlan,
  TOKEN,
  type Plan,
  type PlanOverrides,
} from '../inject/index.js'
import type { AppRef, HookKind, HookResult, HookSpec, HookTls, InjectOptions } from '../types.js'
import { cloneJson, type Json, type JsonObject } from '../lib/clone.js'
import { isObject } from '../lib/json.js'
import { describeValue } from '../lib/describe-value.js'
import { createHookToken } from '../token/create.js'
import type { KrakeHookConfig, KrakeHooksConfig, KrakeLayout } from './config.js'
import { initialObserverSchema, observeHook } from './observer-schema.js'
import { checkNonEmptyString, isOneOf } from '../lib/check.js'
import { HOOK_KINDS } from '../contract.js'

/** A Krake Application, as its API stores it (only the fields the hooks read). */
export interface KrakeApplication {
  /** The Application's identity in Krake. */
  metadata: {
    /** The application's name. */
    name: string
    /** Its Krake namespace. */
    namespace: string
    /** Every other metadata field, kept. */
    [key: string]: unknown
  }
  /** What the user asked for. */
  spec: {
    /** The Kubernetes manifests to hook. */
    manifest: readonly object[]
    /** The hooks the application asks for: `complete`, `shutdown`. */
    hooks?: readonly string[]
    /** Every other spec field (`observer_schema`, `shutdown_grace_time`, ...). */
    [key: string]: unknown
  }
  /** What Krake stored so far: tokens, certificates, state. */
  status?: Record<string, unknown> | null
}

/** A hook's intermediate CA, read from `intermediate_src` and `intermediate_key_src`. */
export interface KrakeIntermediate {
  /** The intermediate's certificate, PEM. */
  certPem: string
  /** Its key, PEM (PKCS#8, PKCS#1 or SEC1). */
  keyPem: string
}

/** The controller's TLS material, read from disk (see `readKrakeTlsFiles`). */
export interface KrakeTls {
  /** The Krake CA certificate(s) (`tls.client_ca`). */
  caPems: readonly string[]
  /** Each hook's intermediate (`intermediate_src`, `intermediate_key_src`), for the hooks that run. */
  complete?: KrakeIntermediate | undefined
  /** The shutdown hook's intermediate. */
  shutdown?: KrakeIntermediate | undefined
}

/** What the controller knows besides its configuration, already read from disk. */
export interface KrakeHooksContext {
  /** The Krake API endpoint of the controller (`api_endpoint`). */
  apiEndpoint: string
  /** Absent: the Krake API does not speak TLS. */
  tls?: KrakeTls | undefined
  /** Passed to injectHook for every hook (variable names and mount path come from the configuration). */
  options?: Omit<InjectOptions, 'env' | 'certDest'> | undefined
  /**
   * Leaf key algorithm for new certificates.
   * @defaultValue `'RSA-2048'`, as Krake
   */
  keyAlgorithm?: KeyAlgorithm | undefined
  /**
   * Issuing and validity time.
   * @defaultValue now
   */
  now?: Date | undefined
  /**
   * Days before a stored certificate's end at which it is issued anew.
   * @defaultValue a third of the lifetime it was issued with, as cert-manager
   */
  renewBefore?: number | undefined
  /**
   * The WebCrypto provider for new certificates.
   * @defaultValue Node's own
   */
  crypto?: CryptoProvider | undefined
}

/** The status fields of one hook: token, and with TLS the certificate and key. */
const STATUS_KEYS: Record<HookKind, { token: string; cert: string; key: string }> = {
  complete: { token: 'complete_token', cert: 'complete_cert', key: 'complete_key' },
  shutdown: { token: 'shutdown_token', cert: 'shutdown_cert', key: 'shutdown_key' },
}

/** What `mangleApplication` gives the controller to apply and to store. */
export interface MangleResult {
  /** The application's manifests, hooked, then the Secrets (or ConfigMaps) the hooks add. */
  manifests: object[]
  /**
   * The application's status with each hook's token (and certificate and key)
   * set: store it, and pass it back next time. In the current layout also
   * `last_applied_manifest` (the manifests) and `mangled_observer_schema`
   * (the schema Krake's controller makes, with what the hooks added observed).
   */
  status: Record<string, unknown>
  /** What is worth telling: re-issued certificates, forced schemes, replaced entries. */
  results: HookResult[]
}

const bad = (message: string, path: string): never => {
  throw new HookError('ERR_INVALID_APPLICATION', message, { path })
}

interface CheckedApplication {
  name: string
  namespace: string
  manifest: readonly unknown[]
  /** The names `spec.hooks` lists, each a string, in its order. */
  listed: string[]
  status: JsonObject
  observerSchema: Json[]
}

function checkApplication(app: unknown): CheckedApplication {
  if (!isObject(app)) return bad('the application must be an object', '')
  const meta = app.metadata
  if (!isObject(meta)) return bad('metadata must be an object', '/metadata')
  const where = (path: string, name: string) => ({ code: 'ERR_INVALID_APPLICATION' as const, path, name })
  const name = checkNonEmptyString(meta.name, where('/metadata/name', 'metadata.name'))
  const namespace = checkNonEmptyString(meta.namespace, where('/metadata/namespace', 'metadata.namespace'))
  const spec = app.spec
  if (!isObject(spec)) return bad('spec must be an object', '/spec')
  const manifest = spec.manifest
  if (!Array.isArray(manifest)) return bad('spec.manifest must be a list of Kubernetes objects', '/spec/manifest')
  const listed = spec.hooks ?? []
  if (!Array.isArray(listed)) return bad('spec.hooks must be a list of hook names', '/spec/hooks')
  // Krake's Application takes spec.hooks as a list of strings (List[str]), any string
  const names = listed.map((h, i) =>
    typeof h === 'string'
      ? h
      : bad(`spec.hooks[${i}] is ${describeValue(h)}: a hook name is a string`, `/spec/hooks/${i}`),
  )
  const status = app.status ?? {}
  if (!isObject(status)) return bad('status must be an object', '/status')
  const observerSchema = spec.observer_schema ?? []
  if (!Array.isArray(observerSchema) || !observerSchema.every(isObject))
    return bad('spec.observer_schema must be a list of observer schemas', '/spec/observer_schema')
  return {
    name,
    namespace,
    manifest,
    listed: names,
    status,
    observerSchema,
  }
}

/** Why a stored certificate is issued anew, or the certificate and key to keep. */
type Stored = { keep: IssuedCertificate } | { reissue: string; severity: 'info' | 'warning' } | undefined

const DAY = 24 * 3600 * 1000

/**
 * The stored certificate and key while they still serve, or why not: issued
 * by the hook's intermediate, valid at `now`, its CN the configured
 * `hook_user`, the key its own, and more than the renewal window left. The
 * window is `renewBefore` days, or a third of the lifetime the certificate
 * was actually issued with (notAfter - notBefore) when `renewBefore` is
 * unset or not shorter than that lifetime: a certificate clamped to the
 * intermediate's end is short, and a fixed window longer than it would
 * re-issue it on every run (cert-manager's trap).
 */
function stored(
  certPem: unknown,
  keyPem: unknown,
  intermediatePem: string,
  hookUser: string,
  now: Date,
  renewBefore: number | undefined,
): Stored {
  if (certPem === undefined && keyPem === undefined) return undefined
  if (typeof certPem !== 'string' || typeof keyPem !== 'string')
    return { reissue: 'not a certificate and key', severity: 'info' }
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(certPem)
  } catch {
    return { reissue: 'not a PEM certificate', severity: 'info' }
  }
  try {
    const issuer = new X509Certificate(intermediatePem)
    if (!leaf.checkIssued(issuer) || !leaf.verify(issuer.publicKey))
      return { reissue: 'another issuer', severity: 'info' }
  } catch {
    return { reissue: 'another issuer', severity: 'info' }
  }
  const t = now.getTime()
  const from = Date.parse(leaf.validFrom)
  const to = Date.parse(leaf.validTo)
  if (t < from || t > to) return { reissue: 'expired', severity: 'info' }
  const cn = /^CN=(.*)$/m.exec(leaf.subject)?.[1]
  if (cn !== hookUser) return { reissue: 'its CN is not the configured hook_user', severity: 'info' }
  let own: boolean
  try {
    own = leaf.checkPrivateKey(createPrivateKey(keyPem))
  } catch {
    own = false
  }
  if (!own) return { reissue: "the stored key is not the certificate's", severity: 'warning' }
  const lifetime = to - from
  const window = renewBefore !== undefined && renewBefore * DAY < lifetime ? renewBefore * DAY : lifetime / 3
  if (to - t < window) return { reissue: 'due for renewal', severity: 'info' }
  return { keep: { certPem, keyPem } }
}

/** Where a hook's or option's field comes from in Krake's configuration (or the controller's context). */
const CONFIG_KEYS = new Map([
  ['/certDest', 'cert_dest'],
  ['/env/token', 'env_token'],
  ['/env/url', 'env_url'],
  ['/externalEndpoint', 'external_endpoint'],
])

/**
 * Runs `make`, re-rooting its HookError at the configuration key the caller
 * wrote (`/hooks/complete/cert_dest`, not `/certDest`); the controller's own
 * `api_endpoint` is `/apiEndpoint` of the context.
 */
function inConfigKeys<T>(kind: HookKind, make: () => T): T {
  try {
    return make()
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    throw rerootError(e, (path) => {
      const key = CONFIG_KEYS.get(path)
      return key === undefined ? undefined : `/hooks/${kind}/${key}`
    })
  }
}

/** The names current Krake gives what a hook adds, and the keys of its token Secret: the variables' names in lower case. */
function krakeNaming(app: string, kind: HookKind, envToken: string, envUrl: string): PlanOverrides {
  const keys = { token: envToken.toLowerCase(), url: envUrl.toLowerCase() }
  if (keys.token === keys.url) {
    throw new HookError(
      'ERR_INVALID_CONFIG',
      `hooks.${kind}: env_token and env_url are one Secret key in lower case ("${keys.token}")`,
      { path: `/hooks/${kind}/env_url` },
    )
  }
  return {
    names: {
      tokenSecret: generatedName(app, `-krake-${kind}-secret-token`, 253, true),
      certSecret: generatedName(app, `-krake-${kind}-secret-certs`, 253, true),
      volume: generatedName(app, `-krake-${kind}-volume`, 63, false),
    },
    secretKeys: keys,
  }
}

/**
 * Krake's hook flow on a Krake Application: for each hook listed in
 * `spec.hooks`, the token is created once and then read back from `status`
 * (`complete_token`, or the older `token`; `shutdown_token`), and with TLS so
 * are the certificate and key (`complete_cert`, `complete_key`, ...), issued
 * by the hook's intermediate with the configuration's `hook_user`. The
 * endpoint is `external_endpoint` or the controller's, its scheme following
 * TLS as in Krake. Returns the hooked manifests and the new status; `app` is
 * never changed. Running it again with the returned status gives the same
 * manifests, token and certificate.
 *
 * @example
 * ```ts
 * const { manifests, status } = await mangleApplication(app, parseKrakeHooksConfig(configText), {
 *   apiEndpoint: 'https://krake-api:8443',
 *   tls: { caPems: [krakeCaPem], complete: { certPem: intermediatePem, keyPem: intermediateKeyPem } },
 * })
 * ```
 */
export async function mangleApplication(
  app: KrakeApplication,
  config: KrakeHooksConfig,
  context: KrakeHooksContext,
): Promise<MangleResult> {
  const { name, namespace, manifest, listed, status: oldStatus, observerSchema } = checkApplication(app)
  checkArguments(config, context)
  const { hooks, ignored } = hooksToRun(listed, config)
  const now = context.now ?? new Date()
  const status = cloneJson(oldStatus, ['status']) as JsonObject
  const results: HookResult[] = []
  if (ignored.length > 0)
    results.push({
      severity: 'warning',
      message: `spec.hooks lists ${ignored.map((h) => describeValue(h)).join(', ')}: 2020's Krake runs the complete hook only and ignores the rest, as here`,
      field: '/spec/hooks',
    })
  const summaries: string[] = []
  // One checked copy of spec.manifest, made where the first hook needs it and hooked in place by each
  let copy: Json[] | undefined
  const used = new Map<string, string>() // env name or mount path -> the setting that claimed it
  // Krake's current layout keeps token and URL in Secrets and observes all that its hooks add.
  const current = config.layout === 'current'
  let schema: Json[] | undefined

  for (const kind of hooks) {
    const hook = hookConfigOf(config, kind)
    claimSettings(used, kind, hook, context.tls !== undefined)
    const token = storedToken(status, kind, config.layout)
    const tls = await hookTls(status, { kind, app: { name, namespace } }, hook, context, now, results)
    const plan = planOf({ kind, app: { name, namespace }, token, tls }, hook, context, current)
    if (copy === undefined) {
      copy = cloneJson(manifest) as Json[]
      // Krake's schema is made from spec.manifest before any hook changes it (it shares nothing with the copy)
      if (current) schema = initialObserverSchema(observerSchema, copy as JsonObject[])
    }
    const before = copy.length
    const run = runInjection(copy, plan, (i) => [i])
    results.push(...run.results)
    summaries.push(run.summary.message)
    if (schema !== undefined) {
      const entries = { volume: tls && certVolume(plan), mount: tls && certMount(plan), env: hookEnv(plan) }
      // an object of the hook's that stands in the input's place (it replaced the user's) is observed as applied
      const own = new Set(copy.slice(0, before).filter((o) => isObject(o) && isOwnObject(o, plan)))
      observeHook(schema, copy, copy.slice(before) as JsonObject[], entries, plan.initContainers, (r) => own.has(r))
    }
  }
  // No hook: still a fresh copy, never the caller's objects.
  const manifests = (copy ?? cloneJson(manifest, ['spec', 'manifest'])) as object[]
  if (current) {
    status.last_applied_manifest = cloneJson(manifests)
    status.mangled_observer_schema = schema ?? initialObserverSchema(observerSchema, manifests as JsonObject[])
  }
  // one summary ends the list, as for injectHook: each hook's, in the order they ran
  results.push({
    severity: 'info',
    message: summaries.length === 0 ? 'no hook: the manifests are copied unchanged' : summaries.join('; '),
  })
  return { manifests, status, results }
}

/**
 * The hooks that run, complete before shutdown whatever order `spec.hooks`
 * lists them in, as Krake does (issue 17). Today's Krake knows complete and
 * shutdown, and a name it does not know is refused here. 2020's Krake asks
 * only whether `complete` is listed (its `rok --hook` takes any string): a
 * 2020 configuration runs complete and ignores the rest, with a warning; a
 * `shutdown` section (a fork that added one) runs that hook too.
 */
function hooksToRun(listed: readonly string[], config: KrakeHooksConfig): { hooks: HookKind[]; ignored: string[] } {
  const old = typeof config === 'object' && config !== null && config.layout === '2020'
  const ignored: string[] = []
  listed.forEach((h, i) => {
    if (isOneOf(h, HOOK_KINDS) && (!old || h === 'complete' || config.shutdown !== undefined)) return
    if (!old) bad(`spec.hooks[${i}] is ${describeValue(h)}: Krake knows complete and shutdown`, `/spec/hooks/${i}`)
    ignored.push(h)
  })
  return { hooks: HOOK_KINDS.filter((kind) => listed.includes(kind) && !ignored.includes(kind)), ignored }
}

function checkArguments(config: KrakeHooksConfig, context: KrakeHooksContext): void {
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new HookError('ERR_INVALID_CONFIG', 'config must be the result of parseKrakeHooksConfig', { path: '' })
  if (typeof context !== 'object' || context === null || typeof context.apiEndpoint !== 'string') {
    throw new HookError('ERR_INVALID_ARGUMENT', 'context must be { apiEndpoint, tls?, ... }', { path: '/apiEndpoint' })
  }
  const renew = context.renewBefore
  if (renew !== undefined && (typeof renew !== 'number' || !Number.isFinite(renew) || renew < 0))
    throw new HookError(
      'ERR_INVALID_ARGUMENT',
      `renewBefore must be a number of days of at least 0, not ${describeValue(renew)}`,
      {
        path: '/renewBefore',
      },
    )
}

/** The controller configuration of the hook the application asks for. */
function hookConfigOf(config: KrakeHooksConfig, kind: HookKind): KrakeHookConfig {
  const hook = config[kind]
  if (hook === undefined) {
    throw new HookError(
      'ERR_INVALID_CONFIG',
      `the application asks for the ${kind} hook, which the controller configuration does not define`,
      { path: `/hooks/${kind}` },
    )
  }
  return hook
}

/**
 * Two hooks in one container must not write the same variable or mount path.
 * Both env settings name variables of one environment, so they share one key space.
 */
function claimSettings(used: Map<string, string>, kind: HookKind, hook: KrakeHookConfig, tls: boolean): void {
  for (const [setting, space, value] of [
    ['env_token', 'env', hook.envToken],
    ['env_url', 'env', hook.envUrl],
    ...(tls ? [['cert_dest', 'mount', hook.certDest]] : []),
  ] as const) {
    const other = used.get(`${space}=${value}`)
    if (other !== undefined)
      throw new HookError(
        'ERR_INVALID_CONFIG',
        `hooks.${kind}.${setting} is "${value}", as hooks.${other} already uses`,
        {
          path: `/hooks/${kind}/${setting}`,
        },
      )
    used.set(`${space}=${value}`, `${kind}.${setting}`)
  }
}

/** The hook's token: read back from `status` when Krake made one, else made now; written to `status`. */
function storedToken(status: JsonObject, kind: HookKind, layout: KrakeLayout): string {
  // 2020's ApplicationStatus keeps the complete token as `token` and drops any other key it does
  // not know; the current one keeps `complete_token`. Both are read, the era's own is written.
  const key = kind === 'complete' && layout === '2020' ? 'token' : STATUS_KEYS[kind].token
  const other = kind === 'complete' ? (key === 'token' ? 'complete_token' : 'token') : undefined
  const from = status[key] !== undefined && status[key] !== null ? key : other
  const value = from === undefined ? undefined : status[from]
  if (value === undefined || value === null || value === '') {
    const token = createHookToken()
    status[key] = token
    return token
  }
  if (typeof value !== 'string' || !TOKEN.test(value))
    throw new HookError(
      'ERR_INVALID_APPLICATION',
      `status.${from} must be a hook token (1 to 4096 visible ASCII characters other than " and \\): the stored value is not one`,
      { path: `/status/${from}` },
    )
  status[key] = value
  return value
}

/**
 * With TLS, the hook's certificate and key: the stored ones while they still
 * serve, else issued now by the hook's intermediate; written to `status`.
 */
async function hookTls(
  status: JsonObject,
  { kind, app }: { kind: HookKind; app: AppRef },
  hook: KrakeHookConfig,
  context: KrakeHooksContext,
  now: Date,
  results: HookResult[],
): Promise<HookTls | undefined> {
  if (context.tls === undefined) return undefined
  const intermediate = context.tls[kind]
  if (intermediate === undefined) {
    throw new HookError(
      'ERR_INVALID_ARGUMENT',
      `context.tls.${kind} (the hook's intermediate certificate and key) is required with TLS`,
      { path: `/tls/${kind}` },
    )
  }
  const keys = STATUS_KEYS[kind]
  const found = stored(
    status[keys.cert],
    status[keys.key],
    intermediate.certPem,
    hook.hookUser,
    now,
    context.renewBefore,
  )
  let leaf: IssuedCertificate
  if (found !== undefined && 'keep' in found) leaf = found.keep
  else {
    const issuer = await createCertificateIssuer(intermediate, { crypto: context.crypto, now })
    // the certificate names its application beside Krake's CN: our API side refuses it for any other's call
    leaf = await issuer.issue({ hookUser: hook.hookUser, keyAlgorithm: context.keyAlgorithm, now, app, kind })
    if (found !== undefined)
      results.push({
        severity: found.severity,
        message: `the ${kind} hook's stored certificate no longer serves (${found.reissue}): issued a new one`,
      })
  }
  status[keys.cert] = leaf.certPem
  status[keys.key] = leaf.keyPem
  return { caBundlePem: buildCaBundle([...context.tls.caPems, intermediate.certPem]), ...leaf }
}

/** The checked plan of one hook, named and stored as Krake of the configuration's layout does. */
function planOf(
  spec: Pick<HookSpec, 'kind' | 'app' | 'token' | 'tls'>,
  hook: KrakeHookConfig,
  context: KrakeHooksContext,
  current: boolean,
): Plan {
  const overrides: PlanOverrides = current ? krakeNaming(spec.app.name, spec.kind, hook.envToken, hook.envUrl) : {}
  const options: InjectOptions = {
    ...(current ? { tokenFrom: 'secret', certStorage: 'Secret' } : {}),
    ...context.options,
    env: { token: hook.envToken, url: hook.envUrl },
    certDest: hook.certDest,
  }
  const full: HookSpec = { ...spec, apiEndpoint: context.apiEndpoint, externalEndpoint: hook.externalEndpoint }
  return inConfigKeys(spec.kind, () => makePlan(full, options, overrides))
}
