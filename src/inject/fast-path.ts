// The fast path: a manifest copied and hooked in the same pass, for the shape
// nearly every manifest has. Each input value is read once, the lists the
// hook adds to are made at their final size, and no path, message or result
// is built. Anything unusual (a clash with the hook's entries, a value that
// is not plain JSON, a List, a missing or malformed field) throws NOT_FAST,
// one shared object without a stack, and the caller takes the checked path
// (clone, then inject: inject.ts), which says exactly what is wrong and
// where. The objects it reads directly are those read by their own fields
// (isFieldObject: plain ones, and client-node models). Both ways give the
// same output: a property test holds them to it (test/inject/fast-path-agrees.test.ts),
// and test/inject/fast-path.test.ts that the common shapes take this way.
import {
  BY_FOR_IN,
  copyValue,
  fieldReading,
  isFieldObject,
  NOT_FIELDS,
  setOwn,
  type FieldReading,
  type Json,
  type JsonObject,
} from '../lib/clone.js'
import { ENV, MOUNTS, takesPlaceOf, VOLUMES, type ListKind } from './collisions.js'
import { certMount, certVolume, envEntry, hookEnv } from './objects.js'
import type { Plan } from './plan.js'

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
export function bail(): never {
  throw NOT_FAST
}

/**
 * One call's hook, as the fast path needs it: the plan, and the hook's
 * entries to compare against. An object literal (see `Run` in inject.ts).
 */
export interface Walk {
  readonly plan: Plan
  readonly tls: boolean
  /** The hook's own entries of each list, for clashes only: never put into the output. */
  readonly env: readonly JsonObject[]
  readonly volumes: readonly JsonObject[]
  readonly mounts: readonly JsonObject[]
  /**
   * How many containers the workload being copied has had hooked so far: the
   * caller sets it to 0 before each workload and reads it once the copy is
   * done (a copy that bails leaves a count nobody reads). Counted on the way
   * rather than read back from the output, whose shapes are the output's own.
   */
  containers: number
}

/** The walk of one call with `plan`. */
export function walkOf(plan: Plan): Walk {
  const tls = plan.tls !== undefined
  return {
    plan,
    tls,
    env: hookEnv(plan),
    volumes: tls ? [certVolume(plan)] : [],
    mounts: tls ? [certMount(plan)] : [],
    containers: 0,
  }
}

/**
 * `src` (at `depth` in the input) copied, with its pod spec at `location`
 * hooked; throws NOT_FAST. `reading` is how src is read (fieldReading), as
 * each object of the way is: asked once per object and handed down.
 */
export function copyWorkload(
  src: Record<string, unknown>,
  reading: FieldReading,
  location: readonly string[],
  depth: number,
  walk: Walk,
): JsonObject {
  return copyAlong(src, reading, location, 0, depth, walk)
}

function copyAlong(
  node: Record<string, unknown>,
  reading: FieldReading,
  location: readonly string[],
  step: number,
  depth: number,
  walk: Walk,
): JsonObject {
  const out: JsonObject = {}
  let found = false
  if (reading === BY_FOR_IN) {
    for (const k in node) found = alongField(node, k, out, location, step, depth, walk) || found
  } else {
    for (const k of Object.keys(node)) found = alongField(node, k, out, location, step, depth, walk) || found
  }
  if (!found) bail()
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
  walk: Walk,
): boolean {
  const v = node[k]
  if (v === undefined) return false
  if (k === location[step]) {
    const reading = fieldReading(v)
    if (reading === NOT_FIELDS) bail()
    const next = v as Record<string, unknown> // cast: fieldReading said it is read by its fields
    const last = step + 1 === location.length
    setOwn(
      out,
      k,
      last
        ? copyPodSpec(next, reading, depth + 1, walk)
        : copyAlong(next, reading, location, step + 1, depth + 1, walk),
    )
    return true
  }
  setOwn(out, k, copyValue(v, depth + 1)) // a function (a toJSON of the node itself) throws there
  return false
}

/** What a pod spec or container held of the lists the hook writes into. */
const SAW_CONTAINERS = 1
const SAW_VOLUMES = 2
const SAW_ENV = 4
const SAW_MOUNTS = 8

function copyPodSpec(pod: Record<string, unknown>, reading: FieldReading, depth: number, walk: Walk): JsonObject {
  const { plan, tls } = walk
  const out: JsonObject = {}
  let saw = 0
  if (reading === BY_FOR_IN) {
    for (const k in pod) saw |= podField(pod, k, out, depth, walk)
  } else {
    for (const k of Object.keys(pod)) saw |= podField(pod, k, out, depth, walk)
  }
  if ((saw & SAW_CONTAINERS) === 0) bail()
  if (tls && (saw & SAW_VOLUMES) === 0) setOwn(out, 'volumes', [certVolume(plan)]) // not `out.volumes =`: see copyContainer
  return out
}

