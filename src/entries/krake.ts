// krake-hooks/krake: for a Krake fork. Krake's controller configuration read
// as Krake reads it, an Application's manifests mangled as Krake's controller
// does (both eras), the API's state change and the shutdown flow's steps.
export { parseKrakeHooksConfig } from '../krake/config.js'
export type {
  KrakeHookConfig,
  KrakeHooksConfig,
  KrakeLayout,
  KrakeShutdownHookConfig,
  ParseKrakeHooksOptions,
  ShutdownFailureStrategy,
} from '../krake/config.js'
export { mangleApplication } from '../krake/mangle.js'
export type { KrakeApplication, KrakeHooksContext, KrakeIntermediate, KrakeTls, MangleResult } from '../krake/mangle.js'
export { readKrakeTlsFiles } from '../krake/files.js'
export { applyHookCall } from '../verify/apply-call.js'
export type { ApplyHookCallOptions, HookCallOutcome, HookCallResult } from '../verify/apply-call.js'
export { nextShutdownStep } from '../shutdown/next-step.js'
export type { ShutdownProgress, ShutdownSettings, ShutdownStep } from '../shutdown/next-step.js'
export { requestShutdown } from '../shutdown/request.js'
export type { RequestShutdownOptions, ShutdownRequestResult } from '../shutdown/request.js'
export { HookError } from '../errors.js'
export type { HookErrorCode, HookErrorOptions } from '../errors.js'
export type { AppRef, HookKind, HookResult } from '../types.js'
