import { HOOK_KINDS, INJECTED_ANNOTATION } from '../contract.js'
import { describeHookError, HookError } from '../errors.js'
import { additionOps, hookObject, makePlan, optsOut, type Addition, type Plan } from '../inject/index.js'
import type { HookKind, HookSpec, InjectOptions } from '../types.js'
import { podSpecLocation } from '../lib/workloads.js'
import { checkPrototype, cloneJson, type Json, type JsonObject } from '../lib/clone.js'
import { diffJson } from '../lib/json-patch.js'
import { isObject, isRecord } from '../lib/json.js'
import type { KubernetesObject } from '../lib/kubernetes.js'
import { escapeSegment, pointer } from '../lib/pointer.js'
import { isPlainJson } from '../lib/copy-plain.js'
import { isReadOnly } from './read-only.js'

/** The group/version/kind of the object under review, as the API server sends it. */
export interface GroupVersionKind {
  /** The API group, `''` for the core group (Pods). */
  group: string
  /** The API version, `v1`. */
  version: string
  /** The kind, `Pod`. */
  kind: string
}

/** The parts of an `admission.k8s.io/v1` request that `reviewAdmission` reads. */
export interface AdmissionRequest {
  /** The request's id, copied into the response. */
  uid: string
  /** The kind of the object under review; fills in an object that omits `apiVersion`/`kind`. */
  kind?: GroupVersionKind
  /** The resource the request is for. */
  resource?: {
    /** The API group, `''` for the core group. */
    group: string
    /** The API version. */
    version: string
    /** The resource, `pods`. */
    resource: string
  }
  /** The object's name; empty for a Pod that has only `generateName`. */
  name?: string
  /** The namespace of the request; the object may omit its own. */
  namespace?: string
  /** What is being done to the object: only `CREATE` is patched. */
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'
  /** The subresource (`status`, `ephemeralcontainers`, `exec`): such requests are never patched. */
  subResource?: string
  /** A dry run: answered as any other request, the webhook has no side effects. */
  dryRun?: boolean
  /** The object as it would be stored. */
  object?: unknown
  /** Every other field of the request, passed through unread. */
  [field: string]: unknown
}

/** An `admission.k8s.io/v1` response. */
export interface AdmissionResponse {
  /** The request's `uid`. */
  uid: string
  /** False refuses the object: the API server answers its client with `status`. */
  allowed: boolean
  /** Set when `patch` is. */
  patchType?: 'JSONPatch'
  /** The RFC 6902 patch, JSON then base64. */
  patch?: string
  /** Why the object is refused. */
  status?: {
    /** The HTTP status the API server answers with (400, 403, 409, 500). */
    code: number
    /** `ERR_CODE at /path: message`; never a token. */
    message: string
  }
  /** The hook's warning results, each cut at 256 characters as the API server does. */
  warnings?: string[]
}

/** An `AdmissionReview`: the API server sends `request`, the webhook answers with `response`. */
export interface AdmissionReview {
  /** `admission.k8s.io/v1`. */
  apiVersion: string
  /** `AdmissionReview`. */
  kind: string
  /** What the API server asks about. */
  request?: AdmissionRequest
  /** The webhook's answer. */
  response?: AdmissionResponse
}

export { INJECT_ANNOTATION, INJECTED_ANNOTATION } from '../contract.js'

/** One hook to apply to the object under review, with its options. */
export interface HookBinding {
  /** The hook, as for `injectHook`. */
  hook: HookSpec
  /** The options, as for `injectHook`. */
  options?: InjectOptions
  /**
   * Which Pods may receive the hook (`createHookResolver` checks it): the
   * request's namespace must be one of `namespaces` (default: the
   * application's own; `["*"]` allows every namespace), and, when
   * `serviceAccounts` is set, the Pod's `spec.serviceAccountName` (`default`
   * when absent) one of them. Any other Pod is denied, 403.
   */
  boundTo?: HookBound | undefined
}

