// The identity fields of a manifest (apiVersion, kind, metadata.name and
// metadata.namespace), read once for both ways of injecting: the fast path
// over the input and the checked path over its clone.
import { HookError } from '../errors.js'
import type { Json, JsonObject } from '../lib/clone.js'
import { isObject } from '../lib/json.js'
import { fieldName, pointer } from '../lib/pointer.js'

type Path = Array<string | number>

/** What every manifest must have, read. */
export interface ManifestHead {
  apiVersion: string
  kind: string
  name: string
  /** Absent, null and '' all mean none. */
  namespace: string | undefined
}

/** The first identity field that is malformed: where, relative to the manifest, and what it must be. */
interface HeadFault {
  at: Path
  must: string
}

/** A `v1` `List`: its items are manifests of their own. */
export const LIST = 'List'

/**
 * The head of `obj`, `LIST` for a v1 List, or its first fault. `isObject`
 * says what counts as an object where metadata is (plain JSON in a clone;
 * plain objects and field-read class instances in the input). With `into`,
 * the head is written into it and it is returned: the fast path reads one
 * head per manifest and keeps none, so it lends one object for all.
 */
export function readHead(
  obj: Record<string, unknown>,
  isObject: (v: unknown) => v is Record<string, unknown>,
  into?: ManifestHead,
): ManifestHead | typeof LIST | HeadFault {
  const { apiVersion, kind, metadata } = obj
  if (typeof apiVersion !== 'string' || apiVersion === '') return { at: ['apiVersion'], must: 'a non-empty string' }
  if (typeof kind !== 'string' || kind === '') return { at: ['kind'], must: 'a non-empty string' }
  if (apiVersion === 'v1' && kind === 'List') return LIST
  if (!isObject(metadata)) return { at: ['metadata'], must: 'an object' }
  const { name, namespace } = metadata
  if (typeof name !== 'string' || name === '') return { at: ['metadata', 'name'], must: 'a non-empty string' }
  if (namespace !== undefined && namespace !== null && typeof namespace !== 'string')
    return { at: ['metadata', 'namespace'], must: 'a string' }
  const ns = typeof namespace === 'string' && namespace !== '' ? namespace : undefined
  if (into === undefined) return { apiVersion, kind, name, namespace: ns }
  into.apiVersion = apiVersion
  into.kind = kind
  into.name = name
  into.namespace = ns
  return into
}

/** ConfigMaps and Secrets: what the hook's own objects may collide with. */
export const isStore = (head: ManifestHead) =>
  head.apiVersion === 'v1' && (head.kind === 'ConfigMap' || head.kind === 'Secret')

/**
 * The manifest `list[index]` of a clone (at `path` in the input), checked: its
 * head, or the items of a v1 List; ERR_INVALID_MANIFEST for anything else. The
 * one reading for both walks of the checked path (injection and removal).
 */
export function checkedManifest(
  list: Json[],
  index: number,
  path: Path,
): { obj: JsonObject; head: ManifestHead } | { items: Json[] } {
  const obj = list[index]
  const at = (...rest: Path) => pointer(...path, ...rest)
  if (!isObject(obj))
    throw new HookError('ERR_INVALID_MANIFEST', 'the manifest must be a Kubernetes object', { path: at() })
  const head = readHead(obj, isObject)
  if (head === LIST) {
    const items = obj.items ?? []
    if (!Array.isArray(items))
      throw new HookError('ERR_INVALID_MANIFEST', 'the List items must be an array', { path: at('items') })
    return { items }
  }
  if ('must' in head)
    throw new HookError('ERR_INVALID_MANIFEST', `${fieldName(head.at)} must be ${head.must}`, { path: at(...head.at) })
  return { obj, head }
}

/** What injectHook and removeHook take first: an array, or ERR_INVALID_MANIFESTS at the root. */
export function checkManifestList(manifests: unknown): asserts manifests is readonly unknown[] {
  if (!Array.isArray(manifests))
    throw new HookError('ERR_INVALID_MANIFESTS', 'manifests must be an array of Kubernetes objects', { path: '' })
}
