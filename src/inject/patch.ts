import { HookError } from '../errors.js'
import { cloneJson, type Json } from '../lib/clone.js'
import { diffJson, type JsonPatchOperation } from '../lib/json-patch.js'
import type { KubernetesObject } from '../lib/kubernetes.js'
import { isObject } from '../lib/json.js'
import { runInjection } from './inject.js'
import { makePlan, type Plan } from './plan.js'
import type { HookResult, HookSpec, InjectOptions } from './types.js'

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
  const before = cloneJson(manifest)
  if (!isObject(before))
    throw new HookError('ERR_INVALID_MANIFEST', 'the manifest must be a Kubernetes object', { path: '' })
  const out: Json[] = [cloneJson(before)]
  const { results, summary } = runInjection(out, plan, () => [])
  results.push(summary)
  const [hooked = before, ...objects] = out
  // the hook's objects are the ConfigMaps and Secrets it built, each with apiVersion, kind and metadata.name
  return { patch: diffJson(before, hooked), objects: objects as unknown as KubernetesObject[], results }
}
