import { HookError } from '../errors.js'
import {
  checkPrototype,
  cloneJson,
  copyValue,
  fieldReading,
  isFieldObject,
  NOT_FIELDS,
  type Json,
  type JsonObject,
} from '../lib/clone.js'
import { bail, copyWorkload, fastPathObserver, walkOf, type Walk } from './fast-path.js'
import { checkedManifest, isStore, LIST, readHead, type ManifestHead } from './head.js'
import { jsonEqual } from '../lib/json.js'
import { pointer } from '../lib/pointer.js'
import { decide, ENV, MOUNTS, upsertAll, VOLUMES, type ConflictPolicy, type Site, type Upserted } from './collisions.js'
import { certMount, certVolume, hookEnv, hookObjects, isOwnObject, optsOut } from './objects.js'
import { makePlan, type Plan } from './plan.js'
import { identityKey, refOf, type Manifest } from '../lib/kubernetes.js'
import type { HookResult, HookSpec, InjectOptions, InjectResult } from '../types.js'
import { containersOf, findPodSpec, podSpecLocation } from '../lib/workloads.js'

type Path = Array<string | number>

/** A ConfigMap or Secret of the input, by `kind/namespace/name`, and where it is. */
interface Placed {
  list: Json[]
  index: number
  path: Path
}

// ConfigMaps and Secrets of the input, by identity (their apiVersion is v1)
const identity = (kind: string, namespace: string | undefined, name: string) =>
  identityKey(refOf('v1', kind, name, namespace))

