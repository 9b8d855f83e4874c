export { HookError } from './errors.js'
export type { HookErrorCode, HookErrorOptions } from './errors.js'

export { injectHook } from './inject/inject.js'
export { hookUrl } from './inject/endpoint.js'
export { hookPatch } from './inject/patch.js'
export { removeHook } from './inject/remove.js'
export { checkHookCall } from './verify/check-call.js'
export type { HookCall, HookCallApi, HookCallCheck } from './verify/check-call.js'
export { FIELD_MANAGER, hookApplyConfiguration, hookStrategicPatch } from './inject/strategic.js'
export type { HookApplyConfiguration, HookStrategicPatch } from './inject/strategic.js'
export type { HookPatch } from './inject/patch.js'
export type { JsonPatchAdd, JsonPatchOperation, JsonPatchRemove, JsonPatchReplace } from './lib/json-patch.js'
export { decideAdmission, INJECT_ANNOTATION, INJECTED_ANNOTATION, reviewAdmission } from './admission/review.js'
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
} from './admission/review.js'
export { APP_LABEL, APP_NAMESPACE_ANNOTATION, createHookResolver, HOOKS_ANNOTATION } from './admission/resolver.js'
export type {
  AppRef,
  HookKind,
  HookResult,
  HookSpec,
  HookTls,
  InjectOptions,
  InjectResult,
  ResourceRef,
} from './types.js'

export type { JsonOf, JsonValueOf, KubernetesObject, Manifest, ObjectMeta, WithToJSON } from './lib/kubernetes.js'
export type { Json, JsonObject } from './lib/clone.js'

export { createHookToken } from './token/create.js'

export { parseManifests } from './yaml/parse.js'
export { stringifyManifests } from './yaml/stringify.js'

export { createCertificateIssuer, issueHookCertificate, DEFAULT_HOOK_USER } from './cert/issuer.js'
export type {
  CertificateIssuer,
  IssuedCertificate,
  IssueHookCertificateParams,
  IssueParams,
  IssuerMaterial,
} from './cert/issuer.js'
export { buildCaBundle } from './cert/bundle.js'
export type { KeyAlgorithm } from './cert/keys.js'
export type { CryptoProvider } from './cert/provider.js'

export { hashHookToken, verifyHookToken } from './verify/token.js'
export { verifyHookRequest, INVALID_TOKEN_REASON } from './verify/request.js'
export { peerCertificatePem } from './verify/peer.js'
export { createHookHandler } from './verify/handler.js'
export { readRequestBody } from './lib/body.js'
export type { BodyRefusal } from './lib/body.js'
export type { HookHandler, HookHandlerOptions } from './verify/handler.js'
export { applyHookCall } from './verify/apply-call.js'
export type { ApplyHookCallOptions, HookCallOutcome, HookCallResult } from './verify/apply-call.js'

export { signalHook } from './signal/signal.js'
export type { SignalHookOptions, SignalResult } from './signal/signal.js'

export { requestShutdown } from './shutdown/request.js'
export type { RequestShutdownOptions, ShutdownRequestResult } from './shutdown/request.js'
export { nextShutdownStep } from './shutdown/next-step.js'
export type { ShutdownProgress, ShutdownSettings, ShutdownStep } from './shutdown/next-step.js'
export type {
  AcceptedCall,
  HookRequest,
  RefusedCall,
  TokenLookup,
  VerifyRequestOptions,
  VerifyResult,
} from './verify/request.js'

export { parseKrakeHooksConfig } from './krake/config.js'
export type {
  KrakeHookConfig,
  KrakeHooksConfig,
  KrakeLayout,
  KrakeShutdownHookConfig,
  ParseKrakeHooksOptions,
  ShutdownFailureStrategy,
} from './krake/config.js'
export { mangleApplication } from './krake/mangle.js'
export type { KrakeApplication, KrakeHooksContext, KrakeIntermediate, KrakeTls, MangleResult } from './krake/mangle.js'
export { readKrakeTlsFiles } from './krake/files.js'

export { createMemoryHookStore } from './store/memory.js'
export type { HookStore, HookStoreCall, HookStoreOptions } from './store/store.js'
export type { VerifiedCallContext } from './verify/handler.js'
