// checkHookCall: the call each container of a manifest list would make,
// decided offline. The token and URL are read as the kubelet gives them to
// the container (env values, secretKeyRef and configMapKeyRef, envFrom) and
// as the application reads them (signalHook's variable names), the
// certificate files as the kubelet mounts them (configMap, secret and
// projected volumes, their items), all from the list's own ConfigMaps and
// Secrets; then verifyHookRequest decides the call, as the API would.
import { CERT_DIRS, TOKEN_ENV, URL_ENV } from '../contract.js'
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { HookError } from '../errors.js'
import type { HookKind } from '../types.js'
import { podSpecLocation } from '../lib/workloads.js'
import { checkHookKind } from '../lib/check.js'
import { cloneJson, type Json, type JsonObject } from '../lib/clone.js'
import { isObject } from '../lib/json.js'
import { refOf, type ResourceRef } from '../lib/kubernetes.js'
import { parseCertificates } from '../lib/pem.js'
import { verifyHookRequest, type TokenLookup, type VerifyRequestOptions } from './request.js'

/** The API side `checkHookCall` decides the calls against. */
export interface HookCallApi {
  /** The expected token of each hook, as for `verifyHookRequest`. */
  lookup: TokenLookup
  /** The API's trust anchors for client certificates, as for `verifyHookRequest`. */
  caBundlePem?: string | undefined
  /** The CN the API requires, as for `verifyHookRequest`. */
  hookUser?: VerifyRequestOptions['hookUser']
  /**
   * The time of the call: certificates are checked at it.
   * @defaultValue now
   */
  now?: Date | undefined
  /** The directory the application reads its certificate files from; by default where `signalHook` looks. */
  certDir?: string | undefined
  /**
   * The API server's own certificate (leaf first, then any chain it sends):
   * when given, the application's `ca-bundle.pem` must verify it, for the
   * URL's host, as the application's TLS client will.
   */
  serverCertPem?: string | undefined
}

/** The call one container would make, decided. */
export interface HookCall {
  /** The workload. */
  resourceRef: ResourceRef
  /** The container's name (init containers too, when they carry the hook). */
  container: string
  /** Whether the API would accept the call. */
  ok: boolean
  /** The status the API would answer; 0 when the call cannot be made at all (a missing variable, file or key). */
  status: number
  /** `accepted`, or what is broken and why the call would fail. */
  reason: string
  /** The mounted client certificate's end of validity, and the days left at `now`, when one is mounted. */
  certificate?: {
    /** notAfter, RFC 3339. */
    notAfter: string
    /** Whole days left at `now` (negative: expired). */
    daysLeft: number
  }
}

/** What `checkHookCall` returns. */
export interface HookCallCheck {
  /** Every call would be accepted (and there is at least one). */
  ok: boolean
  /** One per container of every workload, in the list's order. */
  calls: HookCall[]
}

type Store = { kind: 'ConfigMap' | 'Secret'; namespace: string; name: string; data: Record<string, string> }

/** The ConfigMaps' and Secrets' data of the list, decoded, by kind/namespace/name. */
function storesOf(objects: readonly JsonObject[]): Map<string, Store> {
  const stores = new Map<string, Store>()
  for (const o of objects) {
    if (o.apiVersion !== 'v1' || (o.kind !== 'ConfigMap' && o.kind !== 'Secret')) continue
    const meta = isObject(o.metadata) ? o.metadata : {}
    if (typeof meta.name !== 'string') continue
    const namespace = typeof meta.namespace === 'string' ? meta.namespace : ''
    const data: Record<string, string> = {}
    const put = (from: Json | undefined, decode: boolean) => {
      if (!isObject(from)) return
      for (const [k, v] of Object.entries(from)) {
        if (typeof v === 'string') data[k] = decode ? Buffer.from(v, 'base64').toString('utf8') : v
      }
    }
    if (o.kind === 'Secret') {
      put(o.data, true)
      put(o.stringData, false) // the API server merges stringData over data
    } else {
      put(o.data, false)
      put(o.binaryData, true)
    }
    stores.set(`${o.kind}/${namespace}/${meta.name}`, { kind: o.kind, namespace, name: meta.name, data })
  }
  return stores
}

