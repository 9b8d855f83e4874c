// The fast path, whole: a manifest copied and hooked in the same pass, for
// the shape nearly every manifest has (hookFast, what inject.ts calls). What
// it does not hook it copies with lib/copy-plain.ts's copyPlainJson (plain
// JSON data only, and it says nothing of what it refuses; lib/clone.ts's
// cloneJson is the checked copier that says what and where). Each input
// value is read once, the lists the hook adds to are made at their final
// size, and no path, message or result is built. Anything unusual (a clash
// with the hook's entries, a value that is not plain JSON, a List, a missing
// or malformed field) throws NOT_FAST, one shared object without a stack,
// and the caller takes the checked path (clone, then inject: inject.ts),
// which says exactly what is wrong and where. The objects it reads directly
// are those read by their own fields (isFieldObject: plain ones, and
// client-node models). Both ways give the same output: a property test holds
// them to it (test/inject/fast-path-agrees.test.ts), and
// test/inject/fast-path.test.ts that the common shapes take this way.
import {
  BY_FOR_IN,
  fieldReading,
  isFieldObject,
  NOT_FIELDS,
  setOwn,
  type FieldReading,
  type Json,
  type JsonObject,
} from '../lib/clone.js'
import { copyPlainJson } from '../lib/copy-plain.js'
import { podSpecLocation } from '../lib/workloads.js'
import { ENV, MOUNTS, VOLUMES, type ListKind } from './collisions.js'
import { mountPathKey } from './plan.js'
import { isStore, LIST, readHead } from './head.js'
import { certMount, certVolume, envEntry, hookEnv, optsOut } from './objects.js'
import type { Plan } from './plan.js'
import { storeKey, type HookRun } from './run.js'

/** Thrown when the fast path does not take a manifest: a plain class, so no stack is captured. */
class NotFast {
  readonly message = 'the fast path does not take this manifest'
}
const NOT_FAST = new NotFast()

/**
 * Told, when set, which way each manifest took: what
 * test/inject/fast-path.test.ts listens with to prove the common shapes are
 * fast. Unset (the default) it costs one property read per manifest, and
 * nothing counts. Internal: the package root does not export it.
 */
export const fastPathObserver: { onWay?: ((way: 'fast' | 'checked') => void) | undefined } = {}

/** Leaves the fast path for the checked path. */
export function leaveFastPath(): never {
  throw NOT_FAST
}

/**
 * What an entry of the input must not be to stay beside the hook's in a list:
 * takesPlaceOf (collisions.ts, the one definition of a clash) with the hook's
 * side read once per plan: the names of the hook's entries of each list, and
 * the mount path of its mount as mountPathKey cleans it. The property test
 * test/inject/fast-path-agrees.test.ts holds both ways to the same output.
 */
interface ClashKeys {
  readonly env: readonly string[]
  readonly volumes: readonly string[]
  readonly mounts: readonly string[]
  readonly mountKey: unknown
}

/**
 * One call's hook, as the fast path needs it: the plan, and what a clash
 * with the hook's entries is. An object literal (see `HookRun` in run.ts).
 */
export interface FastHook {
  readonly plan: Plan
  readonly tls: boolean
  readonly clash: ClashKeys
  /**
   * Set (to `[]`) to have the lists the hook writes into noted as they are
   * written (see `Addition`); unset, nothing is noted and no pointer made.
   */
  additions: Addition[] | undefined
  /** While noting: the pointer of the pod spec or container being copied. */
  at: string
  /**
   * How many containers the workload being copied has had hooked so far: the
   * caller sets it to 0 before each workload and reads it once the copy is
   * done (a copy that bails leaves a count nobody reads). Counted on the way
   * rather than read back from the output, whose shapes are the output's own.
   */
  containers: number
}

const clashKeysByPlan = new WeakMap<Plan, ClashKeys>()

