// krake-hooks/app: what an application container needs to tell Krake it is
// done (signalHook) and what the shutdown flow's caller sends it. Loads no
// certificate, YAML or metrics code.
export { signalHook } from '../signal/signal.js'
export type { SignalHookOptions, SignalResult } from '../signal/signal.js'
export { requestShutdown } from '../shutdown/request.js'
export type { RequestShutdownOptions, ShutdownRequestResult } from '../shutdown/request.js'
export { HookError } from '../errors.js'
export type { HookErrorCode, HookErrorOptions } from '../errors.js'
export type { AppRef, HookKind } from '../types.js'
