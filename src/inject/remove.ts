// removeHook: the exact inverse of injectHook. Every entry the hook wrote is
// taken out where it equals the hook's own, and every object it wrote is
// found by its marks (the managed-by label, the hook and application
// annotations), never by its name alone.
import { cloneJson, type Json, type JsonObject } from '../lib/clone.js'
import { isObject, jsonEqual } from '../lib/json.js'
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
  type WorkloadAt,
} from './collisions.js'
import { checkedManifest, checkManifestList, isStore } from './head.js'
import { certMount, certVolume, hookEnv, isOwnObject } from './objects.js'
import { makePlan, type Plan } from './plan.js'
import type { HookResult, HookSpec, InjectOptions, InjectResult } from '../types.js'
import { containersOf, findPodSpec, podSpecLocation } from '../lib/workloads.js'

type Path = Array<string | number>

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** An object the hook wrote, found in a list: it goes unless something kept still refers to it. */
interface OwnObject {
  list: Json[]
  index: number
  key: string
  ref: ReturnType<typeof refOf>
  path: Path
}

/** `Kind/namespace/name`: how a reference from a pod spec meets the object it names. */
const objectKey = (kind: string, namespace: unknown, name: unknown) =>
  `${kind}/${typeof namespace === 'string' ? namespace : ''}/${String(name)}`

/** The fields of a pod spec that name a ConfigMap or a Secret of the pod's namespace (volumes, projected sources, env, envFrom). */
const REFERENCES: Readonly<Record<string, { kind: string; field: string }>> = {
  configMap: { kind: 'ConfigMap', field: 'name' },
  configMapKeyRef: { kind: 'ConfigMap', field: 'name' },
  configMapRef: { kind: 'ConfigMap', field: 'name' },
  secretKeyRef: { kind: 'Secret', field: 'name' },
  secretRef: { kind: 'Secret', field: 'name' },
}

/** Adds to `into` every ConfigMap and Secret that `value` (a pod spec, or a part of one) names. */
function collectReferences(value: Json, namespace: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectReferences(v, namespace, into)
    return
  }
  if (!isObject(value)) return
  for (const [k, v] of Object.entries(value)) {
    if (!isObject(v)) {
      collectReferences(v ?? null, namespace, into)
      continue
    }
    const r = REFERENCES[k]
    if (r !== undefined && Object.hasOwn(REFERENCES, k) && typeof v[r.field] === 'string')
      into.add(objectKey(r.kind, namespace, v[r.field]))
    // a volume's secret names it by secretName, a projected source's by name
    if (k === 'secret' && typeof (v.secretName ?? v.name) === 'string')
      into.add(objectKey('Secret', namespace, v.secretName ?? v.name))
    collectReferences(v, namespace, into)
  }
}

/** Whether any container of `pod` (init and ephemeral ones too) still mounts the volume `name`. */
function mountedBy(pod: JsonObject, name: string): string | undefined {
  for (const field of ['initContainers', 'containers', 'ephemeralContainers']) {
    const list = pod[field]
    if (!Array.isArray(list)) continue
    for (const c of list) {
      if (!isObject(c) || !Array.isArray(c.volumeMounts)) continue
      if (c.volumeMounts.some((m) => isObject(m) && m.name === name))
        return `container ${JSON.stringify(c.name ?? null)}`
    }
  }
  return undefined
}

class Removal {
  readonly results: HookResult[] = []
  workloads = 0
  containers = 0
  objects = 0
  notWorkload = 0
  without = 0
  /** The hook's objects met so far, decided once every workload is cleaned. */
  private readonly own: OwnObject[] = []
  /** Every ConfigMap and Secret a workload refers to after cleaning, by objectKey. */
  private readonly referenced = new Set<string>()

  constructor(readonly plan: Plan) {}

  /** Removes what the hook wrote from `list[index]`, in place; notes the item if it is the hook's object. */
  clean(list: Json[], index: number, path: Path): void {
    const manifest = checkedManifest(list, index, path)
    if ('items' in manifest) {
      this.sweep(manifest.items, [...path, 'items'])
      return
    }
    const { obj, head } = manifest
    if (isStore(head)) {
      if (isOwnObject(obj, this.plan)) {
        const ref = refOf(head.apiVersion, head.kind, head.name, head.namespace)
        this.own.push({ list, index, key: objectKey(head.kind, head.namespace, head.name), ref, path })
      } else this.notWorkload++
      return
    }
    const location = podSpecLocation(head.apiVersion, head.kind)
    if (location === undefined) {
      this.notWorkload++
      return
    }
    const site: WorkloadAt = {
      objPath: path,
      ref: refOf(head.apiVersion, head.kind, head.name, head.namespace),
      policy: { onConflict: 'keep', results: this.results },
    }
    const pod = findPodSpec(obj, location, path)
    const { removed, containers } = this.cleanPod(pod, site, location)
    if (removed > 0) {
      this.workloads++
      this.containers += containers
    } else this.without++
    collectReferences(pod, head.namespace, this.referenced)
  }

