// krake-hooks/admission: a mutating admission webhook of your own, deciding
// AdmissionReviews with one hook or a resolver over many.
export { decideAdmission, INJECT_ANNOTATION, INJECTED_ANNOTATION, reviewAdmission } from '../admission/review.js'
export type {
  AdmissionAllowed,
  AdmissionDecision,
  AdmissionOutcome,
  AdmissionPatched,
  AdmissionRefused,
  AdmissionRequest,
  AdmissionResponse,
  AdmissionReview,
  AdmissionSkip,
  GroupVersionKind,
  HookBinding,
  HookBound,
  HookResolver,
} from '../admission/review.js'
export { APP_LABEL, APP_NAMESPACE_ANNOTATION, createHookResolver, HOOKS_ANNOTATION } from '../admission/resolver.js'
export { hookPatch, type HookPatch } from '../inject/index.js'
export type { JsonPatchAdd, JsonPatchOperation, JsonPatchRemove, JsonPatchReplace } from '../lib/json-patch.js'
export { HookError } from '../errors.js'
export type { HookErrorCode, HookErrorOptions } from '../errors.js'
export type { AppRef, HookKind, HookResult, HookSpec, HookTls, InjectOptions, ResourceRef } from '../types.js'