/** A broken link: the call cannot be made, for `reason` (caught in checkHookCall, never escapes). */
class Broken extends Error {
  constructor(readonly reason: string) {
    super(reason)
  }
}
const broken = (reason: string): never => {
  throw new Broken(reason)
}

/** Reads the sources a container's env and volumes point at, in the workload's namespace. */
class Sources {
  constructor(
    readonly stores: Map<string, Store>,
    readonly namespace: string,
  ) {}

  store(kind: 'ConfigMap' | 'Secret', name: unknown, optional: unknown): Store | undefined {
    const found = typeof name === 'string' ? this.stores.get(`${kind}/${this.namespace}/${name}`) : undefined
    if (found === undefined && optional !== true)
      broken(`${kind} ${JSON.stringify(name)} is not in the manifest list${this.where()}`)
    return found
  }

  key(kind: 'ConfigMap' | 'Secret', ref: JsonObject): string | undefined {
    const store = this.store(kind, ref.name, ref.optional)
    if (store === undefined) return undefined
    const key = ref.key
    if (typeof key !== 'string' || !Object.hasOwn(store.data, key)) {
      if (ref.optional === true) return undefined
      return broken(`${kind} ${JSON.stringify(store.name)} has no key ${JSON.stringify(key)}`)
    }
    return store.data[key]
  }

  where(): string {
    return this.namespace === '' ? '' : ` in namespace ${JSON.stringify(this.namespace)}`
  }
}

/** `$(VAR)` references expanded as the kubelet does, from the variables defined before; `$$` is a `$`. */
function expand(value: string, env: Map<string, string>): string {
  return value.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) =>
    name === undefined ? '$' : (env.get(name) ?? whole),
  )
}

/** The environment the kubelet gives `container`: envFrom first, then env in order, a later entry winning. */
function environmentOf(container: JsonObject, sources: Sources): Map<string, string> {
  const env = new Map<string, string>()
  const envFrom = Array.isArray(container.envFrom) ? container.envFrom : []
  for (const from of envFrom) {
    if (!isObject(from)) continue
    const prefix = typeof from.prefix === 'string' ? from.prefix : ''
    for (const [kind, ref] of [
      ['ConfigMap', from.configMapRef],
      ['Secret', from.secretRef],
    ] as const) {
      if (!isObject(ref)) continue
      const store = sources.store(kind, ref.name, ref.optional)
      for (const [k, v] of Object.entries(store?.data ?? {})) env.set(prefix + k, v)
    }
  }
  const entries = Array.isArray(container.env) ? container.env : []
  for (const e of entries) {
    if (!isObject(e) || typeof e.name !== 'string') continue
    if (typeof e.value === 'string') env.set(e.name, expand(e.value, env))
    else if (isObject(e.valueFrom)) {
      const from = e.valueFrom
      const value = isObject(from.secretKeyRef)
        ? sources.key('Secret', from.secretKeyRef)
        : isObject(from.configMapKeyRef)
          ? sources.key('ConfigMap', from.configMapKeyRef)
          : undefined
      if (value !== undefined) env.set(e.name, value)
      else if (!isObject(from.secretKeyRef) && !isObject(from.configMapKeyRef)) env.set(e.name, '\u0000unknown')
    } else env.set(e.name, '')
  }
  return env
}

const cleanPath = (p: string) => p.replace(/\/+$/, '') || '/'

