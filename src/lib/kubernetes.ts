// The Kubernetes object model, as little of it as the library reads. Our own
// types rather than a dependency: `kubernetes-types` and
// `@kubernetes/client-node` pin one Kubernetes version each, and a library
// that only needs `apiVersion`, `kind` and `metadata` should not choose one
// for its users. Both packages' objects are assignable to these types.

/** The metadata fields the hook reads or writes; every other field is kept as it is. */
export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  [field: string]: unknown
}

/** Any Kubernetes object, as the API server and YAML files hold it. */
export interface KubernetesObject {
  apiVersion: string
  kind: string
  metadata?: ObjectMeta
  [field: string]: unknown
}

/** Identifies an object: what KRM function results and our results name. */
export interface ResourceRef {
  apiVersion: string
  kind: string
  name: string
  namespace?: string
}

/** A Kubernetes object that names itself: apiVersion and kind non-empty strings, metadata with a non-empty name. */
export function isNamedObject(v: unknown): v is KubernetesObject & { metadata: ObjectMeta & { name: string } } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const o = v as Record<string, unknown>
  const meta = o.metadata as Record<string, unknown> | null | undefined
  return (
    typeof o.apiVersion === 'string' &&
    o.apiVersion !== '' &&
    typeof o.kind === 'string' &&
    o.kind !== '' &&
    typeof meta === 'object' &&
    meta !== null &&
    typeof meta.name === 'string' &&
    meta.name !== ''
  )
}

/** The reference to an object, its namespace left out when it has none (or an empty one). */
export function refOf(apiVersion: string, kind: string, name: string, namespace: unknown): ResourceRef {
  return typeof namespace === 'string' && namespace !== ''
    ? { apiVersion, kind, name, namespace }
    : { apiVersion, kind, name }
}

/** The identity of an object in a manifest list, as kpt's SDK keys it: `apiVersion/kind/namespace/name`. */
export function identityKey(ref: ResourceRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}/${ref.name}`
}

/**
 * The type of what `JSON.stringify` would make of a `T`: `toJSON()` results
 * in place of the objects that have one (a `Date` becomes a `string`),
 * functions, symbols and `undefined` fields gone. It is what the input
 * objects become in `injectHook`'s output, so that a `V1Deployment` from
 * `@kubernetes/client-node` comes back with `creationTimestamp: string`.
 */
export type JsonOf<T> = T extends { toJSON(...args: never[]): infer R } ? JsonValueOf<R> : JsonValueOf<T>

type JsonValueOf<T> = T extends string | number | boolean | null
  ? T
  : T extends undefined | symbol | bigint | ((...args: never[]) => unknown)
    ? never
    : T extends ReadonlyArray<infer E>
      ? Array<JsonOf<E>>
      : T extends object
        ? { [K in keyof T as K extends string ? K : never]: JsonOf<T[K]> }
        : unknown

/**
 * A manifest of `injectHook`'s output for input elements of type `T`: one of
 * the input objects, read as JSON (`JsonOf<T>`), or one of the objects the
 * hook adds (a ConfigMap or Secret). Every one has passed the checks of a
 * Kubernetes object, so `kind` and `metadata?.name` read without a cast;
 * narrow by `kind` with a guard of your own to reach the fields of `T`.
 */
export type Manifest<T = unknown> = unknown extends T
  ? KubernetesObject
  : object extends T
    ? KubernetesObject
    : (Extract<JsonOf<T>, object> & KubernetesObject) | KubernetesObject
