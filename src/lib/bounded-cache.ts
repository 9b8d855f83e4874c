/**
 * A small map that forgets its oldest entry past `max` entries: for pure
 * functions of a few strings that a controller calls with the same values
 * again and again (one application per call). Values must not be changed by
 * those who read them.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>()
  constructor(readonly max: number) {}

  /** The value for `key`, made by `make` and remembered when it is not there yet. */
  get(key: string, make: () => V): V {
    const hit = this.#entries.get(key)
    if (hit !== undefined) return hit
    const value = make()
    this.#entries.set(key, value)
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
    return value
  }
}