/** Where a hook may be delivered: the Pods' namespaces and service accounts. */
export interface HookBound {
  /** The namespaces whose Pods may receive the hook; `["*"]` for every one. @defaultValue the application's namespace */
  namespaces?: readonly string[] | undefined
  /** The service accounts (names, in those namespaces) whose Pods may receive it; any when absent. */
  serviceAccounts?: readonly string[] | undefined
}

/**
 * Picks the hooks of the object under review: `undefined` (or `[]`) when the
 * object is not ours, which is allowed unpatched; several bindings are
 * applied complete before shutdown, whatever their order. It gets a copy of
 * the object with its name (from `generateName` when it has none), namespace,
 * `apiVersion` and `kind` filled in from the request.
 *
 * A resolver that throws is a denial: a {@link HookError} whose `path` points
 * into the object's metadata (`/metadata/...`: its labels, its annotations) is the object's fault and answered 400
 * with its code, path and message (which must carry no secret); anything else
 * thrown is answered 500, naming only the error's code.
 */
export type HookResolver = (
  object: KubernetesObject,
  request: AdmissionRequest,
) => HookBinding | readonly HookBinding[] | undefined

/** Why a review was allowed without a patch. */
export type AdmissionSkip =
  /** The request is an UPDATE, DELETE or CONNECT. */
  | 'operation'
  /** The request is for a subresource (`status`, `ephemeralcontainers`, ...). */
  | 'subresource'
  /** The request carries no object. */
  | 'no-object'
  /** The object says `krake-hooks/inject: "false"`. */
  | 'opted-out'
  /** The resolver picked no hook for it. */
  | 'not-selected'
  /** Nothing to change: not a workload, or hooked already (a reinvocation). */
  | 'unchanged'

/** What `reviewAdmission` decided, for a webhook's metrics and logs (never a token). */
export type AdmissionOutcome = AdmissionPatched | AdmissionAllowed | AdmissionRefused

/** The object was hooked: the answer carries a patch. */
export interface AdmissionPatched {
  /** Patched. */
  outcome: 'patched'
  /** The hook kinds applied, complete first. */
  kinds: HookKind[]
}

/** The object was allowed with no patch. */
export interface AdmissionAllowed {
  /** Allowed unpatched. */
  outcome: 'allowed'
  /** Why nothing was patched. */
  reason: AdmissionSkip
}

/** The object was refused: `denied` for the object's fault (400, 403, 409), `error` for the webhook's (500). */
export interface AdmissionRefused {
  /** Denied or error. */
  outcome: 'denied' | 'error'
  /** The `status.code` of the answer. */
  code: number
}

const API_VERSION = 'admission.k8s.io/v1'
// The API server passes each warning on to the client and truncates those over 256 characters.
const MAX_WARNING_LENGTH = 256

const answer = (response: AdmissionResponse): AdmissionReview => ({
  apiVersion: API_VERSION,
  kind: 'AdmissionReview',
  response,
})

/** What `decideAdmission` returns: the answer, and what was decided. */
export interface AdmissionDecision {
  /** The AdmissionReview to answer with, as `reviewAdmission` returns it. */
  review: AdmissionReview
  /** What was decided, for metrics and logs. */
  outcome: AdmissionOutcome
}
type Decision = AdmissionDecision

const allow = (uid: string, reason: AdmissionSkip): Decision => ({
  review: answer({ uid, allowed: true }),
  outcome: { outcome: 'allowed', reason },
})
/** A refusal: 400, 403 and 409 are the object's fault ('denied'), 500 the webhook's ('error'). */
const deny = (uid: string, code: number, message: string): Decision => ({
  review: answer({ uid, allowed: false, status: { code, message } }),
  outcome: code === 500 ? { outcome: 'error', code } : { outcome: 'denied', code },
})

/**
 * The object under review: as the API server sent it, read as JSON (`sent`:
 * the object itself when it is plain JSON, else this call's one copy of it;
 * only read from then on: the patch's base), and
 * a view of it with name, namespace, apiVersion and kind filled in from the
 * request where the object leaves them out (`view`: its own top level and
 * metadata, `sent`'s objects below, which the hook copies and never writes).
 */
