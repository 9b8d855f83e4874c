// The identity fields of a manifest (apiVersion, kind, metadata.name and
// metadata.namespace), read once for both ways of injecting: the fast path
// over the input and the checked path over its clone.
type Path = Array<string | number>

/** What every manifest must have, read. */
interface ManifestHead {
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
 * plain objects and field-read class instances in the input).
 */
export function readHead(
  obj: Record<string, unknown>,
  isObject: (v: unknown) => v is Record<string, unknown>,
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
  return {
    apiVersion,
    kind,
    name,
    namespace: typeof namespace === 'string' && namespace !== '' ? namespace : undefined,
  }
}

/** ConfigMaps and Secrets: what the hook's own objects may collide with. */
export const isStore = (head: ManifestHead) =>
  head.apiVersion === 'v1' && (head.kind === 'ConfigMap' || head.kind === 'Secret')
