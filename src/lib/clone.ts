import { HookError } from '../errors.js'
import { pointer } from './pointer.js'

/** A JSON value as manifests hold them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
/** A JSON object. */
export type JsonObject = { [key: string]: Json }

/** Deeper than any manifest has reason to be; past it we look for a cycle. */
export const MAX_DEPTH = 512

// Thrown inside the recursion; each frame adds its key on the way out, so the
// happy path pays nothing for building paths.
class CloneFault {
  readonly segments: Array<string | number> = []
  constructor(
    readonly kind: 'value' | 'depth',
    readonly detail: string,
  ) {}
}

/**
 * `out[key] = value` as data: a plain assignment to "__proto__" would set the
 * prototype instead (JSON.parse and YAML both make such own keys).
 */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineOwn(out, key, value)
  else out[key] = value
}

/** The rare half of setOwn, apart so that the common half stays small enough to inline. */
function defineOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Whether `value`'s prototype is Object.prototype or null: an object literal, JSON.parse's or YAML's. */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

// Built-ins that JSON.stringify writes as `{}` (or as index maps): reading
// them so would lose their content without a word, so they are refused.
const LOSSY: ReadonlyArray<[new (...args: never[]) => object, string]> = [
  [Map, 'Map'],
  [Set, 'Set'],
  [WeakMap, 'WeakMap'],
  [WeakSet, 'WeakSet'],
  [RegExp, 'RegExp'],
  [Promise, 'Promise'],
  [ArrayBuffer, 'ArrayBuffer'],
]

// Per prototype, since a controller hands over thousands of objects of a few classes: '' for a class read by its fields.
const lossyByPrototype = new WeakMap<object, string>()

/** Why `value` cannot be read as JSON data, or undefined when it can. */
function lossyKind(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value) as object
  let kind = lossyByPrototype.get(proto)
  if (kind === undefined) {
    kind = ''
    if (ArrayBuffer.isView(value)) kind = value.constructor?.name ?? 'typed array'
    else for (const [type, name] of LOSSY) if (value instanceof type) kind = name
    lossyByPrototype.set(proto, kind)
  }
  return kind === '' ? undefined : kind
}

/** A fault for whatever a getter, a Proxy trap or a toJSON threw while being read. */
function readFault(e: unknown, what: string): CloneFault {
  if (e instanceof CloneFault) return e
  const name = e instanceof Error ? e.name : 'an exception'
  return new CloneFault('value', `${what} threw ${name}`)
}

/**
 * cloneJson's copy of `value` at `depth`, for a caller that catches every
 * throw and then takes the checked way (the fast copier, for class
 * instances): what it throws says nothing the caller reads.
 */
export function cloneValue(value: unknown, depth: number): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      // -0 is written as 0 by JSON.stringify, and so read by everyone after us
      if (Number.isFinite(value)) return value === 0 ? 0 : value
      throw new CloneFault('value', `${value} is not a JSON number`)
    case 'object': {
      if (value === null) return null
      if (depth > MAX_DEPTH) throw new CloneFault('depth', '')
      if (Array.isArray(value)) return cloneArray(value, depth)
      // Plain objects (what JSON.parse and YAML make) are the fast path.
      if (isPlainObject(value)) return cloneFields(value as Record<string, unknown>, depth, false, true)
      return cloneInstance(value, depth)
    }
    default:
      throw new CloneFault('value', `a ${typeof value} is not a JSON value`)
  }
}

function cloneArray(value: readonly unknown[], depth: number): Json[] {
  const n = value.length
  const out = new Array<Json>(n)
  for (let i = 0; i < n; i++) {
    try {
      if (!(i in value)) throw new CloneFault('value', 'a sparse array hole is not a JSON value')
      out[i] = cloneValue(value[i], depth + 1)
    } catch (e) {
      const f = readFault(e, 'reading this field')
      f.segments.push(i)
      throw f
    }
  }
  return out
}

