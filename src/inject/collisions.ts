import { HookError } from '../errors.js'
import type { JsonObject } from '../lib/clone.js'
import { isObject, jsonEqual } from '../lib/json.js'
import { fieldName, pointer } from '../lib/pointer.js'
import type { HookResult, ResourceRef } from '../types.js'
import { describeValue } from '../lib/describe-value.js'
import { mountPathKey } from './plan.js'

type Path = Array<string | number>

/** Where the current object is, for paths and results, and the policy its clashes follow. */
export interface WorkloadAt {
  /** Path of the manifest object from the root of the manifest list. */
  objPath: Path
  ref: ResourceRef
  policy: ConflictPolicy
}

/** What to do with one entry or object of the hook's. */
type Decision = 'same' | 'append' | 'replace' | 'keep'

/** An entry or object of the input that has the hook's name (or mount path) and differs. */
interface Clash {
  why: string
  about: Pick<HookResult, 'resourceRef' | 'field'>
  /** Where ERR_CONFLICT points. */
  path: string
}

/**
 * The conflict policy of one call, for list entries and whole objects alike:
 * `settleClash` is the one place it is applied; the caller carries out the
 * decision. Plain data, no class: see `HookRun` in run.ts for why the
 * per-call objects of a walk are object literals.
 */
export interface ConflictPolicy {
  readonly onConflict: 'replace' | 'error' | 'keep'
  /** Where the results of settled clashes go. */
  readonly results: HookResult[]
}

/**
 * `append` when nothing clashes, `same` when what is there equals the
 * hook's; for a clash, `replace` (info result) or `keep` (warning result)
 * by policy, or, under 'error', ERR_CONFLICT thrown at the clash's path.
 */
export function settleClash(policy: ConflictPolicy, clash: Clash | undefined, equal = false): Decision {
  if (clash === undefined) return 'append'
  if (equal) return 'same'
  if (policy.onConflict === 'error')
    throw new HookError('ERR_CONFLICT', `${clash.why}; onConflict is "error"`, { path: clash.path })
  if (policy.onConflict === 'keep') {
    policy.results.push({
      severity: 'warning',
      message: `${clash.why}; kept it (onConflict "keep"), the hook may not work`,
      ...clash.about,
    })
    return 'keep'
  }
  policy.results.push({ severity: 'info', message: `${clash.why}; replaced it with the hook's`, ...clash.about })
  return 'replace'
}

/** A named list the hook writes into: env, volumes or volumeMounts. */
export interface ListKind {
  field: 'env' | 'volumes' | 'volumeMounts'
  code: 'ERR_INVALID_ENV' | 'ERR_INVALID_VOLUMES' | 'ERR_INVALID_VOLUME_MOUNTS'
  noun: string
  /** A second key that must be unique too (a mount's mountPath). */
  uniqueBy?: string
  /** How values of `uniqueBy` are compared: `/etc/krake_cert/` is the mount path `/etc/krake_cert`. */
  normalize?: (value: unknown) => unknown
}

export const ENV: ListKind = { field: 'env', code: 'ERR_INVALID_ENV', noun: 'env var' }
export const VOLUMES: ListKind = { field: 'volumes', code: 'ERR_INVALID_VOLUMES', noun: 'volume' }
export const MOUNTS: ListKind = {
  field: 'volumeMounts',
  code: 'ERR_INVALID_VOLUME_MOUNTS',
  noun: 'volumeMount',
  uniqueBy: 'mountPath',
  normalize: mountPathKey,
}

/**
 * Whether `entry` stands where the hook's `wanted` goes in a list of `kind`:
 * the same name, or (mounts) the same mount path. The one definition of a
 * clash, for both ways of injecting.
 */
export function takesPlaceOf(entry: Record<string, unknown>, wanted: JsonObject, kind: ListKind): boolean {
  if (entry.name === wanted.name) return true
  const unique = kind.uniqueBy
  if (unique === undefined) return false
  const norm = kind.normalize
  return norm === undefined ? entry[unique] === wanted[unique] : norm(entry[unique]) === norm(wanted[unique])
}

/**
 * Where a list is, relative to its object: its parent's path (the pod spec or
 * a container) and, for the messages, who owns it. Paths and names are only
 * turned into strings when an error or a result needs them.
 */
