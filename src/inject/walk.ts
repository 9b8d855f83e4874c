// The one walk: a manifest copied and hooked in the same pass, for the shape
// nearly every manifest has. Each input value is read once, the lists the
// hook adds to are made at their final size, and no path, message or result
// is built. Anything unusual (a clash with the hook's entries, a value that
// is not plain JSON, a List, a missing or malformed field) answers NOT_FAST,
// and the caller takes the careful way (clone, then inject: inject.ts), which
// says exactly what is wrong and where. The objects it reads directly are
// those read by their own fields (isFieldObject: plain ones, and client-node
// models). Both ways give the same output: a
// property test holds them to it (test/inject/one-walk.test.ts).
import { copyValue, isFieldObject, setOwn, type Json, type JsonObject } from '../lib/clone.js'
import { certMount, certVolume, hookEnv, isHookVariable } from './objects.js'
import { mountPathKey, type Plan } from './plan.js'

/** The answer for what the one walk does not take. */
export const NOT_FAST = Symbol('not fast')
type Fast<T> = T | typeof NOT_FAST

/** `src` (at `depth` in the input) copied, with its pod spec at `location` hooked. */
export function copyWorkload(
  src: Record<string, unknown>,
  location: readonly string[],
  depth: number,
  plan: Plan,
): Fast<JsonObject> {
  return copyAlong(src, location, 0, depth, plan)
}

function copyAlong(
  node: Record<string, unknown>,
  location: readonly string[],
  step: number,
  depth: number,
  plan: Plan,
): Fast<JsonObject> {
  const key = location[step]
  const out: JsonObject = {}
  let found = false
  for (const k of Object.keys(node)) {
    const v = node[k]
    if (v === undefined) continue
    if (k === key) {
      if (!isFieldObject(v)) return NOT_FAST
      const c =
        step + 1 === location.length
          ? copyPodSpec(v, depth + 1, plan)
          : copyAlong(v, location, step + 1, depth + 1, plan)
      if (c === NOT_FAST) return NOT_FAST
      setOwn(out, k, c)
      found = true
    } else {
      if (typeof v === 'function') return NOT_FAST // a toJSON of the object itself
      setOwn(out, k, copyValue(v, depth + 1))
    }
  }
  return found ? out : NOT_FAST
}

function copyPodSpec(pod: Record<string, unknown>, depth: number, plan: Plan): Fast<JsonObject> {
  const tls = plan.tls !== undefined
  const out: JsonObject = {}
  let containers = false
  let volumes = false
  for (const k of Object.keys(pod)) {
    const v = pod[k]
    if (v === undefined) continue
    let c: Fast<Json>
    if (k === 'containers') {
      c = copyContainers(v, depth + 1, plan, false)
      containers = true
    } else if (k === 'initContainers' && plan.initContainers) {
      c = copyContainers(v, depth + 1, plan, true)
    } else if (k === 'volumes' && tls) {
      c = appendTo(v, depth + 1, plan, VOLUMES)
      volumes = true
    } else if (typeof v === 'function') {
      return NOT_FAST
    } else {
      c = copyValue(v, depth + 1)
    }
    if (c === NOT_FAST) return NOT_FAST
    setOwn(out, k, c)
  }
  if (!containers) return NOT_FAST
  if (tls && !volumes) out.volumes = [certVolume(plan)]
  return out
}

function copyContainers(list: unknown, depth: number, plan: Plan, mayBeEmpty: boolean): Fast<Json[]> {
  if (!Array.isArray(list) || (list.length === 0 && !mayBeEmpty)) return NOT_FAST
  const n = list.length
  const out = new Array<Json>(n)
  for (let i = 0; i < n; i++) {
    const c: unknown = list[i]
    if (!isFieldObject(c) || typeof c.name !== 'string' || c.name === '') return NOT_FAST // holes too
    const copy = copyContainer(c, depth + 1, plan)
    if (copy === NOT_FAST) return NOT_FAST
    out[i] = copy
  }
  return out
}

function copyContainer(container: Record<string, unknown>, depth: number, plan: Plan): Fast<JsonObject> {
  const tls = plan.tls !== undefined
  const out: JsonObject = {}
  let env = false
  let mounts = false
  for (const k of Object.keys(container)) {
    const v = container[k]
    if (v === undefined) continue
    let c: Fast<Json>
    if (k === 'env') {
      c = appendTo(v, depth + 1, plan, ENV)
      env = true
    } else if (k === 'volumeMounts' && tls) {
      c = appendTo(v, depth + 1, plan, MOUNTS)
      mounts = true
    } else if (typeof v === 'function') {
      return NOT_FAST
    } else {
      c = copyValue(v, depth + 1)
    }
    if (c === NOT_FAST) return NOT_FAST
    setOwn(out, k, c)
  }
  if (!env) out.env = hookEnv(plan)
  if (tls && !mounts) out.volumeMounts = [certMount(plan)]
  return out
}

/** The three lists the hook adds to: which entries clash with the hook's, and what it adds. */
const ENV = 0
const VOLUMES = 1
const MOUNTS = 2
type ListId = typeof ENV | typeof VOLUMES | typeof MOUNTS

function clashes(entry: Record<string, unknown>, plan: Plan, list: ListId): boolean {
  if (list === ENV) return isHookVariable(plan, entry.name)
  if (entry.name === plan.names.volume) return true
  return list === MOUNTS && mountPathKey(entry.mountPath) === plan.certDest
}

function added(plan: Plan, list: ListId): JsonObject[] {
  return list === ENV ? hookEnv(plan) : [list === VOLUMES ? certVolume(plan) : certMount(plan)]
}

/**
 * A named list (env, volumes, volumeMounts) copied with the hook's entries
 * after its own, in one array of the final size; NOT_FAST when it is not a
 * list of named plain objects, or an entry clashes with the hook's.
 */
function appendTo(list: unknown, depth: number, plan: Plan, which: ListId): Fast<Json[]> {
  if (!Array.isArray(list)) return NOT_FAST
  const n = list.length
  for (let i = 0; i < n; i++) {
    const e: unknown = list[i]
    if (!isFieldObject(e) || typeof e.name !== 'string' || clashes(e, plan, which)) return NOT_FAST
  }
  const extra = added(plan, which)
  const out = new Array<Json>(n + extra.length)
  for (let i = 0; i < n; i++) out[i] = copyValue(list[i], depth + 1)
  let j = n
  for (const entry of extra) out[j++] = entry
  return out
}
