/** One segment of a JSON pointer, escaped as RFC 6901 says. */
export function escapeSegment(segment: string | number): string {
  const s = String(segment)
  return s.includes('~') || s.includes('/') ? s.replace(/~/g, '~0').replace(/\//g, '~1') : s
}

/** Joins segments into a JSON pointer: `['a', 0, 'b/c']` is `/a/0/b~1c`. */
export function pointer(...segments: ReadonlyArray<string | number>): string {
  let out = ''
  for (const s of segments) out += '/' + escapeSegment(s)
  return out
}

/**
 * A field named in words for a message, relative to its object:
 * `['spec', 'containers', 0, 'name']` is `spec.containers[0].name`. Messages
 * name fields this way; the error's `path` holds the JSON pointer, so a
 * message never repeats it.
 */
export function fieldName(segments: ReadonlyArray<string | number>): string {
  let out = ''
  for (const s of segments) out += typeof s === 'number' ? `[${s}]` : out === '' ? s : `.${s}`
  return out
}
