import { checkPrototype, readsByForIn, type Json, type JsonObject } from './clone.js'
import { isObject } from './json.js'
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
  // One walk of both: each pair of values is looked at once, and a path is written only for an
  // operation (a walk that asked first whether each subtree is equal read the deepest ones once
  // per level above them, and wrote a path for every field).
  checkPrototype() // diffObject reads keys with for...in only while nothing has polluted the prototype
  diffValue(before, after, { prefix: path, segments: [] }, ops)
  return ops
}

/** Where the walk is: the caller's prefix and the keys below it, escaped only when a path is written. */
interface At {
  readonly prefix: string
  readonly segments: string[]
}

const pointerOf = (at: At, last?: string) => {
  let out = at.prefix
  for (const segment of at.segments) out += `/${escapeSegment(segment)}`
  return last === undefined ? out : `${out}/${escapeSegment(last)}`
}

function diffValue(before: Json, after: Json, at: At, ops: JsonPatchOperation[]): void {
  if (before === after) return
  if (Array.isArray(before)) {
    if (Array.isArray(after)) return diffArray(before, after, at, ops)
  } else if (isObject(before) && isObject(after)) return diffObject(before, after, at, ops)
  ops.push({ op: 'replace', path: pointerOf(at), value: after })
}

function diffArray(before: Json[], after: Json[], at: At, ops: JsonPatchOperation[]): void {
  for (let i = 0; i < after.length; i++) {
    const value = after[i] ?? null
    if (i >= before.length) {
      ops.push({ op: 'add', path: pointerOf(at, '-'), value })
      continue
    }
    at.segments.push(String(i))
    diffValue(before[i] ?? null, value, at, ops)
    at.segments.pop()
  }
  for (let i = before.length - 1; i >= after.length; i--) ops.push({ op: 'remove', path: pointerOf(at, String(i)) })
}

function diffObject(before: JsonObject, after: JsonObject, at: At, ops: JsonPatchOperation[]): void {
  // for...in where it reads exactly the own keys (no array made per object), Object.keys elsewhere
  if (readsByForIn(before) && readsByForIn(after)) {
    for (const key in before) if (!Object.hasOwn(after, key)) ops.push({ op: 'remove', path: pointerOf(at, key) })
    for (const key in after) diffField(before, after, key, at, ops)
    return
  }
  for (const key of Object.keys(before)) {
    if (!Object.hasOwn(after, key)) ops.push({ op: 'remove', path: pointerOf(at, key) })
  }
  for (const key of Object.keys(after)) diffField(before, after, key, at, ops)
}

function diffField(before: JsonObject, after: JsonObject, key: string, at: At, ops: JsonPatchOperation[]): void {
  const value = after[key] as Json // cast: an own key of a JSON object holds a JSON value
  const old = before[key]
  if (old !== undefined && Object.hasOwn(before, key)) {
    at.segments.push(key)
    diffValue(old, value, at, ops)
    at.segments.pop()
  } else ops.push({ op: 'add', path: pointerOf(at, key), value })
}