function clashKeysOf(plan: Plan): ClashKeys {
  const known = clashKeysByPlan.get(plan)
  if (known !== undefined) return known
  const nameOf = (entry: JsonObject) => entry.name as string // the hook's entries are named (objects.ts)
  const tls = plan.tls !== undefined
  const mount = certMount(plan)
  const keys: ClashKeys = {
    env: hookEnv(plan).map(nameOf),
    volumes: tls ? [nameOf(certVolume(plan))] : [],
    mounts: tls ? [nameOf(mount)] : [],
    mountKey: tls ? mountPathKey(mount.mountPath) : undefined,
  }
  clashKeysByPlan.set(plan, keys)
  return keys
}

/**
 * A list of the hook's entries the fast path wrote into a workload: at the
 * JSON pointer `at` (from the workload), added `whole` (the workload had no
 * such list) or the hook's entries appended to the workload's own list.
 * Noted in the order they are written, which is the order of the output's
 * keys: what a JSON Patch of the hook is read off without a diff
 * (added-patch.ts). The fast path changes nothing else of a workload.
 */
export interface Addition {
  readonly at: string
  readonly kind: ListKind
  readonly whole: boolean
}

/** The hook of one call with `plan`: what a clash is made once per plan, its count fresh per call. */
export function fastHookOf(plan: Plan): FastHook {
  return { plan, tls: plan.tls !== undefined, clash: clashKeysOf(plan), containers: 0, additions: undefined, at: '' }
}

/** Notes, when noting, that the `kind` list of what is at `hook.at` got the hook's entries (`whole`: the list is new). */
function note(hook: FastHook, kind: ListKind, whole: boolean): void {
  // the pointer is made only when noting: optional chaining skips the arguments too
  hook.additions?.push({ at: `${hook.at}/${kind.field}`, kind, whole })
}

/**
 * The fast path for `src`, the item `index` of the input: copied and hooked
 * into `out[index]`, and counted in `run`; false when it must take the
 * checked path (nothing of it is then counted).
 */
export function hookFast(run: HookRun, src: unknown, out: Json[], index: number, hook: FastHook): boolean {
  try {
    tryFast(run, src, out, index, hook)
    fastPathObserver.onWay?.('fast')
    return true
  } catch {
    // NOT_FAST, or not JSON somewhere, a getter or a Proxy trap that throws: the checked path says where
    fastPathObserver.onWay?.('checked')
    return false
  }
}

function tryFast(run: HookRun, src: unknown, out: Json[], index: number, hook: FastHook): void {
  const reading = fieldReading(src)
  if (reading === NOT_FIELDS) leaveFastPath() // not a manifest: the checked path says so
  const manifest = src as Record<string, unknown> // cast: fieldReading said it is read by its fields
  const head = readHead(manifest, isFieldObject, run.head)
  if (head === LIST || 'must' in head) leaveFastPath()
  const store = isStore(head)
  const location = store ? undefined : podSpecLocation(head.apiVersion, head.kind)
  hook.containers = 0
  // the pod spec's pointer: the location's keys are the API's own field names, nothing to escape
  if (hook.additions !== undefined && location !== undefined) hook.at = `/${location.join('/')}`
  out[index] = location === undefined ? copyPlainJson(src, 1) : copyWorkload(manifest, reading, location, 1, hook)
  if (store) run.stores.set(storeKey(head.kind, head.namespace, head.name), { list: out, index, path: [index] })
  if (location === undefined) {
    run.counts.notWorkload++
    return
  }
  run.namespaces.add(head.namespace ?? '')
  run.counts.workloads++
  run.counts.containers += hook.containers
}

/**
 * `src` (at `depth` in the input) copied, with its pod spec at `location`
 * hooked; throws NOT_FAST. `reading` is how src is read (fieldReading), as
 * each object of the way is: asked once per object and handed down.
 */
function copyWorkload(
  src: Record<string, unknown>,
  reading: FieldReading,
  location: readonly string[],
  depth: number,
  hook: FastHook,
): JsonObject {
  return copyAlong(src, reading, location, 0, depth, hook)
}