interface UnderReview {
  sent: JsonObject
  view: JsonObject
}

/** The object as the hook sees it, or the reason it is malformed. */
function objectUnderReview(request: Record<string, unknown>): UnderReview | string {
  // Read as JSON, not taken as it is: a client-node model's Date is the string JSON makes of it, in the
  // patch's base as in the hooked copy, or every review would "replace" it. JSON.parse's objects (what a
  // webhook is handed) are their own JSON reading, and only read from here on: they need no copy.
  checkPrototype()
  let plain = false
  try {
    plain = isPlainJson(request.object)
  } catch {
    // a getter or a trap that throws: the copy below says where
  }
  let sent
  try {
    sent = plain ? (request.object as Json) : cloneJson(request.object, ['request', 'object'])
  } catch (e) {
    return e instanceof HookError ? `${e.code} at ${e.path}` : 'unreadable'
  }
  if (!isObject(sent)) return 'request.object must be a Kubernetes object'
  const meta = sent.metadata ?? {}
  if (!isObject(meta)) return 'request.object.metadata must be an object'
  const view: JsonObject = { ...sent }
  const gvk = request.kind
  if (sent.apiVersion === undefined && isRecord(gvk) && typeof gvk.version === 'string') {
    view.apiVersion = typeof gvk.group === 'string' && gvk.group !== '' ? `${gvk.group}/${gvk.version}` : gvk.version
  }
  if (sent.kind === undefined && isRecord(gvk) && typeof gvk.kind === 'string') view.kind = gvk.kind
  const viewMeta: JsonObject = { ...meta }
  // A Pod made by a ReplicaSet has only generateName; its name is chosen after admission.
  if (meta.name === undefined || meta.name === '') {
    const name = typeof request.name === 'string' && request.name !== '' ? request.name : meta.generateName
    if (typeof name === 'string' && name !== '') viewMeta.name = name
  }
  if (
    (meta.namespace === undefined || meta.namespace === '') &&
    typeof request.namespace === 'string' &&
    request.namespace !== ''
  ) {
    viewMeta.namespace = request.namespace
  }
  view.metadata = viewMeta
  return { sent, view }
}

/** `hooked` with the fields `objectUnderReview` filled in put back as the API server sent them. */
function undoFilledIn(hooked: JsonObject, original: JsonObject): JsonObject {
  if (original.apiVersion === undefined) delete hooked.apiVersion
  if (original.kind === undefined) delete hooked.kind
  const meta = hooked.metadata
  if (!isObject(meta)) return hooked
  const was = original.metadata
  if (!isObject(was)) {
    delete meta.name
    delete meta.namespace
    if (Object.keys(meta).length === 0) delete hooked.metadata
    return hooked
  }
  if (was.name === undefined) delete meta.name
  else meta.name = was.name
  if (was.namespace === undefined) delete meta.namespace
  else meta.namespace = was.namespace
  return hooked
}

/** The hook kinds the `krake-hooks/injected` annotation names, with `kinds` added, in Krake's order. */
function injectedValue(object: JsonObject, kinds: readonly HookKind[]): string {
  const meta = object.metadata
  const old = isObject(meta) && isObject(meta.annotations) ? meta.annotations[INJECTED_ANNOTATION] : undefined
  // the common case, a Pod that names none: `kinds` is in Krake's order already (plansOf sorts the plans)
  if (old === undefined) return kinds.join(',')
  const had = typeof old === 'string' ? old.split(',').map((k) => k.trim()) : []
  const all = new Set<string>([...had.filter((k) => k !== ''), ...kinds])
  const known = HOOK_KINDS.filter((k) => all.has(k))
  return [...known, ...[...all].filter((k) => !known.includes(k as HookKind))].join(',')
}

function setInjected(object: JsonObject, kinds: readonly HookKind[]): void {
  const meta = object.metadata as JsonObject // objectUnderReview made it an object
  const annotations = isObject(meta.annotations) ? meta.annotations : {}
  annotations[INJECTED_ANNOTATION] = injectedValue(object, kinds)
  meta.annotations = annotations
}