function podField(pod: Record<string, unknown>, k: string, out: JsonObject, depth: number, walk: Walk): number {
  const v = pod[k]
  if (v === undefined) return 0
  let saw = 0
  let c: Json
  if (k === 'containers') {
    c = copyContainers(v, depth + 1, walk, false)
    saw = SAW_CONTAINERS
  } else if (k === 'initContainers' && walk.plan.initContainers) {
    c = copyContainers(v, depth + 1, walk, true)
  } else if (k === 'volumes' && walk.tls) {
    c = appendTo(v, depth + 1, walk, VOLUMES)
    saw = SAW_VOLUMES
  } else {
    c = copyValue(v, depth + 1) // a function (a toJSON of the object itself) throws there
  }
  setOwn(out, k, c)
  return saw
}

function copyContainers(list: unknown, depth: number, walk: Walk, mayBeEmpty: boolean): Json[] {
  if (!Array.isArray(list) || (list.length === 0 && !mayBeEmpty)) bail()
  const n = list.length
  const out = new Array<Json>(n)
  for (let i = 0; i < n; i++) {
    const c: unknown = list[i]
    const reading = fieldReading(c) // NOT_FIELDS for a hole too
    if (reading === NOT_FIELDS) bail()
    const container = c as Record<string, unknown> // cast: fieldReading said it is read by its fields
    if (typeof container.name !== 'string' || container.name === '') bail()
    out[i] = copyContainer(container, reading, depth + 1, walk)
  }
  walk.containers += n
  return out
}

function copyContainer(
  container: Record<string, unknown>,
  reading: FieldReading,
  depth: number,
  walk: Walk,
): JsonObject {
  const { plan, tls } = walk
  const out: JsonObject = {}
  let saw = 0
  if (reading === BY_FOR_IN) {
    for (const k in container) saw |= containerField(container, k, out, depth, walk)
  } else {
    for (const k of Object.keys(container)) saw |= containerField(container, k, out, depth, walk)
  }
  // through setOwn, not `out.env =` (bench/README.md, "Why the code is shaped so": setOwn)
  if ((saw & SAW_ENV) === 0) setOwn(out, 'env', hookEnv(plan))
  if (tls && (saw & SAW_MOUNTS) === 0) setOwn(out, 'volumeMounts', [certMount(plan)])
  return out
}

function containerField(
  container: Record<string, unknown>,
  k: string,
  out: JsonObject,
  depth: number,
  walk: Walk,
): number {
  const v = container[k]
  if (v === undefined) return 0
  let saw = 0
  let c: Json
  if (k === 'env') {
    c = appendTo(v, depth + 1, walk, ENV)
    saw = SAW_ENV
  } else if (k === 'volumeMounts' && walk.tls) {
    c = appendTo(v, depth + 1, walk, MOUNTS)
    saw = SAW_MOUNTS
  } else {
    c = copyValue(v, depth + 1) // a function (a toJSON of the object itself) throws there
  }
  setOwn(out, k, c)
  return saw
}

/** Fresh copies of the hook's entries of a list, written into `out` from `at` on (no array made for them). */
function putEntries(out: Json[], at: number, plan: Plan, kind: ListKind): void {
  if (kind !== ENV) out[at] = kind === VOLUMES ? certVolume(plan) : certMount(plan)
  else for (const v of plan.env) out[at++] = envEntry(plan, v)
}

/** Whether `entry` clashes with one of the hook's entries of the list. */
function clashes(entry: Record<string, unknown>, hooks: readonly JsonObject[], kind: ListKind): boolean {
  for (const wanted of hooks) if (takesPlaceOf(entry, wanted, kind)) return true
  return false
}

/**
 * A named list (env, volumes, volumeMounts) copied with fresh copies of the
 * hook's entries after its own, in one array of the final size; NOT_FAST when
 * it is not a list of named plain objects, or an entry clashes with the hook's.
 */
function appendTo(list: unknown, depth: number, walk: Walk, kind: ListKind): Json[] {
  const hooks = kind === ENV ? walk.env : kind === VOLUMES ? walk.volumes : walk.mounts
  if (!Array.isArray(list)) bail()
  const n = list.length
  const out = new Array<Json>(n + hooks.length)
  for (let i = 0; i < n; i++) {
    const e: unknown = list[i]
    if (!isFieldObject(e) || typeof e.name !== 'string' || clashes(e, hooks, kind)) bail()
    out[i] = copyValue(e, depth + 1) // checked and copied in one pass: a bail drops the copy anyway
  }
  putEntries(out, n, walk.plan, kind)
  return out
}
