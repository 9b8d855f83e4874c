export { HookError } from './errors.js'
export type { HookErrorCode, HookErrorOptions } from './errors.js'

export { injectHook } from './inject/inject.js'
export { hookUrl } from './inject/endpoint.js'
export type { AppRef, HookKind, HookResult, HookSpec, HookTls, InjectOptions, InjectResult, ResourceRef } from './inject/types.js'

export { createHookToken } from './token/create.js'

export { parseManifests } from './yaml/parse.js'
export { stringifyManifests } from './yaml/stringify.js'
