import { CERT_DIRS_BY_ERA } from '../contract.js'
import { BoundedCache } from '../lib/bounded-cache.js'
import { HookError } from '../errors.js'
import { parseCertificates, parsePrivateKey } from '../lib/pem.js'
import { resolveHookUrl } from './endpoint.js'
import { hookNames, type HookNames } from './names.js'
import { HOOK_VARIABLES, type HookVariable, type PlannedVariable } from './variables.js'
import type { AppRef, HookKind, HookSpec, HookTls, InjectOptions } from '../types.js'
import { describeValue } from '../lib/describe-value.js'
import { isRecord } from '../lib/json.js'
import { checkPrototype, ownKeyCount } from '../lib/clone.js'
import { checkHookKind, checkKnownKeys, isOneOf } from '../lib/check.js'
import { isEnvVarName } from '../lib/kubernetes.js'

/** A checked hook spec and options, with every default filled in. */
export interface Plan {
  kind: HookKind
  app: { name: string; namespace: string }
  token: string
  url: string
  /** Set when the endpoint's scheme was changed to follow TLS. */
  forcedFrom?: 'http' | 'https'
  tls?: HookTls
  /** The variables every container gets, in order (see variables.ts). */
  env: readonly PlannedVariable[]
  certDest: string
  certStorage: 'ConfigMap' | 'Secret'
  tokenFrom: 'value' | 'secret'
  initContainers: boolean
  onConflict: 'replace' | 'error' | 'keep'
  names: HookNames
}

/**
 * What a caller inside the library may set beyond the public options: the
 * names current Krake gives its objects and the keys of its token Secret.
 */
export interface PlanOverrides {
  names?: Partial<HookNames>
  /** The token Secret's data key of each variable, by role. */
  secretKeys?: Partial<Record<HookVariable['role'], string>>
}

/**
 * Default mount path of the certificate files, per hook: apart, so that both
 * hooks injected one after the other each keep their own mount (Kubernetes
 * refuses two mounts at one path).
 */
const DEFAULT_CERT_DEST: Record<HookKind, string> = CERT_DIRS_BY_ERA.seed

// The seed sends the token as "{\"token\":\"$KRAKE_TOKEN\"}": it must not need
// JSON escaping nor break the shell's quoting.
export const TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]{1,4096}$/

/**
 * The fields each input may have. `satisfies` holds every table to its type:
 * a field added to HookSpec or InjectOptions that is missing here, or one
 * here that the type does not have, does not compile.
 */
type Fields<T> = { readonly [K in keyof Required<T>]: true }
const HOOK_FIELDS = {
  kind: true,
  app: true,
  apiEndpoint: true,
  externalEndpoint: true,
  token: true,
  tls: true,
} as const satisfies Fields<HookSpec>
const APP_FIELDS = { name: true, namespace: true } as const satisfies Fields<AppRef>
const TLS_FIELDS = { caBundlePem: true, certPem: true, keyPem: true } as const satisfies Fields<HookTls>
const OPTION_FIELDS = {
  env: true,
  certDest: true,
  certStorage: true,
  tokenFrom: true,
  initContainers: true,
  onConflict: true,
} as const satisfies Fields<InjectOptions>
const ENV_FIELDS = { token: true, url: true } as const satisfies Fields<NonNullable<InjectOptions['env']>>

function nonEmptyString(v: unknown): v is string {
  return typeof v === 'string' && v !== '' && v.isWellFormed()
}

/**
 * `value` among `allowed`, `fallback` when absent. Its message lists the
 * values (`must be one of "replace", "error", "keep"`), a form callers match
 * on, where lib/check's checkOneOf says `"a" or "b"`: two forms stay until a
 * release may change messages.
 */
function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, path: string): T {
  if (value === undefined) return fallback
  if (isOneOf(value, allowed)) return value
  throw new HookError(
    'ERR_INVALID_OPTION',
    `${path.slice(1)} must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, not ${describeValue(value)}`,
    { path },
  )
}

// Parsing certificates and checking the key pair is the one fixed cost of an
// injection; a controller injects many applications with few distinct TLS
// sets (the complete and the shutdown hook's, one per application), so the
// last one checked is compared first (=== on the strings, no hashing), then
// the last 64 distinct sets, found by their leaf certificate (the shortest of
// the three strings to hash) and compared whole: each distinct set is parsed
// and checked once. A set that fails is never remembered.
let lastTls: { input: HookTls; output: HookTls } | undefined
const CHECKED_TLS = new BoundedCache<{ input: HookTls; output: HookTls }>(64)