/** One operation's JSON text, as JSON.stringify writes diffJson's. */
const opText = (name: 'add' | 'replace', path: string, v: Json) =>
  `{"op":"${name}","path":${JSON.stringify(path)},"value":${JSON.stringify(v)}}`

const wholeAnnotationOps = new Map<string, string>()

/** The operation that adds the annotations `{ "krake-hooks/injected": kinds }` to a Pod that has none. */
function wholeAnnotationOp(kinds: readonly HookKind[]): string {
  const value = kinds.join(',') // in Krake's order: plansOf sorts the plans, and the Pod names none
  let text = wholeAnnotationOps.get(value)
  if (text === undefined) {
    text = opText('add', '/metadata/annotations', { [INJECTED_ANNOTATION]: value })
    wholeAnnotationOps.set(value, text) // HookKind values only: as many as their orders, a few
  }
  return text
}

/**
 * The operation that writes the injected annotation into the object under
 * review, as diffJson writes it against the hooked copy that setInjected
 * annotates (undefined: the annotation says so already).
 */
function injectedOp(view: JsonObject, kinds: readonly HookKind[]): string | undefined {
  const annotations = (view.metadata as JsonObject).annotations // objectUnderReview made metadata an object
  // the common case, a Pod with no annotations: one text per set of kinds (a few), made once
  if (annotations === undefined) return wholeAnnotationOp(kinds)
  const value = injectedValue(view, kinds)
  // annotations that are no object (null, a string): setInjected makes them one, which diffJson replaces
  if (!isObject(annotations)) return opText('replace', '/metadata/annotations', { [INJECTED_ANNOTATION]: value })
  const path = `/metadata/annotations/${escapeSegment(INJECTED_ANNOTATION)}`
  const old = Object.hasOwn(annotations, INJECTED_ANNOTATION) ? annotations[INJECTED_ANNOTATION] : undefined
  if (old === value) return undefined
  return opText(old === undefined ? 'add' : 'replace', path, value)
}

/**
 * For test/admission/review-patch.test.ts: `diffOnly` set, every patch is
 * diffed (the way any other object takes), so that the patch read off the
 * fast path's additions can be held to the diff byte for byte; `onWay`, when
 * set, is told which way each patch was made. Internal: the package root
 * does not export it.
 */
export const reviewPatchWay: {
  diffOnly?: boolean | undefined
  onWay?: ((way: 'noted' | 'diffed') => void) | undefined
} = {}

/**
 * The patch for a workload hooked by one plan on the fast path, read off its
 * `additions` (the lists the hook wrote into), with the annotation: the
 * operations diffJson(view, hooked copy) writes, in its order, as JSON text.
 * diffJson walks the hooked copy's keys in order, and the copy has the
 * view's: the annotation comes first when `metadata` comes before the first
 * key of the way to the pod spec.
 */
function notedPatch(
  view: JsonObject,
  plan: Plan,
  additions: readonly Addition[],
  kinds: readonly HookKind[],
  location: readonly string[],
): string[] {
  const ops = additionOps(plan, additions)
  const annotation = injectedOp(view, kinds)
  if (annotation === undefined) return ops
  const keys = Object.keys(view)
  if (keys.indexOf('metadata') < keys.indexOf(location[0] ?? '')) ops.unshift(annotation)
  else ops.push(annotation)
  return ops
}