/** How a run went: what the summary result that ends every result list says. */
interface Tally {
  workloads: number
  containers: number
  objects: number
  notWorkload: number
  optedOut: number
  hookedAlready: number
  kept: number
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** Whether a workload, or the pod template at `location` in it, opts out with `krake-hooks/inject: "false"`. */
function workloadOptsOut(obj: Record<string, unknown>, location: readonly string[]): boolean {
  if (optsOut(obj.metadata)) return true
  let node: unknown = obj
  for (let i = 0; i < location.length - 1; i++) {
    const key = location[i]
    if (key === undefined || typeof node !== 'object' || node === null) return false
    node = (node as Record<string, unknown>)[key] // cast: an object, read by one field as the fast path reads it
  }
  return (
    location.length > 1 &&
    typeof node === 'object' &&
    node !== null &&
    optsOut((node as { metadata?: unknown }).metadata)
  )
}

/**
 * One call's run: the plan, and what both ways record as they go. An object
 * literal made by newRun, not a class instance, on purpose (bench/README.md,
 * "Why the code is shaped so": the run's shape).
 */
interface Run {
  readonly plan: Plan
  readonly results: HookResult[]
  readonly tally: Tally
  /** Namespaces of the workloads, in order of first appearance ('' for none). */
  readonly namespaces: Set<string>
  readonly stores: Map<string, Placed>
  /** The head the fast path reads each manifest's identity into, lent anew for each (see readHead). */
  readonly head: ManifestHead
  readonly policy: ConflictPolicy
}

function newRun(plan: Plan): Run {
  const results: HookResult[] = []
  const forced = forcedSchemeResult(plan)
  if (forced) results.push(forced)
  return {
    plan,
    results,
    tally: { workloads: 0, containers: 0, objects: 0, notWorkload: 0, optedOut: 0, hookedAlready: 0, kept: 0 },
    namespaces: new Set<string>(),
    stores: new Map<string, Placed>(),
    head: { apiVersion: '', kind: '', name: '', namespace: undefined },
    policy: { onConflict: plan.onConflict, results },
  }
}

/** The fast path for `src`, the item `index` of the input; false when it must take the checked path. */
function fast(run: Run, src: unknown, out: Json[], index: number, walk: Walk): boolean {
  try {
    tryFast(run, src, out, index, walk)
    fastPathObserver.onWay?.('fast')
    return true
  } catch {
    // NOT_FAST, or not JSON somewhere, a getter or a Proxy trap that throws: the checked path says where
    fastPathObserver.onWay?.('checked')
    return false
  }
}

function tryFast(run: Run, src: unknown, out: Json[], index: number, walk: Walk): void {
  const reading = fieldReading(src)
  if (reading === NOT_FIELDS) bail() // not a manifest: the checked path says so
  const manifest = src as Record<string, unknown> // cast: fieldReading said it is read by its fields
  const head = readHead(manifest, isFieldObject, run.head)
  if (head === LIST || 'must' in head) bail()
  const store = isStore(head)
  const location = store ? undefined : podSpecLocation(head.apiVersion, head.kind)
  if (location !== undefined && workloadOptsOut(manifest, location)) bail() // rare: the checked path counts it
  walk.containers = 0
  out[index] = location === undefined ? copyValue(src, 1) : copyWorkload(manifest, reading, location, 1, walk)
  if (store) run.stores.set(identity(head.kind, head.namespace, head.name), { list: out, index, path: [index] })
  if (location === undefined) {
    run.tally.notWorkload++
    return
  }
  run.namespaces.add(head.namespace ?? '')
  run.tally.workloads++
  run.tally.containers += walk.containers
}

/** The checked path for the manifest `list[index]` of a clone, at `path` in the input. */
function visit(run: Run, list: Json[], index: number, path: Path): void {
  const manifest = checkedManifest(list, index, path)
  if ('items' in manifest) {
    const { items } = manifest
    for (let j = 0; j < items.length; j++) visit(run, items, j, [...path, 'items', j])
    return
  }
  const { obj, head } = manifest
  const { apiVersion, kind, name, namespace: ns } = head
  if (isStore(head)) {
    run.stores.set(identity(kind, ns, name), { list, index, path })
    run.tally.notWorkload++
    return
  }
  const location = podSpecLocation(apiVersion, kind)
  if (location === undefined) {
    run.tally.notWorkload++
    return
  }
  if (workloadOptsOut(obj, location)) {
    run.tally.optedOut++
    return
  }

  const ref = refOf(apiVersion, kind, name, ns)
  const site: Site = { objPath: path, ref, policy: run.policy }
  const done = injectPod(run.plan, obj, location, site)
  run.namespaces.add(ns ?? '')
  if (done.changed) {
    run.tally.workloads++
    run.tally.containers += done.containers
  } else if (done.kept) run.tally.kept++
  else run.tally.hookedAlready++
}

/** Hooks the pod spec at `location` of `obj`: whether anything changed, whether a clash was kept, into how many containers. */
function injectPod(
  plan: Plan,
  obj: JsonObject,
  location: readonly string[],
  site: Site,
): { changed: boolean; kept: boolean; containers: number } {
  const pod = findPodSpec(obj, location, site.objPath)
  const containers = containersOf(pod, 'containers', site.objPath, location)
  const inits = plan.initContainers ? containersOf(pod, 'initContainers', site.objPath, location) : []
  let changed = false
  let kept = false
  const note = (done: Upserted) => {
    changed ||= done.changed
    kept ||= done.kept
  }
  if (plan.tls !== undefined) note(upsertAll(pod, [certVolume(plan)], VOLUMES, site, { parentRel: location }))
  const each = (list: Array<JsonObject & { name: string }>, field: 'containers' | 'initContainers') => {
    for (const [i, c] of list.entries()) {
      const owner = { parentRel: [...location, field, i], container: c.name }
      note(upsertAll(c, hookEnv(plan), ENV, site, owner))
      if (plan.tls !== undefined) note(upsertAll(c, [certMount(plan)], MOUNTS, site, owner))
    }
  }
  each(inits, 'initContainers')
  each(containers, 'containers')
  return { changed, kept, containers: containers.length + inits.length }
}

/** The summary result that ends every result list: what was hooked, and what was left alone and why. */
function summary(run: Run): HookResult {
  const t = run.tally
  const alone = t.notWorkload + t.optedOut + t.hookedAlready + t.kept
  const kept = t.kept > 0 ? `, ${t.kept} with its own entries kept (onConflict "keep")` : ''
  return {
    severity: 'info',
    message:
      `${run.plan.kind} hook: hooked ${plural(t.workloads, 'workload')} (${plural(t.containers, 'container')}), ` +
      `added ${plural(t.objects, 'object')}; left alone ${plural(alone, 'object')}: ` +
      `${t.notWorkload} not a workload, ${t.optedOut} opted out, ${t.hookedAlready} hooked already${kept}`,
  }
}

/** Adds the hook's ConfigMap/Secrets, one set per namespace, or settles them with what is there. */
function addObjects(run: Run, out: Json[]): void {
  for (const ns of run.namespaces) {
    const namespace = ns === '' ? undefined : ns
    for (const wanted of hookObjects(run.plan, namespace)) {
      const { kind, metadata: meta } = wanted
      const placed = run.stores.get(identity(kind, namespace, meta.name))
      if (placed === undefined) {
        out.push(wanted)
        run.tally.objects++
        continue
      }
      const existing = placed.list[placed.index] as JsonObject
      if (isOwnObject(existing, run.plan) && !jsonEqual(existing, wanted)) {
        placed.list[placed.index] = wanted // ours from an earlier run: refresh it
        continue
      }
      const ref = refOf('v1', kind, meta.name, namespace)
      const why = `${kind} "${meta.name}"${namespace === undefined ? '' : ` in namespace "${namespace}"`} is already in the input and is not the hook's`
      const clash = { why, about: { resourceRef: ref }, path: pointer(...placed.path) }
      if (decide(run.policy, clash, jsonEqual(existing, wanted)) === 'replace') placed.list[placed.index] = wanted
    }
  }
}

function forcedSchemeResult(plan: Plan): HookResult | undefined {
  if (plan.forcedFrom === undefined) return undefined
  const to = plan.forcedFrom === 'http' ? 'https' : 'http'
  return {
    severity: 'warning',
    message: `the endpoint's scheme ${plan.forcedFrom} was changed to ${to} because TLS is ${to === 'https' ? 'on' : 'off'}`,
  }
}

/**
 * Injects the hook into `out`, a fresh clone that it changes in place, and
 * appends the objects the hook needs; `pathOf(i)` is where `out[i]` is in the
 * caller's input, for error paths and results. The checked path: the
 * reference for the fast path. The summary is returned apart, for the
 * caller to end its result list with (one summary, however many runs).
 */
export function runInjection(
  out: Json[],
  plan: Plan,
  pathOf: (index: number) => Path,
): { results: HookResult[]; summary: HookResult } {
  const run = newRun(plan)
  for (let i = 0; i < out.length; i++) visit(run, out, i, pathOf(i))
  addObjects(run, out)
  return { results: run.results, summary: summary(run) }
}

/**
 * One object hooked by each plan in turn, into a copy that shares nothing
 * with `object` (which is only read), with what each run said (no summary).
 * The objects the hooks add (see hookObjects) are not made: the caller
 * makes them, or cannot (a webhook). The first plan copies the object as it
 * hooks it (the fast path, or the checked path on a clone); the next ones
 * hook that copy in place. Errors point into the object.
 */
export function hookObject(object: unknown, plans: readonly Plan[]): { hooked: Json; results: HookResult[] } {
  checkPrototype()
  const out: Json[] = [null]
  const results: HookResult[] = []
  for (const [n, plan] of plans.entries()) {
    const run = newRun(plan)
    if (n > 0 || !fast(run, object, out, 0, walkOf(plan))) {
      if (n === 0) out[0] = cloneJson(object)
      visit(run, out, 0, [])
    }
    results.push(...run.results)
  }
  return { hooked: out[0] ?? null, results }
}

/**
 * The manifest list copied and hooked in one pass where each manifest allows
 * it, the checked path (clone, then inject) for the rest. Errors come out as
 * the checked path alone would raise them: every manifest is cloned, in order,
 * before an injection error is thrown, so a value JSON cannot hold anywhere
 * wins over a malformed workload, as when the whole list is cloned first.
 */
function injectList(manifests: readonly unknown[], plan: Plan): { out: Json[]; results: HookResult[] } {
  checkPrototype() // whether for...in reads keys as Object.keys does, for this call
  const run = newRun(plan)
  const walk = walkOf(plan) // only the fast path needs it: the checked path alone (runInjection) makes none
  const n = manifests.length
  const out = new Array<Json>(n)
  let pending: { error: unknown } | undefined
  for (let i = 0; i < n; i++) {
    if (pending === undefined && i in manifests && fast(run, manifests[i], out, i, walk)) continue
    // a hole: cloning the whole list names it, as the checked path does (the items before it cloned fine)
    out[i] = i in manifests ? cloneJson(manifests[i], [i], 1) : cloneJson(manifests)
    if (pending !== undefined) continue // cloned only, for an earlier error of cloning to win
    try {
      visit(run, out, i, [i])
    } catch (error) {
      pending = { error }
    }
  }
  if (pending !== undefined) throw pending.error
  addObjects(run, out)
  run.results.push(summary(run))
  return { out, results: run.results }
}

/**
 * Returns a new manifest list in which every container of every workload
 * carries the hook's token and URL and, with TLS, mounts the certificate
 * files that a generated ConfigMap (or Secret) holds. Pure and synchronous:
 * the input is never changed and the output shares no object with it.
 *
 * @param manifests Kubernetes objects, as `parseManifests` returns them.
 * @param hook The hook: kind, application, endpoint, token and TLS material.
 * @param options Variable names, mount path, storage, conflicts; see {@link InjectOptions}.
 * @throws HookError with a stable `code` and a JSON-pointer `path` on bad input.
 *
 * @example
 * ```ts
 * const { manifests, results } = injectHook(parseManifests(yaml), {
 *   kind: 'complete',
 *   app: { name: 'my-app', namespace: 'default' },
 *   apiEndpoint: 'http://krake-api:8080',
 *   token: createHookToken(),
 * })
 * ```
 */
export function injectHook<T = unknown>(
  manifests: readonly T[],
  hook: HookSpec,
  options?: InjectOptions,
): InjectResult<Manifest<T>> {
  const plan = makePlan(hook, options)
  if (!Array.isArray(manifests)) {
    throw new HookError('ERR_INVALID_MANIFESTS', 'manifests must be an array of Kubernetes objects', { path: '' })
  }
  const { out, results } = injectList(manifests, plan)
  return { manifests: out as unknown as Array<Manifest<T>>, results }
}