function checkTls(tls: unknown): HookTls {
  if (!isRecord(tls) || Object.keys(tls).length !== 3) return checkTlsUncached(tls) // it throws
  const { caBundlePem, certPem, keyPem } = tls
  const same = (seen: { input: HookTls } | undefined) =>
    seen !== undefined &&
    caBundlePem === seen.input.caBundlePem &&
    certPem === seen.input.certPem &&
    keyPem === seen.input.keyPem
  if (lastTls !== undefined && same(lastTls)) return lastTls.output
  if (typeof caBundlePem !== 'string' || typeof certPem !== 'string' || typeof keyPem !== 'string')
    return checkTlsUncached(tls) // it throws
  const cached = CHECKED_TLS.peek(certPem)
  const entry =
    cached !== undefined && same(cached)
      ? cached
      : { input: { caBundlePem, certPem, keyPem }, output: Object.freeze(checkTlsUncached(tls)) }
  if (entry !== cached) CHECKED_TLS.set(certPem, entry)
  lastTls = entry
  return entry.output
}

function checkTlsUncached(tls: unknown): HookTls {
  if (!isRecord(tls))
    throw new HookError('ERR_INVALID_HOOK', 'tls must be { caBundlePem, certPem, keyPem }', { path: '/tls' })
  checkKnownKeys(tls, TLS_FIELDS, { code: 'ERR_INVALID_HOOK', path: '/tls' })
  const ca = parseCertificates(tls.caBundlePem, '/tls/caBundlePem')
  const certs = parseCertificates(tls.certPem, '/tls/certPem')
  const { key, block } = parsePrivateKey(tls.keyPem, '/tls/keyPem')
  if (!certs[0].cert.checkPrivateKey(key)) {
    throw new HookError('ERR_KEY_MISMATCH', 'tls.keyPem is not the key of the first certificate in tls.certPem', {
      path: '/tls/keyPem',
    })
  }
  // Stored re-wrapped and newline-terminated: same bytes for the same certificates.
  return {
    caBundlePem: ca.map((c) => c.block.pem).join(''),
    certPem: certs.map((c) => c.block.pem).join(''),
    keyPem: block.pem,
  }
}

/**
 * A mount path as the hook writes it and compares it: absolute, one trailing
 * "/" dropped (Krake's defaults have one), no empty, "." or ".." segments,
 * no ":" (Kubernetes refuses it) and no control characters; undefined when
 * `path` is not such a path.
 */
function cleanMountPath(path: unknown): string | undefined {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what a mount path may not hold
  if (typeof path !== 'string' || !path.startsWith('/') || !path.isWellFormed() || /[\x00-\x1f\x7f:]/.test(path))
    return undefined
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
  const segments = trimmed.split('/').slice(1)
  if (trimmed === '/' || segments.some((s) => s === '' || s === '.' || s === '..')) return undefined
  return trimmed
}

/** A mount path as it is compared with the hook's: cleaned when it can be, as it is otherwise. */
export function mountPathKey<T>(path: T): T | string {
  return cleanMountPath(path) ?? path
}

/** Checks the hook spec and options; every problem is a HookError with a path. */
export function makePlan(hook: HookSpec, options: InjectOptions | undefined, overrides?: PlanOverrides): Plan {
  // A getter of the hook's may make a plan itself, while this call still holds its snapshot: only
  // the outermost call takes its snapshot into the shared scratch array.
  inside++
  try {
    return planOf(hook, options, overrides, inside === 1 ? scratch : [])
  } finally {
    inside--
  }
}

/** How many makePlan calls are running (more than one: a getter of a hook made a plan). */
let inside = 0
/** The outermost call's snapshot: one array for every call (its first values), copied only when a plan is remembered. */
const scratch: unknown[] = []

function planOf(
  hook: HookSpec,
  options: InjectOptions | undefined,
  overrides: PlanOverrides | undefined,
  into: unknown[],
): Plan {
  // A controller hooks one application at a time with a hook object it builds anew each call, and
  // alternates a few hooks (the complete and the shutdown hook, each with its TLS set): when the
  // content is that of one of the last plans, field for field (===), that plan serves again.
  checkPrototype() // ownKeyCount reads keys with for...in only while nothing has polluted the prototype
  // the snapshot is into[0..taken): -1 when there is none (overrides, or a hook that is not plain)
  const taken = overrides === undefined ? snapshotOf(hook, options, into) : -1
  const cached = taken < 0 ? undefined : recentPlan(into, taken)
  if (cached !== undefined) return cached
  let checked: Plan
  try {
    checked = makeCheckedPlan(hook, options, overrides ?? {})
  } catch (e) {
    if (e instanceof HookError) throw e
    // a getter or a Proxy trap of the caller's that throws: bad input too, said without its message
    const name = e instanceof Error ? e.name : 'an exception'
    throw new HookError('ERR_INVALID_HOOK', `reading the hook or its options threw ${name}`, { path: '', cause: e })
  }
  const plan = Object.freeze(checked)
  if (taken >= 0) remember(into.slice(0, taken), plan)
  return plan
}