/** The resolver's answer checked and made into plans, complete before shutdown; a string is the 500's message. */
function plansOf(bound: unknown): Plan[] | string {
  const list: unknown[] = bound === undefined ? [] : Array.isArray(bound) ? bound : [bound]
  const plans: Plan[] = []
  for (const [i, binding] of list.entries()) {
    const at = Array.isArray(bound) ? pointer(i) : ''
    if (!isRecord(binding) || !isRecord(binding.hook))
      return `the hook resolver returned an invalid binding at ${at || '/'}: a binding is { hook, options? }`
    try {
      // cast: makePlan checks every field of both
      plans.push(makePlan(binding.hook as unknown as HookSpec, binding.options as InjectOptions | undefined))
    } catch (e) {
      // The webhook's own configuration: say which field, never its value.
      const where = e instanceof HookError ? `${e.code} at ${at}${e.path || '/'}` : 'unreadable'
      return `the webhook's hook configuration is invalid (${where})`
    }
  }
  const kinds = plans.map((p) => p.kind)
  const twice = kinds.find((k, i) => kinds.indexOf(k) !== i)
  if (twice !== undefined) return `the hook resolver returned two bindings of the ${twice} hook`
  return plans.sort((a, b) => HOOK_KINDS.indexOf(a.kind) - HOOK_KINDS.indexOf(b.kind))
}

/** The resolver's bindings for `object`, or the refusal its failure is (apart: a binding may hold any keys). */
function resolve(
  resolver: HookResolver,
  object: JsonObject,
  request: Record<string, unknown>,
  uid: string,
): { bound: unknown } | { refused: Decision } {
  try {
    // cast: the object filled in with apiVersion, kind and name, as JSON: a copy of its own for a resolver
    // that may change it, the review's view for one of ours that only reads; the request as sent
    const given = isReadOnly(resolver) ? object : cloneJson(object)
    return { bound: resolver(given as unknown as KubernetesObject, request as AdmissionRequest) }
  } catch (e) {
    // a Pod that asks for a hook it is not bound to: refused, as a credential it may not hold
    if (e instanceof HookError && e.code === 'ERR_NOT_BOUND') return { refused: deny(uid, 403, describeHookError(e)) }
    if (e instanceof HookError && e.path !== undefined && /^\/metadata(\/|$)/.test(e.path))
      return { refused: deny(uid, 400, describeHookError(e)) }
    const what = e instanceof HookError ? ` (${e.code})` : ''
    return { refused: deny(uid, 500, `the hook resolver failed${what}`) }
  }
}

/**
 * `reviewAdmission`, also saying what it decided: for the webhook command's
 * metrics and logs.
 */
export function decideAdmission(
  review: AdmissionReview,
  hook: HookSpec | HookResolver,
  options?: InjectOptions,
): AdmissionDecision {
  let uid = ''
  try {
    const request: unknown = isRecord(review) ? review.request : undefined
    if (isRecord(request) && typeof request.uid === 'string') uid = request.uid
    if (!isRecord(request) || uid === '') return deny(uid, 400, 'malformed AdmissionReview: request.uid is missing')
    return decideRequest(request, uid, hook, options)
  } catch {
    // a Proxy that throws, a getter that throws: nothing of it is said back
    return deny(uid, 400, 'malformed AdmissionReview: the review could not be read')
  }
}

