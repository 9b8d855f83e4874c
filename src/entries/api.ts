// krake-hooks/api: the API side of the hooks. The handler, the decision, the
// token check, the stores and Krake's state change; the client certificate
// check reads X.509 with the ASN.1 schemas alone (no Reflect polyfill), and
// nothing here loads YAML or metrics code.
export { createHookHandler } from '../verify/handler.js'
export type { HookHandler, HookHandlerOptions, VerifiedCallContext } from '../verify/handler.js'
export { verifyHookRequest, INVALID_TOKEN_REASON } from '../verify/request.js'
export type {
  AcceptedCall,
  HookRequest,
  RefusedCall,
  TokenLookup,
  VerifyRequestOptions,
  VerifyResult,
} from '../verify/request.js'
export { hashHookToken, verifyHookToken } from '../verify/token.js'
export { peerCertificatePem } from '../verify/peer.js'
export { readRequestBody } from '../lib/body.js'
export type { BodyRefusal } from '../lib/body.js'
export { applyHookCall } from '../verify/apply-call.js'
export type { ApplyHookCallOptions, HookCallOutcome, HookCallResult } from '../verify/apply-call.js'
export { createMemoryHookStore } from '../store/memory.js'
export type { HookStore, HookStoreCall, HookStoreOptions } from '../store/store.js'
export { createHookToken } from '../token/create.js'
export { HookError } from '../errors.js'
export type { HookErrorCode, HookErrorOptions } from '../errors.js'
export type { AppRef, HookKind } from '../types.js'