/**
 * The last plans made, the newest first: few, and compared in turn (a hash
 * of the PEM strings would cost more than comparing them).
 */
const RECENT_PLANS = 4
const recentPlans: Array<{ snapshot: readonly unknown[]; plan: Plan }> = []

function recentPlan(values: readonly unknown[], n: number): Plan | undefined {
  for (const entry of recentPlans) if (sameSnapshot(values, n, entry.snapshot)) return entry.plan
  return undefined
}

/** Remembers a plan in place of the oldest made (not the least used: a hit then costs no reordering). */
function remember(snapshot: readonly unknown[], plan: Plan): void {
  recentPlans.unshift({ snapshot, plan })
  if (recentPlans.length > RECENT_PLANS) recentPlans.pop()
}

/** Whether the first `n` values of `a` are the snapshot `b`. */
const sameSnapshot = (a: readonly unknown[], n: number, b: readonly unknown[]) => {
  if (n !== b.length) return false
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false
  return true
}

/** What is read only through the snapshot must be a value that === compares truly: a string, boolean or undefined. */
const primitive = (v: unknown) => v === undefined || typeof v === 'string' || typeof v === 'boolean'

/**
 * Every field makePlan reads of `hook` and `options`, in a fixed order, with
 * the number of keys of each object (an unknown key changes it), written
 * into `out` from index 0: how many were written, or -1 when anything is not
 * plain (a getter that throws, a value that is not a string or boolean where
 * one is expected): then the plan is made and checked in full, which says
 * what is wrong.
 */
function snapshotOf(hook: unknown, options: unknown, out: unknown[]): number {
  // written by index, never pushed after `length = 0`: that drops the array's backing store, and each
  // call would grow a new one (0.25-0.4 us a call against 0.1, measured apart)
  let n = 0
  try {
    if (!isRecord(hook) || !isRecord(hook.app)) return -1
    const { app, tls } = hook
    out[n++] = ownKeyCount(hook)
    out[n++] = hook.kind
    out[n++] = hook.apiEndpoint
    out[n++] = hook.externalEndpoint
    out[n++] = hook.token
    out[n++] = ownKeyCount(app)
    out[n++] = app.name
    out[n++] = app.namespace
    if (tls === undefined) out[n++] = 'no tls'
    else if (isRecord(tls)) {
      out[n++] = ownKeyCount(tls)
      out[n++] = tls.caBundlePem
      out[n++] = tls.certPem
      out[n++] = tls.keyPem
    } else return -1
    if (options === undefined) out[n++] = 'no options'
    else if (isRecord(options)) {
      const { env } = options
      out[n++] = ownKeyCount(options)
      out[n++] = options.certDest
      out[n++] = options.certStorage
      out[n++] = options.tokenFrom
      out[n++] = options.initContainers
      out[n++] = options.onConflict
      if (env === undefined) out[n++] = 'no env'
      else if (isRecord(env)) {
        out[n++] = ownKeyCount(env)
        out[n++] = env.token
        out[n++] = env.url
      } else return -1
    } else return -1
    for (let i = 0; i < n; i++) {
      const v = out[i]
      if (typeof v !== 'number' && !primitive(v)) return -1
    }
    return n
  } catch {
    return -1
  }
}

function makeCheckedPlan(hook: HookSpec, options: InjectOptions | undefined, overrides: PlanOverrides): Plan {
  const { kind, app, token, tls, resolved } = checkHook(hook)
  const opts = checkOptions(options)
  const certDest = cleanMountPath(opts.certDest ?? DEFAULT_CERT_DEST[kind])
  if (certDest === undefined) {
    throw new HookError(
      'ERR_INVALID_OPTION',
      `certDest must be a clean absolute path other than "/" (no empty, "." or ".." segments, no ":" or control characters), not ${describeValue(opts.certDest)}`,
      { path: '/certDest' },
    )
  }
  const initContainers = opts.initContainers ?? false
  if (typeof initContainers !== 'boolean')
    throw new HookError('ERR_INVALID_OPTION', 'initContainers must be a boolean', { path: '/initContainers' })

  const plan: Plan = {
    kind,
    app,
    token,
    url: resolved.url,
    env: planVariables(opts.env, kind, { token, url: resolved.url }, overrides),
    certDest,
    certStorage: oneOf(opts.certStorage, ['ConfigMap', 'Secret'], 'ConfigMap', '/certStorage'),
    tokenFrom: oneOf(opts.tokenFrom, ['value', 'secret'], 'value', '/tokenFrom'),
    initContainers,
    onConflict: oneOf(opts.onConflict, ['replace', 'error', 'keep'], 'replace', '/onConflict'),
    names: { ...hookNames(app.name, kind), ...overrides.names },
  }
  if (resolved.forcedFrom !== undefined) plan.forcedFrom = resolved.forcedFrom
  if (tls !== undefined) plan.tls = tls
  return plan
}

