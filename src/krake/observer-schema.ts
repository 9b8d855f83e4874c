// Krake's observer schema (controller/kubernetes/hooks.py): which fields of
// each resource its observer watches. Current Krake needs every resource the
// hook adds, and every entry it adds into a resource, to be observed, or its
// post-create handler fails.
import type { Json, JsonObject } from '../lib/clone.js'
import { isObject, jsonEqual } from '../lib/json.js'
import { identityKey, isNamedObject, refOf } from '../lib/kubernetes.js'
import { podSpecLocation } from '../lib/workloads.js'

/** The control entry that ends every observed list: how long Krake lets the list be. */
const control = (n: number): JsonObject => ({ observer_schema_list_min_length: n, observer_schema_list_max_length: n })

/**
 * The default observer schema of a value, as Krake's
 * `generate_default_observer_schema_dict`/`_list` make it: every scalar
 * replaced by null, every list followed by its control entry; at the first
 * level `apiVersion`, `kind` and `metadata.name` keep their values.
 */
function defaultObserverSchema(value: JsonObject, firstLevel = false): JsonObject {
  const out: JsonObject = {}
  for (const [key, v] of Object.entries(value)) out[key] = schemaOf(v)
  if (firstLevel) {
    out.apiVersion = value.apiVersion ?? null
    out.kind = value.kind ?? null
    const meta = out.metadata
    if (isObject(meta) && isObject(value.metadata)) meta.name = value.metadata.name ?? null
    const spec = value.spec
    // Krake watches the address a LoadBalancer gets
    if (isObject(spec) && spec.type === 'LoadBalancer') out.status = { load_balancer: { ingress: null } }
  }
  return out
}

function schemaOf(value: Json): Json {
  if (Array.isArray(value)) return [...value.map(schemaOf), control(value.length)]
  if (isObject(value)) return defaultObserverSchema(value)
  return null
}

/** The identity Krake matches schema entries by (`get_kubernetes_resource_idx`): apiVersion, kind and name, not the namespace. */
function krakeKey(o: Json): string | undefined {
  return isNamedObject(o) ? identityKey(refOf(o.apiVersion, o.kind, o.metadata.name, undefined)) : undefined
}

/** The schema entry of a resource, as Krake finds it. */
function findObserved(schema: readonly Json[], resource: JsonObject): JsonObject | undefined {
  const key = krakeKey(resource)
  if (key === undefined) return undefined
  for (const entry of schema) if (isObject(entry) && krakeKey(entry) === key) return entry
  return undefined
}

/**
 * The schema Krake's controller makes before the hooks run
 * (`generate_default_observer_schema`): the application's custom
 * `spec.observer_schema`, then a default one for each resource it does not
 * cover.
 */
export function initialObserverSchema(custom: readonly Json[], manifest: readonly JsonObject[]): Json[] {
  const schema: Json[] = structuredClone([...custom])
  for (const resource of manifest)
    if (findObserved(schema, resource) === undefined) schema.push(defaultObserverSchema(resource, true))
  return schema
}

/** The dict at `path` below `node`, made where missing (Krake's `create_path`). */
function observedDict(node: JsonObject, path: readonly string[]): JsonObject {
  let at = node
  for (const key of path) {
    const next = at[key]
    if (isObject(next)) at = next
    else at = at[key] = {}
  }
  return at
}

/** The observed list `group` of `parent`, made empty (with its control entry) where missing. */
function observedList(parent: JsonObject, group: string): Json[] {
  const list = parent[group]
  if (Array.isArray(list) && list.length > 0 && isObject(list[list.length - 1])) return list
  return (parent[group] = [control(0)])
}

/**
 * Makes `entry` (an env var, volume or mount the hook wrote) observed in the
 * list `group` of `parent`, as Krake's `Hook._inject` does: unless an entry of
 * its name is observed already, its default schema goes before the control
 * entry, and the list may then be one longer.
 */
function observeEntry(parent: JsonObject, group: string, entry: JsonObject, held: Json): void {
  const list = observedList(parent, group)
  if (Array.isArray(held) && observePositional(list, held, entry)) return
  const last = list.length - 1
  for (let i = 0; i < last; i++) {
    const e = list[i]
    if (isObject(e) && e.name === entry.name) return
  }
  list.splice(last, 0, defaultObserverSchema(entry))
  const limits = list[list.length - 1] as JsonObject
  limits.observer_schema_list_min_length = Number(limits.observer_schema_list_min_length ?? 0) + 1
  limits.observer_schema_list_max_length = Number(limits.observer_schema_list_max_length ?? 0) + 1
}

