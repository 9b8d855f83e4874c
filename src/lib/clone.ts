import { HookError } from '../errors.js'
import { pointer } from './pointer.js'

/** A JSON value as manifests hold them. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

/** Deeper than any manifest has reason to be; past it we look for a cycle. */
export const MAX_DEPTH = 512

// Thrown inside the recursion; each frame adds its key on the way out, so the
// happy path pays nothing for building paths.
class CloneFault {
  readonly segments: Array<string | number> = []
  constructor(readonly kind: 'value' | 'depth', readonly detail: string) {}
}

/**
 * `out[key] = value` as data: a plain assignment to "__proto__" would set the
 * prototype instead (JSON.parse and YAML both make such own keys).
 */
export function setOwn(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  else out[key] = value
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

function cloneValue(value: unknown, depth: number): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value
    case 'number':
      if (Number.isFinite(value)) return value
      throw new CloneFault('value', `${value} is not a JSON number`)
    case 'object': {
      if (value === null) return null
      if (depth > MAX_DEPTH) throw new CloneFault('depth', '')
      if (Array.isArray(value)) {
        const n = value.length
        const out: Json[] = new Array(n)
        for (let i = 0; i < n; i++) {
          if (!(i in value)) {
            const f = new CloneFault('value', 'a sparse array hole is not a JSON value')
            f.segments.push(i)
            throw f
          }
          try {
            out[i] = cloneValue(value[i], depth + 1)
          } catch (e) {
            if (e instanceof CloneFault) e.segments.push(i)
            throw e
          }
        }
        return out
      }
      if (!isPlainObject(value)) {
        throw new CloneFault('value', `a ${value.constructor?.name ?? 'non-plain'} object is not a JSON value`)
      }
      const out: JsonObject = {}
      const src = value as Record<string, unknown>
      for (const key of Object.keys(src)) {
        const v = src[key]
        if (v === undefined) continue // as JSON.stringify does: an absent field
        let copy: Json
        try {
          copy = cloneValue(v, depth + 1)
        } catch (e) {
          if (e instanceof CloneFault) e.segments.push(key)
          throw e
        }
        setOwn(out, key, copy)
      }
      return out
    }
    default:
      throw new CloneFault('value', `a ${typeof value} is not a JSON value`)
  }
}

// Iterative, so that a very deep but acyclic input cannot overflow the stack.
function hasCycle(root: unknown): boolean {
  const onPath = new Set<object>()
  const stack: Array<{ node: object; children: unknown[]; next: number }> = []
  const enter = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null) return false
    if (onPath.has(v)) return true
    onPath.add(v)
    stack.push({ node: v, children: Object.values(v), next: 0 })
    return false
  }
  if (enter(root)) return true
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!
    if (top.next < top.children.length) {
      if (enter(top.children[top.next++])) return true
    } else {
      onPath.delete(top.node)
      stack.pop()
    }
  }
  return false
}

/**
 * A deep copy that shares nothing with its input and holds only JSON values.
 * Anything else (a function, a Date, NaN, a hole, a cycle) is a HookError
 * whose path, relative to `base`, points at it.
 */
export function cloneJson(value: unknown, base: ReadonlyArray<string | number> = []): Json {
  try {
    return cloneValue(value, 0)
  } catch (e) {
    if (!(e instanceof CloneFault)) throw e
    const path = pointer(...base, ...e.segments.reverse())
    if (e.kind === 'value') throw new HookError('ERR_INVALID_VALUE', `${path || 'the input'}: ${e.detail}`, { path })
    if (hasCycle(value)) throw new HookError('ERR_CYCLE', `the input refers to itself (a cycle) below ${path || '/'}`, { path })
    throw new HookError('ERR_TOO_DEEP', `the input nests deeper than ${MAX_DEPTH} levels at ${path}`, { path })
  }
}