export interface ListOwner {
  parentRel: readonly (string | number)[]
  /** The container's name, or undefined for the pod's own volumes. */
  container?: string
}

export const ownerName = (owner: ListOwner) =>
  owner.container === undefined ? `pod ${pointer(...owner.parentRel)}` : `container "${owner.container}"`

/** The entries of the list, checked: absent is empty; otherwise objects with a string name. */
export function entriesOf(parent: JsonObject, kind: ListKind, site: WorkloadAt, owner: ListOwner): JsonObject[] {
  const list = parent[kind.field]
  if (list === undefined || list === null) return []
  if (!Array.isArray(list)) {
    const path = pointer(...site.objPath, ...owner.parentRel, kind.field)
    throw new HookError(kind.code, `${fieldName([...owner.parentRel, kind.field])} must be an array`, { path })
  }
  for (let i = 0; i < list.length; i++) {
    const entry = list[i]
    if (!isObject(entry) || typeof entry.name !== 'string') {
      const path = pointer(...site.objPath, ...owner.parentRel, kind.field, i)
      const name = fieldName([...owner.parentRel, kind.field, i])
      throw new HookError(kind.code, `${name} must be an object with a string name`, { path })
    }
  }
  return list as JsonObject[]
}

/**
 * Puts each of `wanted` into `parent[kind.field]`. An entry that already
 * equals it is left alone; an entry of the same name (or, for mounts, the
 * same mountPath) that differs is a conflict, settled by `site.policy`:
 * replaced in place (info), refused (ERR_CONFLICT) or kept (warning). Later
 * duplicates are removed when replacing, so that the list ends with exactly
 * one such entry. New entries are appended in one exact-size copy.
 */
export function upsertAll(
  parent: JsonObject,
  wanted: readonly JsonObject[],
  kind: ListKind,
  site: WorkloadAt,
  owner: ListOwner,
): Upserted {
  const list = entriesOf(parent, kind, site, owner)
  let append: JsonObject[] | undefined
  let replaced = false
  let kept = false
  for (const w of wanted) {
    const decision = settle(list, w, kind, site, owner)
    if (decision === 'append') (append ??= []).push(w)
    else if (decision === 'replace') replaced = true
    else if (decision === 'keep') kept = true
  }
  if (append !== undefined) parent[kind.field] = list.length === 0 ? append : list.concat(append)
  return { changed: append !== undefined || replaced, kept }
}

/** What `upsertAll` did: for the summary of a run (hooked, hooked already, kept its own entries). */
export interface Upserted {
  /** An entry was appended or replaced. */
  changed: boolean
  /** A clashing entry was kept under `onConflict: 'keep'`. */
  kept: boolean
}

/** Settles `wanted` against the clashing entries of `list`: `append` when there are none and it must be appended. */
function settle(list: JsonObject[], wanted: JsonObject, kind: ListKind, site: WorkloadAt, owner: ListOwner): Decision {
  let clashes: number[] | undefined
  const unique = kind.uniqueBy
  list.forEach((e, i) => {
    if (takesPlaceOf(e, wanted, kind)) (clashes ??= []).push(i)
  })
  if (clashes === undefined) return 'append'
  const [first = 0] = clashes
  const existing = list[first] ?? wanted
  if (clashes.length === 1 && jsonEqual(existing, wanted)) return 'same'
  const rel = [...owner.parentRel, kind.field, first]
  const why =
    existing.name === wanted.name
      ? `${kind.noun} ${describeValue(wanted.name)} of ${ownerName(owner)} is already set to something else`
      : `${kind.noun} ${describeValue(existing.name)} of ${ownerName(owner)} already uses ${String(unique)} ${describeValue(unique === undefined ? undefined : wanted[unique])}`
  const dupes = clashes.length > 1 ? ` (${clashes.length} entries clash)` : ''
  const clash: Clash = {
    why: `${why}${dupes}`,
    about: { resourceRef: site.ref, field: pointer(...rel) },
    path: pointer(...site.objPath, ...rel),
  }
  const decision = settleClash(site.policy, clash)
  if (decision === 'replace') {
    list[first] = wanted
    for (const k of clashes.slice(1).reverse()) list.splice(k, 1)
  }
  return decision
}