/**
 * Whether `for...in` reads a plain object's keys exactly as `Object.keys`
 * does: when `Object.prototype` carries no enumerable key (nothing has
 * polluted it), `for...in` over an object whose prototype is it, or null,
 * gives its own enumerable string keys in the same order, without making an
 * array of them. Checked again by `checkPrototype` at each public call.
 */
let forInIsOwnKeys = false

/**
 * Whether `for...in` over `value` reads exactly its own enumerable keys: a
 * plain object, the prototype clean as checkPrototype last found it. What
 * fieldReading calls BY_FOR_IN, for a value known to be an object.
 */
export const readsByForIn = (value: object): boolean => forInIsOwnKeys && isPlainObject(value)

/**
 * How many own enumerable string keys `value` has, as `Object.keys(value).length`
 * says, without making the array when for...in reads exactly those keys (a
 * plain object, the prototype clean as checkPrototype last found it).
 */
export function ownKeyCount(value: object): number {
  if (!readsByForIn(value)) return Object.keys(value).length
  let n = 0
  for (const _ in value) n++
  return n
}

/** Looks again whether `Object.prototype` carries an enumerable key (a polluted prototype); cheap. */
export function checkPrototype(): void {
  for (const _ in Object.prototype) {
    forInIsOwnKeys = false
    return
  }
  forInIsOwnKeys = true
}

/** How the fast path reads an object by its fields, as fieldReading says. */
export type FieldReading = typeof NOT_FIELDS | typeof BY_FOR_IN | typeof BY_KEYS
/** Not read by its fields: not an object, a list, or an object with a toJSON, a boxed primitive, a Map... */
export const NOT_FIELDS = 0
/** A plain object while `for...in` gives exactly its own keys (see forInIsOwnKeys). */
export const BY_FOR_IN = 1
/** Read by `Object.keys`: a class instance (a client-node model), or a plain object under a polluted prototype. */
export const BY_KEYS = 2

/**
 * Whether and how `value` is read by its own fields, as isFieldObject and
 * cloneValue read it, in one look at its prototype: the fast path asks it
 * once per object and hands the answer down to the loop over its keys.
 */
export function fieldReading(value: unknown): FieldReading {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return NOT_FIELDS
  if (isPlainObject(value)) return forInIsOwnKeys ? BY_FOR_IN : BY_KEYS
  return isFieldInstance(value) ? BY_KEYS : NOT_FIELDS
}

/** The own enumerable string-keyed fields, as JSON.stringify reads them; undefined ones are absent. */
function cloneFields(
  src: Record<string, unknown>,
  depth: number,
  fromToJSON = false,
  plain = isPlainObject(src),
): Json {
  const out: JsonObject = {}
  if (forInIsOwnKeys && plain) {
    for (const key in src) {
      const whole = cloneField(out, src, key, depth, fromToJSON)
      if (whole !== undefined) return whole
    }
    return out
  }
  for (const key of Object.keys(src)) {
    const whole = cloneField(out, src, key, depth, fromToJSON)
    if (whole !== undefined) return whole
  }
  return out
}

/** Copies `src[key]` into `out`; returns what a toJSON of the object made of the whole object, if it has one. */
function cloneField(
  out: JsonObject,
  src: Record<string, unknown>,
  key: string,
  depth: number,
  fromToJSON: boolean,
): Json | undefined {
  let copy: Json
  let wholeObject = false
  try {
    const v = src[key]
    if (v === undefined) return undefined // as JSON.stringify does: an absent field
    // A plain object may carry its own toJSON too: what it returns stands for the whole object.
    if (typeof v === 'function' && key === 'toJSON' && !fromToJSON) {
      wholeObject = true
      return cloneToJSON(src, v, depth)
    }
    copy = cloneValue(v, depth + 1)
  } catch (e) {
    const f = readFault(e, 'reading this field')
    if (!wholeObject) f.segments.push(key)
    throw f
  }
  setOwn(out, key, copy)
  return undefined
}

/**
 * Whether `value` is read by its own fields, as cloneValue reads it: a
 * plain object, or a class instance (a @kubernetes/client-node model) that
 * has no toJSON, is no boxed primitive and no Map, Set or other built-in
 * whose content JSON would lose. Reading `toJSON` may run a getter: callers
 * guard against a throw.
 */