  /** Takes the hook's env, mounts and volume out of one pod spec; what the hook did not write stays. */
  private cleanPod(
    pod: JsonObject,
    site: WorkloadAt,
    location: readonly string[],
  ): { removed: number; containers: number } {
    const plan = this.plan
    let removed = 0
    let containers = 0
    // the hook writes into init containers only when told to, and so takes out of them only then
    const fields = plan.initContainers ? (['initContainers', 'containers'] as const) : (['containers'] as const)
    for (const field of fields) {
      for (const [i, c] of containersOf(pod, field, site.objPath, location).entries()) {
        const owner = { parentRel: [...location, field, i], container: c.name }
        const n =
          this.take(c, hookEnv(plan), ENV, site, owner) +
          (plan.tls === undefined ? 0 : this.take(c, [certMount(plan)], MOUNTS, site, owner))
        if (n > 0) containers++
        removed += n
      }
    }
    if (plan.tls !== undefined) {
      const user = mountedBy(pod, plan.names.volume)
      if (user === undefined) removed += this.take(pod, [certVolume(plan)], VOLUMES, site, { parentRel: location })
      else if (entriesOf(pod, VOLUMES, site, { parentRel: location }).some((v) => v.name === plan.names.volume))
        this.results.push({
          severity: 'warning',
          message: `volume ${JSON.stringify(plan.names.volume)} is the hook's, but ${user} still mounts it; kept it`,
          resourceRef: site.ref,
          field: pointer(...location, 'volumes'),
        })
    }
    return { removed, containers }
  }

  /** The items of `list` with the hook taken out of each, in place (the hook's objects go in `finish`). */
  sweep(list: Json[], path: Path): void {
    for (let i = 0; i < list.length; i++) this.clean(list, i, [...path, i])
  }

  /**
   * Drops the hook's objects that nothing kept refers to; one still named by
   * a volume or an env entry that stays (the user edited a mount, or the
   * hook is removed with other options than it was injected with) stays,
   * with a warning: a Pod is never left naming an object that is gone.
   */
  finish(): void {
    const drop = new Map<Json[], Set<number>>()
    for (const o of this.own) {
      if (this.referenced.has(o.key)) {
        this.notWorkload++
        this.results.push({
          severity: 'warning',
          message: `${o.ref.kind} ${JSON.stringify(o.ref.name)} is the hook's, but a workload kept still refers to it; kept it`,
          resourceRef: o.ref,
          field: pointer(...o.path),
        })
        continue
      }
      this.objects++
      const at = drop.get(o.list) ?? new Set<number>()
      at.add(o.index)
      drop.set(o.list, at)
    }
    for (const [list, at] of drop) {
      let kept = 0
      for (let i = 0; i < list.length; i++) if (!at.has(i)) list[kept++] = list[i] ?? null
      list.length = kept
    }
  }

  /**
   * Takes each of `wanted` out of `parent[kind.field]` where an entry equals
   * it; an entry in its place (its name, or a mount's path) that differs is
   * kept, with a warning. A list the hook emptied is removed, as the hook
   * added it. Returns how many entries went.
   */
  take(parent: JsonObject, wanted: readonly JsonObject[], kind: ListKind, site: WorkloadAt, owner: ListOwner): number {
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
 * - Init containers are cleaned only with `options.initContainers`, as the
 *   hook writes into them only then: an init container's own `KRAKE_TOKEN`
 *   is not the hook's, whatever its value.
 * - Nothing kept is left naming what is gone: the hook's volume stays while a
 *   mount that stays (one the user edited) names it, and the hook's
 *   ConfigMap or Secret stays while a volume or env entry that stays names it
 *   (as when the hook is removed with other options than it was injected
 *   with), each with a warning.
 *
 * @throws HookError as `injectHook` does, for a bad hook, options or manifest.
 *
 * @example
 * ```ts
 * const { manifests } = removeHook(hooked, hook, options) // hooked: injectHook(...).manifests
 * ```
 */
// Its head is injectHook's on purpose: it undoes that call, given the same arguments.
export function removeHook<T = unknown>(
  manifests: readonly T[],
  hook: HookSpec,
  options?: InjectOptions,
): InjectResult<Manifest<T>> {
  const plan = makePlan(hook, options)
  checkManifestList(manifests)
  const out = new Array<Json>(manifests.length)
  // a hole: cloning the whole list names it, as injectHook does
  for (let i = 0; i < manifests.length; i++)
    out[i] = i in manifests ? cloneJson(manifests[i], [i], 1) : cloneJson(manifests)
  const run = new Removal(plan)
  run.sweep(out, [])
  run.finish()
  run.results.push(run.summary())
  // cast: the output is the input read as JSON, less what the hook wrote, as the type says
  return { manifests: out as unknown as Array<Manifest<T>>, results: run.results }
}
