// removeHook: the exact inverse of injectHook. Every entry the hook wrote is
// taken out where it equals the hook's own, and every object it wrote is
// found by its marks (the managed-by label, the hook and application
// annotations), never by its name alone.
import { HookError } from '../errors.js'
import { cloneJson, type Json, type JsonObject } from '../lib/clone.js'
import { jsonEqual } from '../lib/json.js'
import { refOf, type Manifest } from '../lib/kubernetes.js'
import { pointer } from '../lib/pointer.js'
import {
  entriesOf,
  ENV,
  MOUNTS,
  ownerName,
  takesPlaceOf,
  VOLUMES,
  type ListKind,
  type ListOwner,
  type Site,
} from './collisions.js'
import { checkedManifest, isStore } from './head.js'
import { certMount, certVolume, hookEnv, isOwnObject } from './objects.js'
import { makePlan, type Plan } from './plan.js'
import type { HookResult, HookSpec, InjectOptions, InjectResult } from './types.js'
import { containersOf, findPodSpec, podSpecLocation } from './workloads.js'

type Path = Array<string | number>

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

class Removal {
  readonly results: HookResult[] = []
  workloads = 0
  containers = 0
  objects = 0
  notWorkload = 0
  without = 0

  constructor(readonly plan: Plan) {}

  /** Removes what the hook wrote from `list[index]`; false when the item is the hook's object and must go. */
  keep(list: Json[], index: number, path: Path): boolean {
    const manifest = checkedManifest(list, index, path)
    if ('items' in manifest) {
      this.sweep(manifest.items, [...path, 'items'])
      return true
    }
    const { obj, head } = manifest
    if (isStore(head)) {
      if (isOwnObject(obj, this.plan)) {
        this.objects++
        return false
      }
      this.notWorkload++
      return true
    }
    const location = podSpecLocation(head.apiVersion, head.kind)
    if (location === undefined) {
      this.notWorkload++
      return true
    }
    const site: Site = {
      objPath: path,
      ref: refOf(head.apiVersion, head.kind, head.name, head.namespace),
      policy: { onConflict: 'keep', results: this.results },
    }
    const pod = findPodSpec(obj, location, path)
    let removed = 0
    let containers = 0
    const plan = this.plan
    for (const field of ['initContainers', 'containers'] as const) {
      for (const [i, c] of containersOf(pod, field, path, location).entries()) {
        const owner = { parentRel: [...location, field, i], container: c.name }
        const n =
          this.take(c, hookEnv(plan), ENV, site, owner) +
          (plan.tls === undefined ? 0 : this.take(c, [certMount(plan)], MOUNTS, site, owner))
        if (n > 0) containers++
        removed += n
      }
    }
    if (plan.tls !== undefined) removed += this.take(pod, [certVolume(plan)], VOLUMES, site, { parentRel: location })
    if (removed > 0) {
      this.workloads++
      this.containers += containers
    } else this.without++
    return true
  }

  /** The items of `list` that stay, each with the hook taken out, in place. */
  sweep(list: Json[], path: Path): void {
    let kept = 0
    const n = list.length
    for (let i = 0; i < n; i++) {
      if (this.keep(list, i, [...path, i])) list[kept++] = list[i] ?? null
    }
    list.length = kept
  }

  /**
   * Takes each of `wanted` out of `parent[kind.field]` where an entry equals
   * it; an entry in its place (its name, or a mount's path) that differs is
   * kept, with a warning. A list the hook emptied is removed, as the hook
   * added it. Returns how many entries went.
   */
  take(parent: JsonObject, wanted: readonly JsonObject[], kind: ListKind, site: Site, owner: ListOwner): number {
    const list = entriesOf(parent, kind, site, owner)
    if (list.length === 0) return 0
    const out: JsonObject[] = []
    for (const [i, entry] of list.entries()) {
      const hook = wanted.find((w) => takesPlaceOf(entry, w, kind))
      if (hook === undefined) out.push(entry)
      else if (jsonEqual(entry, hook)) continue
      else {
        out.push(entry)
        this.results.push({
          severity: 'warning',
          message: `${kind.noun} ${JSON.stringify(entry.name)} of ${ownerName(owner)} stands where the hook's would and is not the hook's; kept it`,
          resourceRef: site.ref,
          field: pointer(...owner.parentRel, kind.field, i),
        })
      }
    }
    const removed = list.length - out.length
    if (removed === 0) return 0
    if (out.length > 0) parent[kind.field] = out
    else if (kind.field === 'env') delete parent.env
    else if (kind.field === 'volumes') delete parent.volumes
    else delete parent.volumeMounts
    return removed
  }

  summary(): HookResult {
    const alone = this.notWorkload + this.without
    return {
      severity: 'info',
      message:
        `${this.plan.kind} hook: removed from ${plural(this.workloads, 'workload')} (${plural(this.containers, 'container')}), ` +
        `removed ${plural(this.objects, 'object')}; left alone ${plural(alone, 'object')}: ` +
        `${this.notWorkload} not a workload, ${this.without} without the hook`,
    }
  }
}

/**
 * The exact inverse of `injectHook`: a new manifest list in which every env
 * entry, volume and mount the hook wrote is gone, and so is every ConfigMap
 * and Secret it wrote (known by the label `app.kubernetes.io/managed-by:
 * krake-hooks` and the annotations `krake-hooks/hook` and
 * `krake-hooks/application`, never by name alone). Pure and synchronous, as
 * `injectHook` is.
 *
 * - Only what equals the hook's own goes: an entry of the hook's name (or a
 *   mount at its path) whose value is not the hook's stays, with a warning.
 *   So the same hook (token, TLS material, options) must be given as was
 *   injected; another hook of the same application (the shutdown one) is
 *   left whole.
 * - `removeHook(injectHook(x, hook, o).manifests, hook, o).manifests`
 *   deep-equals `x` for every `x` without entries or objects of the hook's
 *   names, but one: a list the hook appended to that was empty (`env: []`)
 *   comes back absent, as the hook made it (the API server reads both alike).
 * - Idempotent: a second call removes nothing.
 * - Init containers are cleaned whatever `options.initContainers` says.
 *
 * @throws HookError as `injectHook` does, for a bad hook, options or manifest.
 *
 * @example
 * ```ts
 * const { manifests } = removeHook(hooked, hook, options) // hooked: injectHook(...).manifests
 * ```
 */
export function removeHook<T = unknown>(
  manifests: readonly T[],
  hook: HookSpec,
  options?: InjectOptions,
): InjectResult<Manifest<T>> {
  const plan = makePlan(hook, options)
  if (!Array.isArray(manifests)) {
    throw new HookError('ERR_INVALID_MANIFESTS', 'manifests must be an array of Kubernetes objects', { path: '' })
  }
  const out = new Array<Json>(manifests.length)
  // a hole: cloning the whole list names it, as injectHook does
  for (let i = 0; i < manifests.length; i++)
    out[i] = i in manifests ? cloneJson(manifests[i], [i], 1) : cloneJson(manifests)
  const run = new Removal(plan)
  run.sweep(out, [])
  run.results.push(run.summary())
  // cast: the output is the input read as JSON, less what the hook wrote, as the type says
  return { manifests: out as unknown as Array<Manifest<T>>, results: run.results }
}
