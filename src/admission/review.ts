import { describeHookError, HookError } from '../errors.js'
import { patchWithPlan } from '../inject/patch.js'
import { makePlan, type Plan } from '../inject/plan.js'
import type { HookSpec, InjectOptions } from '../inject/types.js'
import { cloneJson, type JsonObject } from '../lib/clone.js'
import { isRecord } from '../lib/json.js'

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
  /** What is being done to the object. */
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'
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
    /** The HTTP status the API server answers with (400, 409, 500). */
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

const API_VERSION = 'admission.k8s.io/v1'
// The API server passes each warning on to the client and truncates those over 256 characters.
const MAX_WARNING_LENGTH = 256

const answer = (response: AdmissionResponse): AdmissionReview => ({
  apiVersion: API_VERSION,
  kind: 'AdmissionReview',
  response,
})
const deny = (uid: string, code: number, message: string) => answer({ uid, allowed: false, status: { code, message } })

/** The object as the hook sees it: name, namespace, apiVersion and kind filled in from the request where the object leaves them out. */
function objectUnderReview(request: AdmissionRequest): JsonObject | string {
  let object
  try {
    object = cloneJson(request.object, ['request', 'object'])
  } catch (e) {
    return e instanceof HookError ? `${e.code} at ${e.path}` : 'unreadable'
  }
  if (!isRecord(object)) return 'request.object must be a Kubernetes object'
  const gvk = request.kind
  if (object.apiVersion === undefined && isRecord(gvk) && typeof gvk.version === 'string') {
    object.apiVersion = typeof gvk.group === 'string' && gvk.group !== '' ? `${gvk.group}/${gvk.version}` : gvk.version
  }
  if (object.kind === undefined && isRecord(gvk) && typeof gvk.kind === 'string') object.kind = gvk.kind
  const meta = object.metadata ?? {}
  if (!isRecord(meta)) return 'request.object.metadata must be an object'
  object.metadata = meta
  // A Pod made by a ReplicaSet has only generateName; its name is chosen after admission.
  if (meta.name === undefined || meta.name === '') {
    const name = typeof request.name === 'string' && request.name !== '' ? request.name : meta.generateName
    if (typeof name === 'string' && name !== '') meta.name = name
  }
  if (
    (meta.namespace === undefined || meta.namespace === '') &&
    typeof request.namespace === 'string' &&
    request.namespace !== ''
  ) {
    meta.namespace = request.namespace
  }
  return object
}

/**
 * Answers an `admission.k8s.io/v1` `AdmissionReview` from a mutating
 * admission webhook: the object under review, hooked, as a JSON Patch. Never
 * throws: a malformed review or object is answered with `allowed: false` and
 * a `status` whose message names the problem (never the token); an object
 * that is not a workload, or is hooked already, is allowed without a patch.
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
export function reviewAdmission(review: AdmissionReview, hook: HookSpec, options?: InjectOptions): AdmissionReview {
  const request: unknown = isRecord(review) ? review.request : undefined
  if (!isRecord(request) || typeof request.uid !== 'string' || request.uid === '') {
    const uid = isRecord(request) && typeof request.uid === 'string' ? request.uid : ''
    return deny(uid, 400, 'malformed AdmissionReview: request.uid is missing')
  }
  const uid = request.uid
  let plan: Plan
  try {
    plan = makePlan(hook, options)
  } catch (e) {
    // The webhook's own configuration: say which field, never its value.
    const where = e instanceof HookError ? `${e.code} at ${e.path || '/'}` : 'unreadable'
    return deny(uid, 500, `the webhook's hook configuration is invalid (${where})`)
  }
  if (request.operation !== undefined && request.operation !== 'CREATE' && request.operation !== 'UPDATE')
    return answer({ uid, allowed: true })
  if (request.object === undefined || request.object === null) return answer({ uid, allowed: true })

  const object = objectUnderReview(request as AdmissionRequest)
  if (typeof object === 'string') return deny(uid, 400, `malformed object: ${object}`)
  let hooked
  try {
    hooked = patchWithPlan(object, plan)
  } catch (e) {
    if (!(e instanceof HookError)) return deny(uid, 500, 'the hook failed unexpectedly')
    return deny(uid, e.code === 'ERR_CONFLICT' ? 409 : 400, describeHookError(e))
  }
  const warnings = hooked.results
    .filter((r) => r.severity !== 'info')
    .map((r) =>
      r.message.length > MAX_WARNING_LENGTH ? r.message.slice(0, MAX_WARNING_LENGTH - 3) + '...' : r.message,
    )
  const response: AdmissionResponse = { uid, allowed: true }
  if (hooked.patch.length > 0) {
    response.patchType = 'JSONPatch'
    response.patch = Buffer.from(JSON.stringify(hooked.patch), 'utf8').toString('base64')
  }
  if (warnings.length > 0) response.warnings = warnings
  return answer(response)
}
