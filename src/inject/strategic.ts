// The hook as the two other shapes controllers write objects in: a strategic
// merge patch (kubectl patch, client-node's patch with the strategic content
// type) and an apply configuration for server-side apply. Both are read off
// the same hooked copy that hookPatch diffs, with the merge keys Kubernetes
// gives the lists the hook writes into.
import { HookError } from '../errors.js'
import type { Json, JsonObject } from '../lib/clone.js'
import { isObject, jsonEqual } from '../lib/json.js'
import type { KubernetesObject } from '../lib/kubernetes.js'
import { fieldName, pointer } from '../lib/pointer.js'
import { hookedCopy } from './patch.js'
import { makePlan } from './plan.js'
import type { HookResult, HookSpec, InjectOptions } from '../types.js'
import { podSpecLocation } from '../lib/workloads.js'

export { FIELD_MANAGER } from '../contract.js'

/** What `hookStrategicPatch` returns. */
export interface HookStrategicPatch {
  /** A strategic merge patch; `{}` when the manifest is not a workload or is hooked already. */
  patch: JsonObject
  /** The ConfigMaps and Secrets the hooked manifest refers to, which must exist beside it. */
  objects: KubernetesObject[]
  /** What `injectHook` would have said of the same manifest. */
  results: HookResult[]
}

/** What `hookApplyConfiguration` returns. */
export interface HookApplyConfiguration {
  /** The apply configuration: identity fields and only the fields the hook owns. */
  applyConfiguration: KubernetesObject
  /** The ConfigMaps and Secrets the hooked manifest refers to, which must exist beside it. */
  objects: KubernetesObject[]
  /** What `injectHook` would have said of the same manifest. */
  results: HookResult[]
}

/** Where a map is, for the merge keys of its lists: inside a pod spec, inside a container, or elsewhere. */
type Place = 'pod' | 'container' | 'other'

/** The merge key of a list of the pod spec or of a container (Kubernetes' `patchMergeKey`), if it has one the hook writes. */
function mergeKeyOf(place: Place, field: string): { key: string; inner: Place } | undefined {
  if (place === 'pod') {
    if (field === 'containers' || field === 'initContainers') return { key: 'name', inner: 'container' }
    if (field === 'volumes') return { key: 'name', inner: 'other' }
  }
  if (place === 'container') {
    if (field === 'env') return { key: 'name', inner: 'other' }
    if (field === 'volumeMounts') return { key: 'mountPath', inner: 'other' }
  }
  return undefined
}

interface Mode {
  /** true: an apply configuration (no directives, nothing deleted, whole entries); false: a strategic merge patch. */
  apply: boolean
  /** The path of the pod spec from the manifest's root. */
  location: readonly string[]
}

/** The map patch from `a` to `b` at `path` (a strategic merge patch of two maps): changed fields, `null` for removed ones. */
function diffMap(a: JsonObject, b: JsonObject, path: readonly string[] | Place, mode: Mode): JsonObject {
  const out: JsonObject = {}
  const place: Place = typeof path === 'string' ? path : sameList(path, mode.location) ? 'pod' : 'other'
  // a pod spec whose containers or volumes repeat a key: kubectl merges such a list out of order
  // (it groups the entries of one key), so the pod spec is replaced whole
  if (place === 'pod' && !mode.apply && !(podListsKeyed(a) && podListsKeyed(b))) return { $patch: 'replace', ...b }
  for (const k of Object.keys(b)) {
    const va = a[k]
    const vb = b[k] ?? null
    if (va !== undefined && jsonEqual(va, vb)) continue
    const merge = mergeKeyOf(place, k)
    if (merge !== undefined && Array.isArray(va) && Array.isArray(vb)) {
      diffKeyed(out, k, va, vb, merge, mode)
    } else if (isObject(va) && isObject(vb)) {
      out[k] = diffMap(va, vb, typeof path === 'string' ? 'other' : [...path, k], mode)
    } else {
      out[k] = vb
    }
  }
  if (!mode.apply) for (const k of Object.keys(a)) if (!(k in b)) out[k] = null
  return out
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i])
}

/** Whether the pod spec's keyed lists (containers, init containers, volumes) each have distinct keys. */
function podListsKeyed(pod: JsonObject): boolean {
  for (const field of ['containers', 'initContainers', 'volumes']) {
    const list = pod[field]
    if (Array.isArray(list) && !uniquelyKeyed(list, 'name')) return false
  }
  return true
}

