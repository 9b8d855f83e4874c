import type { Json, JsonObject } from './clone.js'
import { isObject, jsonEqual } from './json.js'
import { escapeSegment } from './pointer.js'

/** One RFC 6902 operation, of the kinds a hook's patch holds. */
export type JsonPatchOperation = JsonPatchAdd | JsonPatchRemove | JsonPatchReplace

/** Adds `value` at `path` (`/-` appends to a list). */
export interface JsonPatchAdd {
  /** The operation. */
  op: 'add'
  /** JSON pointer, relative to the patched object. */
  path: string
  /** What is added. */
  value: Json
}

/** Removes what is at `path`. */
export interface JsonPatchRemove {
  /** The operation. */
  op: 'remove'
  /** JSON pointer, relative to the patched object. */
  path: string
}

/** Replaces what is at `path` with `value`. */
export interface JsonPatchReplace {
  /** The operation. */
  op: 'replace'
  /** JSON pointer, relative to the patched object. */
  path: string
  /** The new value. */
  value: Json
}

/**
 * The RFC 6902 operations that turn `before` into `after`, for two JSON
 * values that share no objects with anything the caller will change. The
 * edits a hook makes are appended list entries, added fields and entries
 * replaced in place, so the diff is structural: object fields by name, list
 * entries by index, with appends written as `/-` and surplus entries removed
 * from the end. Key order follows `after`: an added field is added last, as
 * the injection adds it.
 */
export function diffJson(before: Json, after: Json, path = '', ops: JsonPatchOperation[] = []): JsonPatchOperation[] {
  if (jsonEqual(before, after)) return ops
  if (Array.isArray(before) && Array.isArray(after)) {
    after.forEach((value, i) => {
      if (i < before.length) diffJson(before[i] ?? null, value, `${path}/${i}`, ops)
      else ops.push({ op: 'add', path: `${path}/-`, value })
    })
    for (let i = before.length - 1; i >= after.length; i--) ops.push({ op: 'remove', path: `${path}/${i}` })
    return ops
  }
  if (isObject(before) && isObject(after)) {
    diffObject(before, after, path, ops)
    return ops
  }
  ops.push({ op: 'replace', path, value: after })
  return ops
}

function diffObject(before: JsonObject, after: JsonObject, path: string, ops: JsonPatchOperation[]): void {
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) ops.push({ op: 'remove', path: `${path}/${escapeSegment(key)}` })
  }
  for (const [key, value] of Object.entries(after)) {
    const at = `${path}/${escapeSegment(key)}`
    const old = before[key]
    if (old !== undefined && Object.hasOwn(before, key)) diffJson(old, value, at, ops)
    else ops.push({ op: 'add', path: at, value })
  }
}
