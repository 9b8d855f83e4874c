// The front door of inject/: everything outside this folder that hooks
// manifests imports from here, never from the modules behind it.
//
// Two doors in one file. The public one is what the package exports. The
// inner one is for the other sides of the house that hook objects their own
// way: admission/ (one object under review, no objects added), krake/ (a
// Krake application's manifest, with Krake's own names for the objects) and
// cli/ (a hook configuration checked when it is read).

// The public door: the package root and the admission entry export these.
export { injectHook } from './inject.js'
export { removeHook } from './remove.js'
export { hookUrl } from './endpoint.js'
export { hookPatch } from './patch.js'
export type { HookPatch } from './patch.js'
export { FIELD_MANAGER, hookApplyConfiguration, hookStrategicPatch } from './strategic.js'
export type { HookApplyConfiguration, HookStrategicPatch } from './strategic.js'

// The inner door.
// A hook and its options checked once and made ready to apply (`makePlan`), and Krake's overrides of our names.
export { makePlan, TOKEN } from './plan.js'
export type { Plan, PlanOverrides } from './plan.js'
// Hook one object by some plans into a copy (`hookObject`), or a list of our own in place with its objects (`runInjection`).
export { hookObject, runInjection } from './inject.js'
export type { HookedObject } from './inject.js'
// A JSON Patch read off what the fast path added to one object (hookObject's additions), not diffed.
export { additionOps } from './added-patch.js'
export type { Addition } from './fast-path.js'
// What a hook adds to a container and a pod spec, the objects it adds, and which objects are its own.
export { certMount, certVolume, hookEnv, hookObjects, isOwnObject, optsOut } from './objects.js'
// A name made from an application's, within Kubernetes' limits.
export { generatedName } from './names.js'
