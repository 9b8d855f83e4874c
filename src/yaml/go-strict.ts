// What both Go readers of Kubernetes YAML (kubectl's go-yaml v2, kustomize's
// and kpt's v3) refuse, and js-yaml would take: refused here too, at the
// line, so that a manifest we accept is one kubectl and kustomize accept.
// Measured with both tools: test/yaml/go-readers.test.ts.
import { EVENT_ID, SCALAR_STYLE, type Event } from 'js-yaml'

/** What is wrong, and where (a byte offset into the text). */
export interface GoRefusal {
  at: number
  reason: string
}

const NULL_KEYS = new Set(['', '~', 'null', 'Null', 'NULL'])

/**
 * The text with the byte-order marks removed that start a later document
 * (`cat a.yaml b.yaml`, b saved with one): each Go reader decodes the
 * documents one by one and drops a BOM at the start of each, as js-yaml does
 * only at the start of the stream.
 */
export function withoutDocumentBoms(text: string): string {
  return text.includes('\uFEFF') ? text.replace(/(^|\n)((?:---|\.\.\.)(?:[ \t][^\n]*)?\r?\n)\uFEFF/g, '$1$2') : text
}

/** The first thing of `text` (its events from js-yaml's parser) that both Go readers refuse, if any. */
export function goRefusal(text: string, events: readonly Event[]): GoRefusal | undefined {
  const directive = /^%YAML\b/m.exec(text)
  if (directive) return { at: directive.index, reason: 'a %YAML directive (kubectl and kustomize refuse them)' }
  const quoted: Array<[number, number]> = []
  // one frame per open collection: whether it is a mapping, and how many nodes it holds so far
  const open: Array<{ mapping: boolean; nodes: number }> = []
  for (const e of events) {
    const parent = open.at(-1)
    const isKey = parent !== undefined && parent.mapping && parent.nodes % 2 === 0
    if (e.type === EVENT_ID.POP) {
      open.pop()
      continue
    }
    if (e.type === EVENT_ID.DOCUMENT) continue
    if (parent) parent.nodes++
    if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) {
      open.push({ mapping: e.type === EVENT_ID.MAPPING, nodes: 0 })
      if (isKey) return { at: e.start, reason: 'a mapping or sequence as a key' }
      continue
    }
    if (e.type !== EVENT_ID.SCALAR) continue
    const source = text.slice(e.valueStart, e.valueEnd)
    if (isKey && e.style === SCALAR_STYLE.PLAIN && e.tagStart === e.tagEnd && NULL_KEYS.has(source))
      return { at: e.valueStart, reason: 'a null key (JSON has none)' }
    if (e.style === SCALAR_STYLE.DOUBLE_QUOTED || e.style === SCALAR_STYLE.SINGLE_QUOTED)
      quoted.push([e.valueStart, e.valueEnd])
    if (e.style === SCALAR_STYLE.DOUBLE_QUOTED) {
      const slash = escapedSlash(source)
      if (slash >= 0) return { at: e.valueStart + slash, reason: 'the escape \\/ (go-yaml knows no such escape)' }
    }
  }
  return rawBreak(text, quoted)
}

/**
 * NEL, LS and PS are line breaks to YAML 1.1 readers: both Go readers refuse
 * them raw anywhere but in a quoted scalar, where they keep LS and PS and
 * fold NEL into a space. So LS and PS are taken in quotes; the rest is refused.
 */
function rawBreak(text: string, quoted: ReadonlyArray<[number, number]>): GoRefusal | undefined {
  for (const m of text.matchAll(/[\u0085\u2028\u2029]/g)) {
    const inQuotes = quoted.some(([start, end]) => m.index >= start && m.index < end)
    if (inQuotes && m[0] !== '\u0085') continue
    const code = m[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? ''
    const where = inQuotes ? 'in a quoted scalar, which the Go readers fold into a space' : 'outside quotes'
    return { at: m.index, reason: `a raw U+${code} ${where} (write it as an escape in a double-quoted string)` }
  }
  return undefined
}

/** Where `\/` is in the raw text of a double-quoted scalar, or -1 (`\\/` is an escaped backslash, then a slash). */
function escapedSlash(raw: string): number {
  for (let i = raw.indexOf('\\'); i >= 0 && i < raw.length; i = raw.indexOf('\\', i + 2)) {
    if (raw[i + 1] === '/') return i
  }
  return -1
}
