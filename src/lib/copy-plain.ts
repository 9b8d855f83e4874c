// The fast copier: plain JSON data copied in one tight loop, and anything
// else refused without a word (the caller then takes the checked copier,
// lib/clone.ts's cloneJson, which says what and where). Apart from the
// checked one, as the two promise different things.
import { cloneValue, MAX_DEPTH, readsByForIn, setOwn, type Json, type JsonObject } from './clone.js'

/** What copyPlainJson throws: one shared object, no stack and no detail, since its callers then take the checked way. */
class Unusual {
  readonly message = 'not plain JSON data: take the checked way'
}
const UNUSUAL = new Unusual()

/**
 * The copy of `value`, as `cloneJson` makes it, at `depth` in the input, for
 * the fast path: plain JSON data is copied in one tight loop, class instances
 * (client-node models) as cloneJson reads them; anything else that JSON
 * cannot hold as it is (a hole, undefined in a list, a function or a toJSON,
 * a symbol, NaN, a depth that may be a cycle) throws, with no detail, and the
 * caller takes the checked way (cloneJson), which says what and where.
 * Callers catch every throw: a getter or a Proxy trap may throw too.
 */
export function copyPlainJson(value: unknown, depth: number): Json {
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value === 0 ? 0 : value // -0 is written as 0
    throw UNUSUAL
  }
  if (typeof value !== 'object') throw UNUSUAL
  if (value === null) return null
  if (depth > MAX_DEPTH) throw UNUSUAL
  if (Array.isArray(value)) {
    const n = value.length
    const out = new Array<Json>(n)
    for (let i = 0; i < n; i++) {
      const v: unknown = value[i]
      if (v === undefined) throw UNUSUAL // a hole, or undefined: neither is a JSON value in a list
      out[i] = copyPlainJson(v, depth + 1)
    }
    return out
  }
  if (!readsByForIn(value)) return cloneValue(value, depth)
  const out: JsonObject = {}
  // a function field (a toJSON among them) throws in the copy of it
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key] // cast: a plain object, read by its own keys
    if (v !== undefined) setOwn(out, key, copyPlainJson(v, depth + 1))
  }
  return out
}

/**
 * Whether `value` is JSON data as JSON.parse makes it, read without copying:
 * plain objects and lists of strings, finite numbers (not -0), booleans and
 * null, nothing undefined, no function (so no toJSON), no class instance, no
 * deeper than cloneJson goes. Such a value is its own JSON reading: a caller
 * that only reads it may take it for its copy. Reading may run a getter or a
 * Proxy trap, which may throw: callers catch.
 */
export function isPlainJson(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true
    case 'number':
      return Number.isFinite(value) && (value !== 0 || 1 / value > 0)
    case 'object':
      break
    default:
      return false
  }
  if (value === null) return true
  if (depth > MAX_DEPTH) return false
  if (Array.isArray(value)) {
    const n = value.length
    for (let i = 0; i < n; i++) {
      const v: unknown = value[i]
      if (v === undefined || !isPlainJson(v, depth + 1)) return false // a hole or undefined: no JSON value
    }
    return true
  }
  if (!readsByForIn(value)) return false
  for (const key in value) {
    const v = (value as Record<string, unknown>)[key] // cast: a plain object, read by its own keys
    if (v === undefined || !isPlainJson(v, depth + 1)) return false // JSON drops an undefined field
  }
  return true
}