/** Whether a container's keyed lists (env by name, volumeMounts by mountPath) each have distinct keys. */
function containerListsKeyed(container: JsonObject): boolean {
  const { env, volumeMounts } = container
  return (
    (!Array.isArray(env) || uniquelyKeyed(env, 'name')) &&
    (!Array.isArray(volumeMounts) || uniquelyKeyed(volumeMounts, 'mountPath'))
  )
}

/** Whether every entry of `list` is a map with a distinct string `key`. */
function uniquelyKeyed(list: readonly Json[], key: string): list is JsonObject[] {
  const seen = new Set<string>()
  for (const e of list) {
    if (!isObject(e) || typeof e[key] !== 'string' || seen.has(e[key])) return false
    seen.add(e[key])
  }
  return true
}

/**
 * The patch of a list merged by `key`, into `out[field]`: the entries added
 * or changed (changed ones as map patches), deletions, and the order of the
 * result as `$setElementOrder/<field>` (kubectl puts patched entries first
 * without it). A list whose keys are not unique is replaced whole
 * (`$patch: replace`): a merge by key cannot tell its entries apart.
 */
function diffKeyed(
  out: JsonObject,
  field: string,
  a: Json[],
  b: Json[],
  merge: { key: string; inner: Place },
  mode: Mode,
): void {
  const { key } = merge
  // env with a repeated name (`A=1, B=$(A), A=2` is valid, and B reads the A before it): kubectl
  // merges even a `$patch: replace` of such a list by key, moving the second A up beside the first,
  // so the containers list holding it is replaced whole, which kubectl takes as written
  const replaceWhole =
    !uniquelyKeyed(a, key) ||
    !uniquelyKeyed(b, key) ||
    (!mode.apply && merge.inner === 'container' && !(a.every(containerListsKeyed) && b.every(containerListsKeyed)))
  if (replaceWhole) {
    // an apply configuration cannot say "replace": the hook's entries alone are what it owns
    out[field] = mode.apply ? b.filter((e) => !a.some((x) => jsonEqual(x, e))) : [{ $patch: 'replace' }, ...b]
    return
  }
  const before = new Map(a.map((e) => [e[key] as string, e]))
  const after = new Set(b.map((e) => e[key] as string))
  const entries: JsonObject[] = []
  for (const eb of b) {
    const ea = before.get(eb[key] as string)
    if (ea === undefined) entries.push(eb)
    else if (!jsonEqual(ea, eb)) entries.push(changedEntry(ea, eb, merge, mode))
    else if (mode.apply && merge.inner === 'container') entries.push({ name: eb.name ?? null }) // keeps the containers' order
  }
  if (mode.apply) {
    if (entries.length > 0) out[field] = entries
    return
  }
  for (const ea of a) if (!after.has(ea[key] as string)) entries.push({ [key]: ea[key] ?? null, $patch: 'delete' })
  out[`$setElementOrder/${field}`] = b.map((e) => ({ [key]: e[key] ?? null }))
  if (entries.length > 0) out[field] = entries
}

/** An entry that `eb` replaces or changes: its key and what differs (a patch), or (apply) the whole new entry with `null` for the fields it drops. */
function changedEntry(ea: JsonObject, eb: JsonObject, merge: { key: string; inner: Place }, mode: Mode): JsonObject {
  const { key } = merge
  if (mode.apply && merge.inner !== 'container') {
    const whole: JsonObject = { ...eb }
    for (const k of Object.keys(ea)) if (!(k in eb)) whole[k] = null
    return whole
  }
  return { [key]: eb[key] ?? null, ...diffMap(ea, eb, merge.inner, mode) }
}

/** Whether a key is one kubectl reads as a directive in a strategic merge patch, not as a field. */
const isDirective = (key: string) =>
  key === '$patch' ||
  key === '$retainKeys' ||
  key.startsWith('$setElementOrder/') ||
  key.startsWith('$deleteFromPrimitiveList/')

/**
 * Refuses a manifest holding a key that a strategic merge patch reads as a
 * directive: carried into the patch (a new entry is written whole), kubectl
 * would act on it (an entry with `$patch` moves to the end of its list)
 * instead of keeping it. No Kubernetes field is named so.
 */
function refuseDirectives(value: Json, at: Array<string | number>): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => refuseDirectives(v, [...at, i]))
  } else if (isObject(value)) {
    for (const k of Object.keys(value)) {
      if (isDirective(k))
        throw new HookError(
          'ERR_INVALID_MANIFEST',
          `${fieldName([...at, k])} is a strategic merge patch directive, not a field: kubectl would act on it`,
          { path: pointer(...at, k) },
        )
      refuseDirectives(value[k] ?? null, [...at, k])
    }
  }
}

