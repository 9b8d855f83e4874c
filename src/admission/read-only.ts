// The resolvers of this package's own that only read the object a review
// hands them (createHookResolver's, and the webhook's wrapper of it): they get
// the review's own view of the object, where any other resolver gets a copy it
// may change. One copy fewer per review of every webhook built on them.
const readOnly = new WeakSet<object>()

/** `resolver`, marked as one that never changes the object or request it is given. */
export function markReadOnly<T extends object>(resolver: T): T {
  readOnly.add(resolver)
  return resolver
}

/** Whether `resolver` was marked by markReadOnly. */
export const isReadOnly = (resolver: object): boolean => readOnly.has(resolver)