/** The files the kubelet shows at `dir` in `container`, from the pod's volumes; undefined when nothing is mounted there. */
function filesAt(
  dir: string,
  container: JsonObject,
  pod: JsonObject,
  sources: Sources,
): Map<string, string> | undefined {
  const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts : []
  const mount = mounts.find(
    (m) => isObject(m) && typeof m.mountPath === 'string' && cleanPath(m.mountPath) === cleanPath(dir) && !m.subPath,
  )
  if (!isObject(mount)) return undefined
  const volumes = Array.isArray(pod.volumes) ? pod.volumes : []
  const volume = volumes.find((v) => isObject(v) && v.name === mount.name)
  if (!isObject(volume)) return broken(`the volume ${JSON.stringify(mount.name)} mounted at ${dir} is not in the pod`)
  const files = new Map<string, string>()
  const project = (store: Store | undefined, items: Json | undefined) => {
    if (store === undefined) return
    if (Array.isArray(items) && items.length > 0) {
      for (const item of items) {
        if (!isObject(item) || typeof item.key !== 'string' || typeof item.path !== 'string') continue
        if (!Object.hasOwn(store.data, item.key))
          broken(`${store.kind} ${JSON.stringify(store.name)} has no key ${JSON.stringify(item.key)}`)
        files.set(item.path, store.data[item.key] ?? '')
      }
    } else for (const [k, v] of Object.entries(store.data)) files.set(k, v)
  }
  const one = (v: JsonObject) => {
    if (isObject(v.configMap))
      project(sources.store('ConfigMap', v.configMap.name, v.configMap.optional), v.configMap.items)
    else if (isObject(v.secret))
      project(sources.store('Secret', v.secret.secretName, v.secret.optional), v.secret.items)
    else return false
    return true
  }
  if (isObject(volume.projected) && Array.isArray(volume.projected.sources)) {
    for (const s of volume.projected.sources) if (isObject(s)) one(s)
  } else if (!one(volume)) {
    return broken(`the volume ${JSON.stringify(mount.name)} mounted at ${dir} is neither a ConfigMap nor a Secret`)
  }
  return files
}

const first = (env: Map<string, string>, names: readonly string[]) => {
  const name = names.find((n) => env.has(n))
  return name === undefined ? undefined : { name, value: env.get(name) ?? '' }
}

const DAY = 24 * 3600 * 1000

/**
 * The client certificate a container mounts for an https call, read as the
 * application reads it: ca-bundle.pem, cert.pem and key.pem in the first
 * directory that holds cert.pem, the bundle verifying the API server when
 * its certificate is given, the key the certificate's. Throws Broken for a
 * call that cannot be made.
 */
function mountedCertificate(
  kind: HookKind,
  container: JsonObject,
  pod: JsonObject,
  sources: Sources,
  api: HookCallApi,
  url: URL,
  now: Date,
): { dir: string; clientCertPem: string; cert: X509Certificate; certificate: NonNullable<HookCall['certificate']> } {
  const dirs = api.certDir !== undefined ? [api.certDir] : CERT_DIRS[kind]
  let files: Map<string, string> | undefined
  let dir = ''
  for (const d of dirs) {
    files = filesAt(d, container, pod, sources)
    dir = d
    if (files?.has('cert.pem') === true) break
  }
  if (files?.has('cert.pem') !== true)
    return broken(`the URL is https and no certificate is mounted at ${dirs.join(' or ')}`)
  for (const name of ['ca-bundle.pem', 'key.pem'])
    if (!files.has(name)) return broken(`${dir}/${name} is missing: the volume holds cert.pem but not ${name}`)
  // the application verifies the API with its ca-bundle.pem: a bundle without a certificate is a call never made
  const bundle = trustedBundle(files.get('ca-bundle.pem') ?? '')
  if (bundle === undefined)
    return broken(`${dir}/ca-bundle.pem holds no PEM certificate: the application cannot verify the API server`)
  if (api.serverCertPem !== undefined) {
    const trusted = serverTrusted(api.serverCertPem, bundle, url.hostname, now)
    if (trusted !== true) return broken(`${dir}/ca-bundle.pem does not verify the API server: ${trusted}`)
  }
  let cert: X509Certificate
  try {
    cert = new X509Certificate(files.get('cert.pem') ?? '')
  } catch {
    return broken(`${dir}/cert.pem is not a PEM certificate`)
  }
  let key
  try {
    key = createPrivateKey(files.get('key.pem') ?? '')
  } catch {
    return broken(`${dir}/key.pem is not a PEM private key`)
  }
  let matches: boolean
  try {
    matches = cert.checkPrivateKey(key)
  } catch {
    matches = false // a key of another type than the certificate's
  }
  if (!matches) return broken(`${dir}/key.pem is not the key of ${dir}/cert.pem: the TLS handshake would fail`)
  const notAfter = new Date(cert.validTo)
  const certificate = {
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / DAY),
  }
  return { dir, clientCertPem: files.get('cert.pem') ?? '', cert, certificate }
}

