// The package root: every public name. Each audience's entry (krake-hooks/app,
// /api, /admission, /krake, /yaml) holds its own names; the root adds theirs
// together and the names no entry holds (the certificate issuer, the patch
// forms, the token, the Kubernetes types).
export * from './entries/app.js'
export * from './entries/api.js'
export * from './entries/admission.js'
export * from './entries/krake.js'
export * from './entries/yaml.js'

export {
  injectHook,
  hookUrl,
  removeHook,
  FIELD_MANAGER,
  hookApplyConfiguration,
  hookStrategicPatch,
  type HookApplyConfiguration,
  type HookStrategicPatch,
} from './inject/index.js'
export { checkHookCall } from './verify/check-call.js'
export type { HookCall, HookCallApi, HookCallCheck } from './verify/check-call.js'
export type { InjectResult } from './types.js'
export type { JsonOf, JsonValueOf, KubernetesObject, Manifest, ObjectMeta, WithToJSON } from './lib/kubernetes.js'
export type { Json, JsonObject } from './lib/clone.js'
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
