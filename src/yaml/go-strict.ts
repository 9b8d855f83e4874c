// What both Go readers of Kubernetes YAML (kubectl's go-yaml v2, kustomize's
// and kpt's v3) refuse, and js-yaml would take: refused here too, at the
// line, so that a manifest we accept is one kubectl and kustomize accept.
// Measured with both tools: test/yaml/go-readers.test.ts.
import { COLLECTION_STYLE, EVENT_ID, SCALAR_STYLE, type Event } from 'js-yaml'

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

/** The first thing of `text` (its events from js-yaml's parser) that both Go readers refuse, if any (`textRefusal` apart). */
export function goRefusal(text: string, events: readonly Event[]): GoRefusal | undefined {
  const quoted: Array<[number, number]> = []
  // one frame per open collection: whether it is a mapping, in flow style, and how many nodes it holds so far
  const open: Array<{ mapping: boolean; flow: boolean; nodes: number }> = []
  for (const e of events) {
    const parent = open.at(-1)
    const isKey = parent !== undefined && parent.mapping && parent.nodes % 2 === 0
    if (e.type === EVENT_ID.POP) {
      open.pop()
      continue
    }
    if (e.type === EVENT_ID.DOCUMENT) continue
    if (parent) parent.nodes++
    // every event left (mapping, sequence, scalar, alias) may carry an anchor or name one
    if (e.anchorEnd > e.anchorStart) {
      // go-yaml's anchor and alias names are letters, digits, '-' and '_' (&a:b is the anchor a, then ':b')
      const name = text.slice(e.anchorStart, e.anchorEnd).replace(/^[&*]/, '')
      const odd = /[^A-Za-z0-9_-]/.exec(name)
      if (odd)
        return {
          at: e.anchorStart + 1 + odd.index,
          reason: `the anchor or alias name ${JSON.stringify(name)} (kubectl and kustomize end a name at ${JSON.stringify(odd[0])} and read the rest as something else, or refuse it)`,
        }
    }
    if (e.type === EVENT_ID.MAPPING || e.type === EVENT_ID.SEQUENCE) {
      open.push({ mapping: e.type === EVENT_ID.MAPPING, flow: e.style === COLLECTION_STYLE.FLOW, nodes: 0 })
      if (isKey) return { at: e.start, reason: 'a mapping or sequence as a key' }
      continue
    }
    if (e.type !== EVENT_ID.SCALAR) continue
    const source = text.slice(e.valueStart, e.valueEnd)
    if (isKey && e.style === SCALAR_STYLE.PLAIN && e.tagStart === e.tagEnd && NULL_KEYS.has(source))
      return { at: e.valueStart, reason: 'a null key (JSON has none)' }
    // go-yaml keeps a key it may find the ':' of within 1,024 characters only (a simple key)
    if (isKey && parent?.flow === false && e.valueEnd - e.valueStart > 1024)
      return { at: e.valueStart, reason: 'a key longer than 1,024 characters (go-yaml looks no further for its colon)' }
    if (parent?.flow === true) {
      if (e.style === SCALAR_STYLE.PLAIN && source.startsWith(':'))
        return {
          at: e.valueStart,
          reason: 'a plain scalar starting with ":" in a flow collection (go-yaml finds no node there)',
        }
      const after = text[e.tagEnd]
      if (e.tagEnd > e.tagStart && e.valueEnd === e.valueStart && after !== undefined && ',]}'.includes(after))
        return {
          at: e.tagStart,
          reason: `a tag directly before ${JSON.stringify(after)} in a flow collection (go-yaml reads the ${JSON.stringify(after)} into the tag)`,
        }
    }
    if (e.style === SCALAR_STYLE.DOUBLE_QUOTED || e.style === SCALAR_STYLE.SINGLE_QUOTED)
      quoted.push([e.valueStart, e.valueEnd])
    if (e.style === SCALAR_STYLE.DOUBLE_QUOTED) {
      const slash = escapedSlash(source)
      if (slash >= 0) return { at: e.valueStart + slash, reason: 'the escape \\/ (go-yaml knows no such escape)' }
      const code = badCodeEscape(source)
      if (code >= 0)
        return {
          at: e.valueStart + code,
          reason:
            'an escape of a surrogate or of a code point past U+10FFFF (go-yaml takes neither, not even a surrogate pair)',
        }
    }
  }
  return rawBreak(text, quoted)
}