/** The call of one container, decided. */
async function callOf(
  kind: HookKind,
  container: JsonObject,
  pod: JsonObject,
  sources: Sources,
  api: HookCallApi,
  now: Date,
): Promise<Omit<HookCall, 'resourceRef' | 'container'>> {
  const env = environmentOf(container, sources)
  const token = first(env, TOKEN_ENV[kind])
  if (token === undefined) return broken(`no ${TOKEN_ENV[kind].join(' or ')} in the container's environment`)
  const rawUrl = first(env, URL_ENV[kind])
  if (rawUrl === undefined) return broken(`no ${URL_ENV[kind].join(' or ')} in the container's environment`)
  if (token.value.startsWith('\u0000') || rawUrl.value.startsWith('\u0000'))
    return broken(`${token.name} or ${rawUrl.name} is read from the pod's fields, which cannot be known offline`)
  let url: URL
  try {
    url = new URL(rawUrl.value)
  } catch {
    return broken(`${rawUrl.name} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return broken(`${rawUrl.name} is not an http(s) URL`)

  const mounted =
    url.protocol === 'https:' ? mountedCertificate(kind, container, pod, sources, api, url, now) : undefined
  const verdict = await verifyHookRequest(
    {
      method: 'PUT',
      url: url.pathname + url.search,
      body: { token: token.value },
      clientCertPem: mounted?.clientCertPem,
    },
    api.lookup,
    { caBundlePem: api.caBundlePem, hookUser: api.hookUser, now },
  )
  if (mounted !== undefined) {
    const { dir, cert, certificate } = mounted
    const expired = new Date(cert.validTo).getTime() < now.getTime()
    if (expired || new Date(cert.validFrom).getTime() > now.getTime()) {
      const when = expired ? `expired on ${certificate.notAfter}` : 'is not valid yet'
      return {
        ok: false,
        status: verdict.ok ? 0 : verdict.status,
        reason: `${dir}/cert.pem ${when}${verdict.ok ? '' : `: ${verdict.reason}`}`,
        certificate,
      }
    }
  }
  const base = verdict.ok
    ? { ok: true, status: 200, reason: 'accepted' }
    : { ok: false, status: verdict.status, reason: verdict.reason }
  return mounted === undefined ? base : { ...base, certificate: mounted.certificate }
}

/** The certificates of an application's ca-bundle.pem, or undefined when it holds none (or is not PEM). */
function trustedBundle(pem: string): X509Certificate[] | undefined {
  try {
    return parseCertificates(pem, '/ca-bundle.pem').map((c) => c.cert)
  } catch {
    return undefined
  }
}

/**
 * Whether a TLS client trusting `bundle` accepts the server's certificate
 * chain for `host` at `now`, as Node's and curl's clients decide: a path from
 * the leaf, through what the server sends, to a certificate of the bundle,
 * each link signed by the next and valid; the leaf names the host. True, or
 * why not.
 */
function serverTrusted(serverPem: string, bundle: readonly X509Certificate[], host: string, now: Date): true | string {
  let chain: X509Certificate[]
  try {
    chain = parseCertificates(serverPem, '/serverCertPem').map((c) => c.cert)
  } catch {
    throw new HookError('ERR_INVALID_PEM', 'api.serverCertPem must be PEM certificates', { path: '/serverCertPem' })
  }
  const [leaf, ...sent] = chain
  const name = host.replace(/^\[|\]$/g, '')
  const named = /^[\d.]+$|:/.test(name) ? leaf?.checkIP(name) : leaf?.checkHost(name)
  if (leaf === undefined || named === undefined) return `the server certificate is not for ${host}`
  const valid = (c: X509Certificate) => now >= new Date(c.validFrom) && now <= new Date(c.validTo)
  let current = leaf
  for (let depth = 0; depth < 8; depth++) {
    if (!valid(current)) return `${current.subject.replace(/\n/g, ', ')} is not valid at ${now.toISOString()}`
    if (bundle.some((b) => b.raw.equals(current.raw))) return true
    const issuer = [...bundle, ...sent].find((c) => current.checkIssued(c) && current.verify(c.publicKey))
    if (issuer === undefined)
      return 'no certificate of the bundle signed its chain (another CA, or an intermediate missing)'
    if (bundle.includes(issuer) && valid(issuer)) return true
    current = issuer
  }
  return 'its chain is too long'
}

/**
 * Decides, offline, the call each container of every workload in
 * `manifests` would make to say the `kind` hook is done: for the person who
 * unit-tests a transform and wants to know, without a cluster, that Krake
 * would accept the application's callback.
 *
 * For each container (and each init container that carries the hook's
 * variables): the token and URL as the kubelet gives them (a `value`, a
 * `secretKeyRef` or `configMapKeyRef`, `envFrom`, all resolved in the list's
 * own Secrets, base64 `data` and `stringData`, and ConfigMaps) under the
 * names `signalHook` reads; with an https URL, `ca-bundle.pem`, `cert.pem`
 * and `key.pem` from the volume mounted where `signalHook` looks (the key
 * must be the certificate's); then `verifyHookRequest` with `api`'s lookup,
 * CA bundle and hook user at `api.now`. Each answer says ok, or the status
 * the API would give (0 when the call cannot be made) and the broken link.
 *
 * @throws HookError for a `kind` that is not a hook kind, a list that is not
 *   an array, or a `caBundlePem` that is not PEM (the API's own mistake).
 *
 * @example
 * ```ts
 * const { ok, calls } = await checkHookCall(manifests, 'complete', { lookup: () => token, caBundlePem })
 * for (const c of calls) if (!c.ok) console.log(c.resourceRef.name, c.container, c.status, c.reason)
 * ```
 */
export async function checkHookCall(
  manifests: readonly unknown[],
  kind: HookKind,
  api: HookCallApi,
): Promise<HookCallCheck> {
  checkHookKind(kind, { code: 'ERR_INVALID_ARGUMENT', path: '', name: 'kind' })
  if (!Array.isArray(manifests))
    throw new HookError('ERR_INVALID_MANIFESTS', 'manifests must be an array of Kubernetes objects', { path: '' })
  if (typeof api !== 'object' || api === null || typeof api.lookup !== 'function')
    throw new HookError('ERR_INVALID_ARGUMENT', 'api must be { lookup, caBundlePem?, hookUser?, now? }', {
      path: '/lookup',
    })
  const now = api.now instanceof Date ? api.now : new Date()
  const objects: JsonObject[] = []
  for (const m of cloneJson(manifests) as Json[]) {
    if (!isObject(m)) continue
    if (m.apiVersion === 'v1' && m.kind === 'List' && Array.isArray(m.items))
      objects.push(...m.items.filter((i): i is JsonObject => isObject(i)))
    else objects.push(m)
  }
  const stores = storesOf(objects)
  const calls: HookCall[] = []
  for (const obj of objects) {
    const location =
      typeof obj.apiVersion === 'string' && typeof obj.kind === 'string'
        ? podSpecLocation(obj.apiVersion, obj.kind)
        : undefined
    const meta = isObject(obj.metadata) ? obj.metadata : {}
    if (location === undefined || typeof meta.name !== 'string') continue
    let pod: Json | undefined = obj
    for (const k of location) pod = isObject(pod) ? pod[k] : undefined
    if (!isObject(pod)) continue
    const resourceRef = refOf(obj.apiVersion as string, obj.kind as string, meta.name, meta.namespace)
    const sources = new Sources(stores, typeof meta.namespace === 'string' ? meta.namespace : '')
    const names = [...TOKEN_ENV[kind], ...URL_ENV[kind]]
    const inits = (Array.isArray(pod.initContainers) ? pod.initContainers : []).filter(
      (c) => isObject(c) && Array.isArray(c.env) && c.env.some((e) => isObject(e) && names.includes(e.name as string)),
    )
    const containers = Array.isArray(pod.containers) ? pod.containers : []
    for (const c of [...inits, ...containers]) {
      if (!isObject(c)) continue
      const container = typeof c.name === 'string' ? c.name : ''
      try {
        calls.push({ resourceRef, container, ...(await callOf(kind, c, pod, sources, api, now)) })
      } catch (e) {
        if (!(e instanceof Broken)) throw e
        calls.push({ resourceRef, container, ok: false, status: 0, reason: e.reason })
      }
    }
  }
  return { ok: calls.length > 0 && calls.every((c) => c.ok), calls }
}
