import { checkPrototype, cloneJson, type Json, type JsonObject } from '../lib/clone.js'
import { jsonEqual } from '../lib/json.js'
import { refOf, type Manifest } from '../lib/kubernetes.js'
import { pointer } from '../lib/pointer.js'
import { containersOf, findPodSpec, podSpecLocation } from '../lib/workloads.js'
import type { HookResult, HookSpec, InjectOptions, InjectResult } from '../types.js'
import { ENV, MOUNTS, settleClash, upsertAll, VOLUMES, type Upserted, type WorkloadAt } from './collisions.js'
import { fastHookOf, hookFast, type Addition } from './fast-path.js'
import { checkedManifest, checkManifestList, isStore } from './head.js'
import { certMount, certVolume, hookEnv, hookObjects, isOwnObject, workloadOptsOut } from './objects.js'
import { makePlan, type Plan } from './plan.js'
import { startRun, storeKey, summaryOf, type HookRun } from './run.js'

type Path = Array<string | number>

/** The checked path for the manifest `list[index]` of a clone, at `path` in the input. */
function visit(run: HookRun, list: Json[], index: number, path: Path): void {
  const manifest = checkedManifest(list, index, path)
  if ('items' in manifest) {
    const { items } = manifest
    for (let j = 0; j < items.length; j++) visit(run, items, j, [...path, 'items', j])
    return
  }
  const { obj, head } = manifest
  const { apiVersion, kind, name, namespace: ns } = head
  if (isStore(head)) {
    run.stores.set(storeKey(kind, ns, name), { list, index, path })
    run.counts.notWorkload++
    return
  }
  const location = podSpecLocation(apiVersion, kind)
  if (location === undefined) {
    run.counts.notWorkload++
    return
  }
  if (workloadOptsOut(obj, location)) {
    run.counts.optedOut++
    return
  }

  const ref = refOf(apiVersion, kind, name, ns)
  const site: WorkloadAt = { objPath: path, ref, policy: run.policy }
  const done = injectPod(run.plan, obj, location, site)
  run.namespaces.add(ns ?? '')
  if (done.changed) {
    run.counts.workloads++
    run.counts.containers += done.containers
  } else if (done.kept) run.counts.kept++
  else run.counts.hookedAlready++
}

/** Hooks the pod spec at `location` of `obj`: whether anything changed, whether a clash was kept, into how many containers. */
function injectPod(
  plan: Plan,
  obj: JsonObject,
  location: readonly string[],
  site: WorkloadAt,
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

/** Adds the hook's ConfigMap/Secrets, one set per namespace, or settles them with what is there. */
function addObjects(run: HookRun, out: Json[]): void {
  for (const ns of run.namespaces) {
    const namespace = ns === '' ? undefined : ns
    for (const wanted of hookObjects(run.plan, namespace)) {
      const { kind, metadata: meta } = wanted
      // most inputs hold no ConfigMap or Secret: then there is no key to make and nothing to look up
      const placed = run.stores.size === 0 ? undefined : run.stores.get(storeKey(kind, namespace, meta.name))
      if (placed === undefined) {
        out.push(wanted)
        run.counts.objects++
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
      if (settleClash(run.policy, clash, jsonEqual(existing, wanted)) === 'replace') placed.list[placed.index] = wanted
    }
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
  const run = startRun(plan)
  for (let i = 0; i < out.length; i++) visit(run, out, i, pathOf(i))
  addObjects(run, out)
  return { results: run.results, summary: summaryOf(run) }
}

/** What hookObject returns: the hooked copy, what the runs said, and (when asked for) what the fast path added. */
export interface HookedObject {
  hooked: Json
  results: HookResult[]
  /**
   * With `noteAdditions`, and one plan that took the fast path: the lists it
   * wrote the hook's entries into, in order (see `Addition`); the hooked copy
   * is the object with those and nothing else changed. Otherwise undefined.
   */
  additions: Addition[] | undefined
}

/**
 * One object hooked by each plan in turn, into a copy that shares nothing
 * with `object` (which is only read), with what each run said (no summary).
 * The objects the hooks add (see hookObjects) are not made: the caller
 * makes them, or cannot (a webhook). The first plan copies the object as it
 * hooks it (the fast path, or the checked path on a clone); the next ones
 * hook that copy in place. Errors point into the object.
 */
export function hookObject(object: unknown, plans: readonly Plan[], noteAdditions = false): HookedObject {
  checkPrototype()
  const out: Json[] = [null]
  const results: HookResult[] = []
  let additions: Addition[] | undefined
  for (const [n, plan] of plans.entries()) {
    const run = startRun(plan)
    if (n > 0)
      visit(run, out, 0, []) // the first plan's copy, hooked in place
    else {
      const fast = fastHookOf(plan)
      if (noteAdditions && plans.length === 1) fast.additions = []
      if (hookFast(run, object, out, 0, fast)) additions = fast.additions
      else {
        out[0] = cloneJson(object)
        visit(run, out, 0, [])
      }
    }
    results.push(...run.results)
  }
  return { hooked: out[0] ?? null, results, additions }
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
  const run = startRun(plan)
  const fastHook = fastHookOf(plan) // only the fast path needs it: the checked path alone (runInjection) makes none
  const n = manifests.length
  const out = new Array<Json>(n)
  let pending: { error: unknown } | undefined
  for (let i = 0; i < n; i++) {
    if (pending === undefined && i in manifests && hookFast(run, manifests[i], out, i, fastHook)) continue
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
  run.results.push(summaryOf(run))
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
  checkManifestList(manifests)
  const { out, results } = injectList(manifests, plan)
  return { manifests: out as unknown as Array<Manifest<T>>, results }
}