/**
 * A list observed position by position (Krake's default schema: one entry
 * per element, min = max = its length) is made to observe exactly the
 * entries the manifest's list holds once the hook wrote `entry` into it: the
 * hook's entry where it stands (appended, or put in the place of the user's
 * entry of its name), the limits its length. Counting one more for an entry
 * that replaced another would leave the schema one longer than the list, and
 * Krake's observer would see drift forever. False for a list the
 * application's own schema shapes otherwise: that one is Krake's `_inject`.
 */
function observePositional(list: Json[], held: readonly Json[], entry: JsonObject): boolean {
  const last = list.length - 1
  const limits = list[last]
  if (!isObject(limits)) return false
  const min = limits.observer_schema_list_min_length
  const max = limits.observer_schema_list_max_length
  if (min !== last || max !== last || held.length < last) return false
  const at = held.findIndex((e) => isObject(e) && jsonEqual(e, entry))
  if (at === -1) return false
  for (let i = last; i < held.length; i++) {
    const e = held[i]
    list.splice(i, 0, isObject(e) ? defaultObserverSchema(e) : null)
  }
  list[at] = defaultObserverSchema(entry)
  list[list.length - 1] = control(held.length)
  return true
}

/**
 * The observed dict of the `index`-th element of an observed list; Krake's
 * `_inject_list` adds `{}` for an element the schema does not cover yet,
 * without changing the list's limits.
 */
function observedElement(list: Json[], index: number): JsonObject {
  while (list.length - 1 <= index) list.splice(list.length - 1, 0, {})
  const e = list[index]
  if (isObject(e)) return e
  return (list[index] = {})
}

/** What one hook wrote into each workload: the pod's volume, each container's mount and variables. */
interface HookEntries {
  volume?: JsonObject | undefined
  mount?: JsonObject | undefined
  env: readonly JsonObject[]
}

/** Where a hook's object goes among its kinds: by the first place an object of its name takes in `added`. */
function kindRank(object: JsonObject, added: readonly JsonObject[]): number {
  const name = (o: JsonObject) => (isObject(o.metadata) ? o.metadata.name : undefined)
  return added.findIndex((o) => name(o) === name(object))
}

/**
 * Makes what one hook added observed, as Krake's `Hook.mangle` does: each
 * object it added (`added`) gets its default schema, and in every workload of
 * `manifests` the volume, mounts and variables become observed entries of
 * the workload's own schema.
 */
export function observeHook(
  schema: Json[],
  manifests: readonly Json[],
  added: readonly JsonObject[],
  entries: HookEntries,
  initContainers: boolean,
  replaced: (resource: JsonObject) => boolean = () => false,
): void {
  // Krake lists a hook's objects by kind of object, then by namespace: every namespace's certs
  // Secret (or ConfigMap), then every namespace's token Secret
  const byKind = [...added].sort((a, b) => kindRank(a, added) - kindRank(b, added))
  for (const object of byKind) schema.push(defaultObserverSchema(object, true))
  for (const resource of manifests) {
    if (isObject(resource) && replaced(resource)) {
      // the hook's object stands where the user's stood: observe what is applied (issue 17)
      const observed = findObserved(schema, resource)
      if (observed !== undefined) schema[schema.indexOf(observed)] = defaultObserverSchema(resource, true)
      continue
    }
    if (!isObject(resource) || typeof resource.apiVersion !== 'string' || typeof resource.kind !== 'string') continue
    const location = podSpecLocation(resource.apiVersion, resource.kind)
    const observed = location === undefined ? undefined : findObserved(schema, resource)
    if (location === undefined || observed === undefined) continue
    let pod: Json = resource
    for (const key of location) pod = isObject(pod) ? (pod[key] ?? null) : null
    if (!isObject(pod)) continue
    const podSchema = observedDict(observed, location)
    if (entries.volume !== undefined) observeEntry(podSchema, 'volumes', entries.volume, pod.volumes ?? null)
    for (const field of initContainers ? ['initContainers', 'containers'] : ['containers']) {
      const containers = pod[field]
      if (!Array.isArray(containers)) continue
      // a custom schema that does not observe the containers (Krake's own docs show one observing
      // spec.replicas alone; Krake raises a TypeError there): the list is made, limits and all
      const made = !Array.isArray(podSchema[field])
      const list = observedList(podSchema, field)
      if (made) list[list.length - 1] = control(containers.length)
      for (let i = 0; i < containers.length; i++) {
        const container = observedElement(list, i)
        const held = containers[i]
        const own = (key: string) => (isObject(held) ? (held[key] ?? null) : null)
        if (entries.mount !== undefined) observeEntry(container, 'volumeMounts', entries.mount, own('volumeMounts'))
        for (const env of entries.env) observeEntry(container, 'env', env, own('env'))
      }
    }
  }
}
