// The small validators every public function uses for its arguments and
// configuration: each throws a HookError with the caller's code, at the
// caller's path, with one message form ("<name> must be ..., not <value>").
import { HookError, type HookErrorCode } from '../errors.js'
import { HOOK_KINDS, type HookKind } from '../contract.js'
import { isRecord } from './json.js'
import { pointer } from './pointer.js'
import { describeValue } from './describe-value.js'

/** Where a failure is reported: the error code, the JSON pointer, and the name the message gives the value. */
interface Where {
  readonly code: HookErrorCode
  readonly path: string
  readonly name: string
}

const fail = (where: Where, must: string, value: unknown): never => {
  throw new HookError(where.code, `${where.name} must be ${must}, not ${describeValue(value)}`, { path: where.path })
}

/** True when `value` is one of `allowed` (a guard: no cast at the caller). */
export function isOneOf<T extends string>(value: unknown, allowed: readonly T[]): value is T {
  return allowed.some((a) => a === value)
}

/** `value` when it is one of `allowed` ("<name> must be "a" or "b", not <value>" otherwise). */
export function checkOneOf<T extends string>(value: unknown, allowed: readonly T[], where: Where): T {
  if (isOneOf(value, allowed)) return value
  return fail(where, allowed.map((a) => JSON.stringify(a)).join(' or '), value)
}

/** Where an unknown key is reported, and how the message names the mapping. */
interface KeysWhere {
  readonly code: HookErrorCode
  /** The JSON pointer of the mapping: the key's path is below it. */
  readonly path: string
  /** What the mapping's entries are called: `field` (ours) or `key` (a ConfigMap's, Krake's). */
  readonly noun?: 'field' | 'key'
  /** Said first, before a colon: `hooks.complete`. */
  readonly context?: string
  /** Said after the key: `in spec.tls`. */
  readonly within?: string
}

/**
 * Refuses the first own key of `obj` that `allowed` does not hold (a list,
 * or the keys of a table), naming it and what is allowed:
 * `hooks.complete: unknown key "env_tokn" (allowed: ...)` at `/hooks/complete/env_tokn`.
 * Object.prototype's names (`constructor`, `__proto__`) are unknown keys like any other.
 */
export function checkKnownKeys(
  obj: Readonly<Record<string, unknown>>,
  allowed: readonly string[] | Readonly<Record<string, unknown>>,
  where: KeysWhere,
): void {
  const names = Array.isArray(allowed) ? allowed : Object.keys(allowed)
  for (const key of Object.keys(obj)) {
    if (names.includes(key)) continue
    const lead = where.context === undefined ? '' : `${where.context}: `
    const within = where.within === undefined ? '' : ` in ${where.within}`
    // a key of any length may come in: the message shows its first 64 characters, the path all of it
    const shown = key.length > 64 ? `${key.slice(0, 64)}...` : key
    throw new HookError(
      where.code,
      `${lead}unknown ${where.noun ?? 'field'} "${shown}"${within} (allowed: ${names.join(', ')})`,
      { path: where.path + pointer(key) },
    )
  }
}

/** `value` when it is "complete" or "shutdown". */
export function checkHookKind(value: unknown, where: Where): HookKind {
  return checkOneOf(value, HOOK_KINDS, where)
}

/**
 * `value` when it is a safe integer of at least `min` and, when given, at
 * most `max` (a number: never a numeric string or a boolean).
 */
export function checkInteger(value: unknown, min: number, where: Where, max?: number): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min && (max === undefined || value <= max))
    return value
  return fail(where, max === undefined ? `an integer of at least ${min}` : `an integer from ${min} to ${max}`, value)
}

/** `value` when it is a non-empty string. */
export function checkNonEmptyString(value: unknown, where: Where): string {
  if (typeof value === 'string' && value !== '') return value
  return fail(where, 'a non-empty string', value)
}

/** `value` when it is a mapping (an object that is not an array). */
export function checkRecord(value: unknown, where: Where): Record<string, unknown> {
  if (isRecord(value)) return value
  return fail(where, 'a mapping', value)
}

/** The `code` of a Node system error (ENOENT, EISDIR), if it has one. */
export function errorCodeOf(e: unknown): string | undefined {
  return isRecord(e) && typeof e.code === 'string' ? e.code : undefined
}

/** The message of anything thrown. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Whether `value` is an application reference: `{ name, namespace }`, both non-empty strings. */
export function isAppRef(value: unknown): value is { name: string; namespace: string } {
  if (typeof value !== 'object' || value === null) return false
  const { name, namespace } = value as { name?: unknown; namespace?: unknown } // cast: an object, read by two fields
  return typeof name === 'string' && name !== '' && typeof namespace === 'string' && namespace !== ''
}