export function isFieldObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  return isPlainObject(value) || isFieldInstance(value)
}

/** isFieldObject for an object that is no plain object and no list. */
function isFieldInstance(value: object): boolean {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false
  if (value instanceof Number || value instanceof String || value instanceof Boolean) return false
  return lossyKind(value) === undefined
}

/**
 * A class instance, read as JSON.stringify reads it: its `toJSON()` when it
 * has one (a Date becomes its RFC 3339 string), a boxed primitive unwrapped,
 * otherwise its own enumerable fields (so @kubernetes/client-node models
 * read as the objects they describe).
 */
function cloneInstance(value: object, depth: number): Json {
  let toJSON: unknown
  try {
    toJSON = (value as { toJSON?: unknown }).toJSON
  } catch (e) {
    throw readFault(e, 'reading its toJSON')
  }
  if (typeof toJSON === 'function') return cloneToJSON(value, toJSON, depth)
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return cloneValue(value.valueOf(), depth)
  const lossy = lossyKind(value)
  if (lossy !== undefined)
    throw new CloneFault('value', `a ${lossy} is not a JSON value (JSON.stringify would lose its content)`)
  try {
    return cloneFields(value as Record<string, unknown>, depth)
  } catch (e) {
    throw readFault(e, 'reading its fields') // a Proxy's ownKeys trap
  }
}

/** What `toJSON` makes of `holder`, cloned; JSON.stringify calls it once per value, not again on its result. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- what `typeof v === "function"` narrows to; it is only called
function cloneToJSON(holder: object, toJSON: Function, depth: number): Json {
  const what = `the ${holder.constructor?.name ?? 'object'}'s toJSON()`
  let json: unknown
  try {
    json = toJSON.call(holder)
  } catch (e) {
    throw readFault(e, what)
  }
  if (json === undefined || typeof json === 'function' || typeof json === 'symbol') {
    throw new CloneFault(
      'value',
      `${what} returned ${json === undefined ? 'undefined' : `a ${typeof json}`}, which JSON.stringify would drop`,
    )
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return cloneValue(json, depth)
  return cloneFields(json as Record<string, unknown>, depth, true)
}

/**
 * Whether the chain of objects from `root` along `segments` (where the copy
 * went too deep) meets one object twice: then the depth is a cycle's. Only
 * that chain is looked at, so a cycle elsewhere does not explain a deep
 * branch. Getters run again here; one that throws now says nothing of cycles.
 */
function pathRepeats(root: unknown, segments: ReadonlyArray<string | number>): boolean {
  const seen = new Set<unknown>()
  let node: unknown = root
  try {
    for (const segment of segments) {
      if (typeof node !== 'object' || node === null) return false
      if (seen.has(node)) return true
      seen.add(node)
      node = (node as Record<string | number, unknown>)[segment]
    }
  } catch {
    return false
  }
  return typeof node === 'object' && node !== null && seen.has(node)
}

/**
 * A deep copy that shares nothing with its input and holds only JSON values,
 * read as `JSON.stringify` reads them (`toJSON` honoured, class instances by
 * their own enumerable fields, undefined fields absent). What JSON cannot
 * hold (a function, a symbol, a bigint, NaN, a hole, a cycle, a Map, a
 * getter that throws) is a HookError whose path, relative to `base`, points
 * at it.
 */
export function cloneJson(value: unknown, base: ReadonlyArray<string | number> = [], depth = 0): Json {
  checkPrototype()
  try {
    return cloneValue(value, depth)
  } catch (err) {
    const e = readFault(err, 'reading the input')
    const segments = e.segments.reverse()
    const path = pointer(...base, ...segments)
    if (e.kind === 'value') throw new HookError('ERR_INVALID_VALUE', e.detail, { path })
    if (pathRepeats(value, segments))
      throw new HookError('ERR_CYCLE', 'the input refers to itself (a cycle) here', { path })
    throw new HookError('ERR_TOO_DEEP', `the input nests deeper than ${MAX_DEPTH} levels here`, { path })
  }
}