/** Where, in the raw text of a double-quoted scalar, an escape names a surrogate or a code point past U+10FFFF, or -1. */
function badCodeEscape(raw: string): number {
  for (const m of raw.matchAll(/\\(?:\\|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))/g)) {
    const hex = m[1] ?? m[2]
    if (hex === undefined) continue // an escaped backslash
    const code = parseInt(hex, 16)
    if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return m.index
  }
  return -1
}

/** Where the first UTF-16 unit outside YAML's printable set is (TAB, LF, CR and NEL are in it), or -1. */
function firstNonPrintable(text: string): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x20 && c < 0x7f) continue
    if (c === 0x09 || c === 0x0a || c === 0x0d || c === 0x85) continue
    if (c >= 0xa0 && c < 0xfffe) continue
    return i // a C0 control, DEL, a C1 control but NEL, U+FFFE or U+FFFF
  }
  return -1
}

/**
 * What both Go readers refuse in the text itself: a character outside YAML's
 * printable set anywhere (U+007F, C1 controls but NEL, U+FFFE, U+FFFF; go-yaml:
 * "control characters are not allowed"), a directive but %TAG (%YAML, %FOO),
 * a `---` with content on its line (kubectl's splitter: "invalid Yaml
 * document separator"), and a document after `...` that no `---` opens (both
 * drop it without a word: refused here, so that nothing is applied that
 * kubectl never saw).
 */
export function textRefusal(text: string): GoRefusal | undefined {
  const control = firstNonPrintable(text)
  if (control >= 0)
    return {
      at: control,
      reason: `the control character U+${text.charCodeAt(control).toString(16).toUpperCase().padStart(4, '0')} (go-yaml takes none, quoted or in a comment)`,
    }
  const directive = /^%(?!TAG[ \t])[^\s]*/m.exec(text)
  if (directive) return { at: directive.index, reason: `the directive ${directive[0]} (go-yaml takes %TAG only)` }
  const separator = /^---[ \t]+([^#\s][^\r\n]*)$/m.exec(text)
  if (separator)
    return {
      at: separator.index,
      reason: `content on the --- line (${JSON.stringify(separator[1]?.slice(0, 20))}: kubectl's splitter refuses it)`,
    }
  for (const m of text.matchAll(/^\.\.\.[ \t]*(?:#[^\n]*)?\r?\n/gm)) {
    const rest = text.slice(m.index + m[0].length)
    const next = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*([^\r\n]*)/.exec(rest)
    const line = next?.[1] ?? ''
    if (line !== '' && !/^(?:---|\.\.\.)(?:[ \t]|$)/.test(line) && !line.startsWith('%'))
      return {
        at: m.index + m[0].length + (next?.[0].length ?? 0) - line.length,
        reason: 'a document after "..." that no "---" starts (kubectl and kustomize drop it unread)',
      }
  }
  return undefined
}

/**
 * NEL, LS and PS are line breaks to the Go readers: outside quotes they cut
 * the line, so the document means something else than it shows (or nothing):
 * refused. In a quoted scalar both keep LS and PS and fold NEL into a space:
 * taken, as they read them.
 */
function rawBreak(text: string, quoted: ReadonlyArray<[number, number]>): GoRefusal | undefined {
  for (const m of text.matchAll(/[\u0085\u2028\u2029]/g)) {
    const inQuotes = quoted.some(([start, end]) => m.index >= start && m.index < end)
    if (inQuotes) continue // LS and PS kept, NEL folded into a space (foldQuotedNel), as both read them
    const code = m[0].codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0') ?? ''
    return {
      at: m.index,
      reason: `a raw U+${code} outside quotes: kubectl and kustomize read it as a line break, and so another structure than its line shows, or none (write it as an escape in a double-quoted string)`,
    }
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

/**
 * The text with every raw NEL inside a quoted scalar (of `events`) made a
 * space, as both Go readers fold it; undefined when there is none. One
 * character for one: the events' offsets still hold.
 */
export function foldQuotedNel(text: string, events: readonly Event[]): string | undefined {
  if (!text.includes('\u0085')) return undefined
  let out: string | undefined
  for (const e of events) {
    if (e.type !== EVENT_ID.SCALAR) continue
    if (e.style !== SCALAR_STYLE.DOUBLE_QUOTED && e.style !== SCALAR_STYLE.SINGLE_QUOTED) continue
    const raw = text.slice(e.valueStart, e.valueEnd)
    if (!raw.includes('\u0085')) continue
    out = (out ?? text).slice(0, e.valueStart) + raw.replaceAll('\u0085', ' ') + (out ?? text).slice(e.valueEnd)
  }
  return out
}
