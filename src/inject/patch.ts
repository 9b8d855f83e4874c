import { HookError } from '../errors.js'
import { cloneJson, type Json, type JsonObject } from '../lib/clone.js'
import { diffJson, type JsonPatchOperation } from '../lib/json-patch.js'
import type { KubernetesObject } from '../lib/kubernetes.js'
import { isObject } from '../lib/json.js'
import { runInjection } from './inject.js'
import { makePlan, type Plan } from './plan.js'
import type { HookResult, HookSpec, InjectOptions } from '../types.js'

/** What `hookPatch` returns. */
export interface HookPatch {
  /** RFC 6902 operations, with paths relative to the manifest; `[]` when it is not a workload or is hooked already. */
  patch: JsonPatchOperation[]
  /** The ConfigMaps and Secrets the hooked manifest refers to, which must exist beside it. */
  objects: KubernetesObject[]
  /** What `injectHook` would have said of the same manifest. */
  results: HookResult[]
}

/**
 * The hook as a JSON Patch for one manifest: applied to `manifest` (read as
 * JSON), `patch` gives exactly what `injectHook([manifest], hook, options)`
 * returns for it, and `objects` are the other objects that call returns. For
 * a mutating admission webhook (see `reviewAdmission`) or cdk8s's
 * `ApiObject.addJsonPatch`, where the object itself cannot be replaced.
 *
 * @param manifest One Kubernetes object (a `v1` `List` counts as one).
 * @param hook The hook, as for `injectHook`.
 * @param options As for `injectHook`.
 * @throws HookError as `injectHook` does, with paths relative to `manifest`
 *   (hook and option errors keep theirs, relative to `hook` and `options`).
 *
 * @example
 * ```ts
 * const { patch, objects } = hookPatch(deployment, { kind: 'complete', app, apiEndpoint, token })
 * // patch: [{ op: 'add', path: '/spec/template/spec/containers/0/env', value: [...] }, ...]
 * ```
 */
export function hookPatch(manifest: object, hook: HookSpec, options?: InjectOptions): HookPatch {
  return patchWithPlan(manifest, makePlan(hook, options))
}

/** hookPatch for a hook checked already (reviewAdmission checks it first, to answer 500 for it). */
export function patchWithPlan(manifest: object, plan: Plan): HookPatch {
  const { before, after, objects, results } = hookedCopy(manifest, plan)
  return { patch: diffJson(before, after), objects, results }
}

/**
 * The manifest read as JSON (`before`) and a copy of it hooked (`after`),
 * with the hook's objects and injectHook's results: what every patch form
 * (JSON Patch, strategic merge, apply configuration) is read off.
 */
export function hookedCopy(
  manifest: object,
  plan: Plan,
): { before: JsonObject; after: JsonObject; objects: KubernetesObject[]; results: HookResult[] } {
  const before = cloneJson(manifest)
  if (!isObject(before))
    throw new HookError('ERR_INVALID_MANIFEST', 'the manifest must be a Kubernetes object', { path: '' })
  const out: Json[] = [cloneJson(before)]
  const { results, summary } = runInjection(out, plan, () => [])
  results.push(summary)
  const [hooked = before, ...objects] = out
  // casts: runInjection keeps an object an object; the hook's objects are the ConfigMaps and Secrets
  // it built, each with apiVersion, kind and metadata.name
  return { before, after: hooked as JsonObject, objects: objects as unknown as KubernetesObject[], results }
}
