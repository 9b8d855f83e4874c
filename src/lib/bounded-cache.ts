/**
 * A small map that forgets its oldest entry past `max` entries: for pure
 * functions of a few strings that a caller repeats with the same values (hook
 * names and URLs, token digests), and for what a server keeps per client (the
 * chain of a TLS session's leaf). Values must not be changed by those who
 * read them.
 */
export class BoundedCache<V> {
  readonly #entries = new Map<string, V>()
  constructor(readonly max: number) {}

  /** The value for `key`, made by `make` and remembered when it is not there yet. */
  get(key: string, make: () => V): V {
    const hit = this.#entries.get(key)
    if (hit !== undefined) return hit
    const value = make()
    this.set(key, value)
    return value
  }

  /** The value remembered for `key`, if any. */
  peek(key: string): V | undefined {
    return this.#entries.get(key)
  }

  /** Remembers `value` for `key` as the newest entry, forgetting the oldest past `max`. */
  set(key: string, value: V): void {
    this.#entries.delete(key)
    this.#entries.set(key, value)
    if (this.#entries.size > this.max) {
      const oldest = this.#entries.keys().next()
      if (!oldest.done) this.#entries.delete(oldest.value)
    }
  }
}
