// The Kubernetes object model, as little of it as the library reads. Our own
// types rather than a dependency: `kubernetes-types` and
// `@kubernetes/client-node` pin one Kubernetes version each, and a library
// that only needs `apiVersion`, `kind` and `metadata` should not choose one
// for its users. Both packages' objects are assignable to these types.

/** The metadata fields the hook reads or writes; every other field is kept as it is. */
export interface ObjectMeta {
  /** The object's name; every manifest but a Pod made from `generateName` has one. */
  name?: string
  /** The prefix the API server completes into a name. */
  generateName?: string
  /** The namespace; absent for cluster-scoped objects and for manifests applied with `-n`. */
  namespace?: string
  /** Labels, as selectors read them. */
  labels?: Record<string, string>
  /** Annotations. */
  annotations?: Record<string, string>
  /** Every other field of the metadata. */
  [field: string]: unknown
}

/** Any Kubernetes object, as the API server and YAML files hold it. */
export interface KubernetesObject {
  /** `apps/v1`, `v1`, ... */
  apiVersion: string
  /** `Deployment`, `ConfigMap`, ... */
  kind: string
  /** Name, namespace, labels and annotations. */
  metadata?: ObjectMeta
  /** The rest of the object (`spec`, `data`, ...). */
  [field: string]: unknown
}

/** Identifies an object: what KRM function results and our results name. */
export interface ResourceRef {
  /** The object's `apiVersion`. */
  apiVersion: string
  /** The object's `kind`. */
  kind: string
  /** The object's `metadata.name`. */
  name: string
  /** The object's `metadata.namespace`, when it has one. */
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
export type JsonOf<T> = T extends WithToJSON<infer R> ? JsonValueOf<R> : JsonValueOf<T>

/** An object that `JSON.stringify` reads through its `toJSON()`, as a `Date`. */
export interface WithToJSON<R> {
  /** What `JSON.stringify` writes in the object's place. */
  toJSON(...args: never[]): R
}

/** {@link JsonOf} for a value without `toJSON`: primitives as they are, arrays and objects member by member. */
export type JsonValueOf<T> = T extends string | number | boolean | null
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

/**
 * An environment variable name the API server accepts (`[-._a-zA-Z][-._a-zA-Z0-9]*`,
 * as Kubernetes validates `env[].name`): `KRAKE-TOKEN` and `my.var` too.
 */
export const isEnvVarName = (name: unknown): name is string =>
  typeof name === 'string' && /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(name)