function copyAlong(
  node: Record<string, unknown>,
  reading: FieldReading,
  location: readonly string[],
  step: number,
  depth: number,
  hook: FastHook,
): JsonObject {
  const out: JsonObject = {}
  let found = false
  if (reading === BY_FOR_IN) {
    for (const k in node) found = alongField(node, k, out, location, step, depth, hook) || found
  } else {
    for (const k of Object.keys(node)) found = alongField(node, k, out, location, step, depth, hook) || found
  }
  if (!found) leaveFastPath()
  return out
}

/** One field of a node on the way to the pod spec, copied into `out`; true when it is the next step of the way. */
function alongField(
  node: Record<string, unknown>,
  k: string,
  out: JsonObject,
  location: readonly string[],
  step: number,
  depth: number,
  hook: FastHook,
): boolean {
  const v = node[k]
  if (v === undefined) return false
  if (k === location[step]) {
    const reading = fieldReading(v)
    if (reading === NOT_FIELDS) leaveFastPath()
    const next = v as Record<string, unknown> // cast: fieldReading said it is read by its fields
    const last = step + 1 === location.length
    setOwn(
      out,
      k,
      last
        ? copyPodSpec(next, reading, depth + 1, hook)
        : copyAlong(next, reading, location, step + 1, depth + 1, hook),
    )
    return true
  }
  // the workload's own metadata, or its pod template's, saying krake-hooks/inject: "false" (as
  // workloadOptsOut reads it, on the way): rare, and the checked path counts it
  if (k === 'metadata' && (step === 0 || step + 1 === location.length) && optsOut(v)) leaveFastPath()
  setOwn(out, k, copyPlainJson(v, depth + 1)) // a function (a toJSON of the node itself) throws there
  return false
}

/** What a pod spec or container held of the lists the hook writes into. */
const SAW_CONTAINERS = 1
const SAW_VOLUMES = 2
const SAW_ENV = 4
const SAW_MOUNTS = 8

function copyPodSpec(pod: Record<string, unknown>, reading: FieldReading, depth: number, hook: FastHook): JsonObject {
  const { plan, tls } = hook
  const out: JsonObject = {}
  let saw = 0
  if (reading === BY_FOR_IN) {
    for (const k in pod) saw |= podField(pod, k, out, depth, hook)
  } else {
    for (const k of Object.keys(pod)) saw |= podField(pod, k, out, depth, hook)
  }
  if ((saw & SAW_CONTAINERS) === 0) leaveFastPath()
  if (tls && (saw & SAW_VOLUMES) === 0) {
    setOwn(out, 'volumes', [certVolume(plan)]) // not `out.volumes =`: see copyContainer
    note(hook, VOLUMES, true)
  }
  return out
}

// podField and containerField have the same shape and stay two: each tests its own keys inline, in the
// loop that runs once per field of every pod spec and container copied (a table of keys per caller
// would be a lookup per field on the hottest line of the walk).
function podField(pod: Record<string, unknown>, k: string, out: JsonObject, depth: number, hook: FastHook): number {
  const v = pod[k]
  if (v === undefined) return 0
  let saw = 0
  let c: Json
  if (k === 'containers') {
    c = copyContainers(v, k, depth + 1, hook)
    saw = SAW_CONTAINERS
  } else if (k === 'initContainers' && hook.plan.initContainers) {
    c = copyContainers(v, k, depth + 1, hook)
  } else if (k === 'volumes' && hook.tls) {
    c = appendTo(v, depth + 1, hook, VOLUMES)
    saw = SAW_VOLUMES
  } else {
    c = copyPlainJson(v, depth + 1) // a function (a toJSON of the object itself) throws there
  }
  setOwn(out, k, c)
  return saw
}

