import { HookError } from '../errors.js'
import type { Json, JsonObject } from '../lib/clone.js'
import { isObject, jsonEqual } from '../lib/json.js'
import { pointer } from '../lib/pointer.js'
import type { HookResult, ResourceRef } from './types.js'

type Path = Array<string | number>

/** Where the current object is, for paths and results. */
export interface Site {
  /** Path of the manifest object from the root of the manifest list. */
  objPath: Path
  ref: ResourceRef
  onConflict: 'replace' | 'error' | 'keep'
  results: HookResult[]
}

/** A named list the hook writes into: env, volumes or volumeMounts. */
export interface ListKind {
  code: 'ERR_INVALID_ENV' | 'ERR_INVALID_VOLUMES' | 'ERR_INVALID_VOLUME_MOUNTS'
  noun: string
  /** A second key that must be unique too (a mount's mountPath). */
  uniqueBy?: string
}

/** `parent[field]` as a list of named objects, created when absent. */
export function namedList(parent: JsonObject, field: string, kind: ListKind, site: Site, rel: Path): JsonObject[] {
  const list = parent[field]
  if (list === undefined || list === null) {
    const fresh: JsonObject[] = []
    parent[field] = fresh
    return fresh
  }
  const at = (...rest: Path) => pointer(...site.objPath, ...rel, field, ...rest)
  if (!Array.isArray(list)) throw new HookError(kind.code, `${at()} must be an array`, { path: at() })
  list.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.name !== 'string') {
      throw new HookError(kind.code, `${at(i)} must be an object with a string name`, { path: at(i) })
    }
  })
  return list as JsonObject[]
}

/**
 * Puts `wanted` into `list` (the list at `rel/field` of the current object).
 * An entry that already equals it is left alone; an entry of the same name
 * (or, for mounts, the same mountPath) that differs is a conflict, settled
 * by `site.onConflict`: replaced in place (info), refused (ERR_CONFLICT) or
 * kept (warning). Later duplicates are removed when replacing, so that the
 * list ends with exactly one such entry.
 */
export function upsert(list: JsonObject[], wanted: JsonObject, kind: ListKind, site: Site, rel: Path, owner: string): void {
  const clashes: number[] = []
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!
    if (e.name === wanted.name || (kind.uniqueBy !== undefined && e[kind.uniqueBy] === wanted[kind.uniqueBy])) clashes.push(i)
  }
  if (clashes.length === 0) {
    list.push(wanted)
    return
  }
  const first = clashes[0]!
  if (clashes.length === 1 && jsonEqual(list[first], wanted as Json)) return
  const field = pointer(...rel, first)
  const existing = list[first]!
  const why =
    existing.name === wanted.name
      ? `${kind.noun} "${String(wanted.name)}" of ${owner} is already set to something else`
      : `${kind.noun} "${String(existing.name)}" of ${owner} already uses ${kind.uniqueBy} ${JSON.stringify(wanted[kind.uniqueBy!])}`
  const dupes = clashes.length > 1 ? ` (${clashes.length} entries clash)` : ''
  if (site.onConflict === 'error') {
    const path = pointer(...site.objPath, ...rel, first)
    throw new HookError('ERR_CONFLICT', `${why}${dupes}; onConflict is "error"`, { path })
  }
  if (site.onConflict === 'keep') {
    site.results.push({ severity: 'warning', message: `${why}${dupes}; kept it (onConflict "keep"), the hook may not work`, resourceRef: site.ref, field })
    return
  }
  list[first] = wanted
  for (let k = clashes.length - 1; k >= 1; k--) list.splice(clashes[k]!, 1)
  site.results.push({ severity: 'info', message: `${why}${dupes}; replaced it with the hook's`, resourceRef: site.ref, field })
}
