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