function decideRequest(
  request: Record<string, unknown>,
  uid: string,
  hook: HookSpec | HookResolver,
  options: InjectOptions | undefined,
): Decision {
  // A Pod's spec cannot change after creation: patching an UPDATE would make it impossible to update or delete.
  if (request.operation !== 'CREATE') return allow(uid, 'operation')
  if (request.subResource !== undefined && request.subResource !== '') return allow(uid, 'subresource')
  if (request.object === undefined || request.object === null) return allow(uid, 'no-object')
  const under = objectUnderReview(request)
  if (typeof under === 'string') return deny(uid, 400, `malformed object: ${under}`)
  const { sent, view } = under
  if (optsOut(view.metadata)) return allow(uid, 'opted-out')

  const resolved = typeof hook === 'function' ? resolve(hook, view, request, uid) : { bound: { hook, options } }
  if ('refused' in resolved) return resolved.refused
  const plans = plansOf(resolved.bound)
  if (typeof plans === 'string') return deny(uid, 500, plans)
  if (plans.length === 0) return allow(uid, 'not-selected')

  let hooked
  try {
    hooked = hookObject(view, plans, reviewPatchWay.diffOnly !== true)
  } catch (e) {
    if (!(e instanceof HookError)) return deny(uid, 500, 'the hook failed unexpectedly')
    return deny(uid, e.code === 'ERR_CONFLICT' ? 409 : 400, describeHookError(e))
  }
  const { results, additions } = hooked
  const after = hooked.hooked as JsonObject // hookObject keeps an object an object
  const kinds = plans.map((p) => p.kind)
  const location =
    typeof after.apiVersion === 'string' && typeof after.kind === 'string'
      ? podSpecLocation(after.apiVersion, after.kind)
      : undefined
  let ops: string[]
  const only = plans.length === 1 ? plans[0] : undefined
  if (additions !== undefined && only !== undefined && isObject(sent.metadata)) {
    // one hook on the fast path: the patch is what it added, and nothing is diffed
    ops = location === undefined ? [] : notedPatch(view, only, additions, kinds, location)
    reviewPatchWay.onWay?.('noted')
  } else {
    if (location !== undefined) setInjected(after, kinds)
    // The hook never changes what the view filled in (name, namespace, apiVersion, kind), so a diff from the
    // view leaves them out, and applies to the object as sent wherever its metadata is there to patch;
    // where it was missing, the filled-in fields are taken out of the hooked copy first.
    const patch = isObject(sent.metadata) ? diffJson(view, after) : diffJson(sent, undoFilledIn(after, sent))
    ops = patch.map((op) => JSON.stringify(op))
    reviewPatchWay.onWay?.('diffed')
  }
  const response: AdmissionResponse = { uid, allowed: true }
  const warnings = results
    .filter((r) => r.severity !== 'info')
    .map((r) =>
      r.message.length > MAX_WARNING_LENGTH ? r.message.slice(0, MAX_WARNING_LENGTH - 3) + '...' : r.message,
    )
  if (warnings.length > 0) response.warnings = warnings
  if (ops.length === 0) return { review: answer(response), outcome: { outcome: 'allowed', reason: 'unchanged' } }
  response.patchType = 'JSONPatch'
  // the operations' texts joined as JSON.stringify writes their list
  response.patch = Buffer.from(`[${ops.join(',')}]`, 'utf8').toString('base64')
  return { review: answer(response), outcome: { outcome: 'patched', kinds } }
}

/**
 * Answers an `admission.k8s.io/v1` `AdmissionReview` from a mutating
 * admission webhook: the object under review, hooked, as a JSON Patch.
 *
 * - Only `CREATE` of the object itself is patched: an UPDATE, DELETE or
 *   CONNECT, or a request for a subresource, is allowed with no patch (a
 *   Pod's spec cannot change after creation). `dryRun` is answered as any
 *   other request.
 * - `hook` is one hook, or a {@link HookResolver} that picks the hooks per
 *   object (the way one webhook serves every application of a cluster).
 * - An object annotated `krake-hooks/inject: "false"` is allowed unpatched.
 * - A hooked workload gets the annotation `krake-hooks/injected` naming the
 *   hook kinds it carries; called again on its own output (reinvocation), the
 *   answer is allowed with no patch.
 * - Never throws: a malformed review or object is answered 400, a conflict
 *   under `onConflict: 'error'` 409, a broken hook configuration or resolver
 *   500, each with a message that names the problem and never a token.
 *
 * The ConfigMap or Secret that the hooked pods mount (and, with `tokenFrom:
 * 'secret'`, read) is not created here: a webhook cannot add objects. Create
 * `hookPatch(...).objects` in the namespace first, as a controller does.
 *
 * @example
 * ```ts
 * https.createServer({ key, cert }, async (req, res) => {
 *   const review = JSON.parse(await readBody(req))
 *   res.setHeader('content-type', 'application/json')
 *   res.end(JSON.stringify(reviewAdmission(review, hook)))
 * })
 * ```
 */
export function reviewAdmission(
  review: AdmissionReview,
  hook: HookSpec | HookResolver,
  options?: InjectOptions,
): AdmissionReview {
  return decideAdmission(review, hook, options).review
}