function copyContainers(list: unknown, field: 'containers' | 'initContainers', depth: number, hook: FastHook): Json[] {
  if (!Array.isArray(list) || (list.length === 0 && field === 'containers')) leaveFastPath()
  const n = list.length
  const out = new Array<Json>(n)
  const podAt = hook.at
  for (let i = 0; i < n; i++) {
    if (hook.additions !== undefined) hook.at = `${podAt}/${field}/${i}`
    const c: unknown = list[i]
    const reading = fieldReading(c) // NOT_FIELDS for a hole too
    if (reading === NOT_FIELDS) leaveFastPath()
    const container = c as Record<string, unknown> // cast: fieldReading said it is read by its fields
    if (typeof container.name !== 'string' || container.name === '') leaveFastPath()
    out[i] = copyContainer(container, reading, depth + 1, hook)
  }
  hook.at = podAt
  hook.containers += n
  return out
}

function copyContainer(
  container: Record<string, unknown>,
  reading: FieldReading,
  depth: number,
  hook: FastHook,
): JsonObject {
  const { plan, tls } = hook
  const out: JsonObject = {}
  let saw = 0
  if (reading === BY_FOR_IN) {
    for (const k in container) saw |= containerField(container, k, out, depth, hook)
  } else {
    for (const k of Object.keys(container)) saw |= containerField(container, k, out, depth, hook)
  }
  // through setOwn, not `out.env =` (bench/README.md, "Why the code is shaped so": setOwn)
  if ((saw & SAW_ENV) === 0) {
    setOwn(out, 'env', hookEnv(plan))
    note(hook, ENV, true)
  }
  if (tls && (saw & SAW_MOUNTS) === 0) {
    setOwn(out, 'volumeMounts', [certMount(plan)])
    note(hook, MOUNTS, true)
  }
  return out
}

function containerField(
  container: Record<string, unknown>,
  k: string,
  out: JsonObject,
  depth: number,
  hook: FastHook,
): number {
  const v = container[k]
  if (v === undefined) return 0
  let saw = 0
  let c: Json
  if (k === 'env') {
    c = appendTo(v, depth + 1, hook, ENV)
    saw = SAW_ENV
  } else if (k === 'volumeMounts' && hook.tls) {
    c = appendTo(v, depth + 1, hook, MOUNTS)
    saw = SAW_MOUNTS
  } else {
    c = copyPlainJson(v, depth + 1) // a function (a toJSON of the object itself) throws there
  }
  setOwn(out, k, c)
  return saw
}

/** Fresh copies of the hook's entries of a list, written into `out` from `at` on (no array made for them). */
function putEntries(out: Json[], at: number, plan: Plan, kind: ListKind): void {
  if (kind !== ENV) out[at] = kind === VOLUMES ? certVolume(plan) : certMount(plan)
  else for (const v of plan.env) out[at++] = envEntry(plan, v)
}

/**
 * A named list (env, volumes, volumeMounts) copied with fresh copies of the
 * hook's entries after its own, in one array of the final size; NOT_FAST when
 * it is not a list of named plain objects, or an entry clashes with the hook's.
 */
function appendTo(list: unknown, depth: number, hook: FastHook, kind: ListKind): Json[] {
  if (!Array.isArray(list)) leaveFastPath()
  const n = list.length
  const added = kind === ENV ? hook.plan.env.length : 1
  const out = new Array<Json>(n + added)
  const names = kind === ENV ? hook.clash.env : kind === VOLUMES ? hook.clash.volumes : hook.clash.mounts
  const mountKey = kind === MOUNTS ? hook.clash.mountKey : undefined
  for (let i = 0; i < n; i++) {
    const e: unknown = list[i]
    if (!isFieldObject(e)) leaveFastPath()
    const name = e.name
    if (typeof name !== 'string' || names.includes(name)) leaveFastPath()
    if (mountKey !== undefined && mountPathKey(e.mountPath) === mountKey) leaveFastPath()
    out[i] = copyPlainJson(e, depth + 1) // checked and copied in one pass: a bail drops the copy anyway
  }
  putEntries(out, n, hook.plan, kind)
  note(hook, kind, false)
  return out
}