/** The hook spec checked: kind, application, token, TLS material, and the URL it resolves to. */
function checkHook(hook: unknown) {
  if (!isRecord(hook)) throw new HookError('ERR_INVALID_HOOK', 'the hook must be an object', { path: '' })
  checkKnownKeys(hook, HOOK_FIELDS, { code: 'ERR_INVALID_HOOK', path: '' })
  const { app, token } = hook
  const kind = checkHookKind(hook.kind, { code: 'ERR_INVALID_HOOK', path: '/kind', name: 'kind' })
  if (!isRecord(app)) throw new HookError('ERR_INVALID_HOOK', 'app must be { name, namespace }', { path: '/app' })
  checkKnownKeys(app, APP_FIELDS, { code: 'ERR_INVALID_HOOK', path: '/app' })
  if (!nonEmptyString(app.name))
    throw new HookError('ERR_INVALID_HOOK', 'app.name must be a non-empty string', { path: '/app/name' })
  if (!nonEmptyString(app.namespace))
    throw new HookError('ERR_INVALID_HOOK', 'app.namespace must be a non-empty string', { path: '/app/namespace' })
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    throw new HookError(
      'ERR_INVALID_HOOK',
      'token must be a string of 1 to 4096 visible ASCII characters other than " and \\ (createHookToken() makes one)',
      { path: '/token' },
    )
  }
  const tls = hook.tls == null ? undefined : checkTls(hook.tls)
  const useExternal = hook.externalEndpoint != null
  const ref: AppRef = { name: app.name, namespace: app.namespace }
  const resolved = resolveHookUrl(
    useExternal ? hook.externalEndpoint : hook.apiEndpoint,
    ref,
    kind,
    tls !== undefined,
    useExternal ? '/externalEndpoint' : '/apiEndpoint',
  )
  if (useExternal && typeof hook.apiEndpoint !== 'string') {
    throw new HookError('ERR_INVALID_ENDPOINT', 'apiEndpoint must be a string', { path: '/apiEndpoint' })
  }
  return { kind, app: ref, token, tls, resolved }
}

/** The options object checked for its keys; each value is checked where it is read. */
function checkOptions(options: unknown): Record<string, unknown> {
  const opts = options ?? {}
  if (!isRecord(opts)) throw new HookError('ERR_INVALID_OPTION', 'options must be an object', { path: '' })
  checkKnownKeys(opts, OPTION_FIELDS, { code: 'ERR_INVALID_OPTION', path: '' })
  return opts
}

/** The hook's variables in order (token, then URL): their names from `options.env`, values and Secret keys. */
function planVariables(
  envOption: unknown,
  kind: HookKind,
  values: { token: string; url: string },
  overrides: PlanOverrides,
): PlannedVariable[] {
  const env = envOption ?? {}
  if (!isRecord(env)) throw new HookError('ERR_INVALID_OPTION', 'env must be { token?, url? }', { path: '/env' })
  checkKnownKeys(env, ENV_FIELDS, { code: 'ERR_INVALID_OPTION', path: '/env' })
  const variables: PlannedVariable[] = []
  for (const v of HOOK_VARIABLES) {
    const name = envName(env[v.role], v.defaultName[kind], `/env/${v.role}`)
    const same = variables.find((other) => other.name === name)
    if (same)
      throw new HookError('ERR_INVALID_OPTION', `env.${same.role} and env.${v.role} are both "${name}"`, {
        path: `/env/${v.role}`,
      })
    variables.push({
      role: v.role,
      name,
      value: v.value(values),
      secretKey: overrides.secretKeys?.[v.role] ?? v.secretKey,
    })
  }
  return variables
}

function envName(value: unknown, fallback: string, path: string): string {
  if (value === undefined) return fallback
  if (isEnvVarName(value)) return value
  throw new HookError(
    'ERR_INVALID_OPTION',
    `${describeValue(value)} is not a valid environment variable name ([-._a-zA-Z][-._a-zA-Z0-9]*, as the API server checks it)`,
    { path },
  )
}