/** The manifest cloned and hooked, as hookPatch makes it. */
const hooked = (manifest: object, hook: HookSpec, options: InjectOptions | undefined) =>
  hookedCopy(manifest, makePlan(hook, options))

const locationOf = (obj: JsonObject) =>
  typeof obj.apiVersion === 'string' && typeof obj.kind === 'string'
    ? podSpecLocation(obj.apiVersion, obj.kind)
    : undefined

/**
 * The hook as a strategic merge patch for one manifest: `kubectl patch
 * --local --type strategic -p PATCH -f manifest` gives exactly what
 * `injectHook([manifest], hook, options)` returns for it, entry order
 * included (each list the hook touches carries `$setElementOrder`; a
 * replaced entry carries `null` for the fields the hook's lacks; a
 * container whose env repeats a name, as `A=1, B=$(A), A=2` may, is sent
 * with its containers list as `$patch: replace`, since kubectl reorders a
 * list of repeated keys even when told to replace it). For
 * client-node's `patchNamespacedDeployment` with the
 * `application/strategic-merge-patch+json` content type.
 *
 * @param manifest One Kubernetes object.
 * @param hook The hook, as for `injectHook`.
 * @param options As for `injectHook`.
 * @throws HookError as `hookPatch` does; `ERR_INVALID_MANIFEST` for a
 *   manifest holding a key kubectl reads as a directive (`$patch`,
 *   `$retainKeys`, `$setElementOrder/...`, `$deleteFromPrimitiveList/...`).
 *
 * @example
 * ```ts
 * const { patch, objects } = hookStrategicPatch(deployment, hook)
 * // patch.spec.template.spec.containers: [{ name: 'web', env: [...], ... }]
 * ```
 */
export function hookStrategicPatch(manifest: object, hook: HookSpec, options?: InjectOptions): HookStrategicPatch {
  const { before, after, objects, results } = hooked(manifest, hook, options)
  refuseDirectives(before, [])
  const location = locationOf(after) ?? []
  return { patch: diffMap(before, after, [], { apply: false, location }), objects, results }
}

/**
 * The hook as an apply configuration for server-side apply under the field
 * manager `krake-hooks`: `apiVersion`, `kind`, `metadata.name` and
 * `metadata.namespace`, and only the fields the hook owns down the pod
 * spec's path: every hooked container by name, in order, with the hook's env
 * entries (keyed by name) and mount (keyed by mountPath), and the pod's
 * volume (keyed by name). The user's own entries are not in it, so applying
 * it claims nothing of theirs.
 *
 * Merged onto the manifest as a strategic merge it gives `injectHook`'s
 * manifest, but for the order of entries within env, volumes and
 * volumeMounts: a merge puts the entries it names first, `injectHook`
 * appends them. An entry the hook replaces carries `null` for the fields the
 * hook's lacks (a `valueFrom` where the hook sets `value`).
 *
 * @param manifest One Kubernetes object.
 * @param hook The hook, as for `injectHook`.
 * @param options As for `injectHook`.
 * @throws HookError as `hookPatch` does.
 *
 * @example
 * ```ts
 * const { applyConfiguration } = hookApplyConfiguration(deployment, hook)
 * await objects.patch(applyConfiguration, undefined, undefined, 'krake-hooks', true, PatchStrategy.ServerSideApply)
 * ```
 */
export function hookApplyConfiguration(
  manifest: object,
  hook: HookSpec,
  options?: InjectOptions,
): HookApplyConfiguration {
  const { before, after, objects, results } = hooked(manifest, hook, options)
  const location = locationOf(after) ?? []
  const owned = diffMap(before, after, [], { apply: true, location })
  const applyConfiguration: JsonObject = {}
  if (after.apiVersion !== undefined) applyConfiguration.apiVersion = after.apiVersion
  if (after.kind !== undefined) applyConfiguration.kind = after.kind
  const meta = after.metadata
  const identity: JsonObject = {}
  if (isObject(meta)) {
    if (meta.name !== undefined) identity.name = meta.name
    if (meta.namespace !== undefined && meta.namespace !== null && meta.namespace !== '')
      identity.namespace = meta.namespace
  }
  applyConfiguration.metadata = identity
  for (const [k, v] of Object.entries(owned))
    if (k !== 'apiVersion' && k !== 'kind' && k !== 'metadata') applyConfiguration[k] = v
  // cast: a Kubernetes object's identity fields, copied from the manifest read as JSON
  return { applyConfiguration: applyConfiguration as unknown as KubernetesObject, objects, results }
}
