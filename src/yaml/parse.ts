import { YAMLException, constructFromEvents, parseEvents, type Event } from 'js-yaml'
import { foldQuotedNel, goRefusal, textRefusal, withoutDocumentBoms } from './go-strict.js'
import { HookError } from '../errors.js'
import { KUBERNETES_SCHEMA } from './schema.js'
import { setOwn } from '../lib/clone.js'
import { describeValue } from '../lib/describe-value.js'
import { pointer } from '../lib/pointer.js'
import { UnrepresentableNumber } from './scalars.js'

/** How many nodes aliases may add, over the whole stream, before we refuse it. */
const MAX_ALIAS_EXPANSION = 1_000_000
const MAX_DEPTH = 256

/** The document index of a byte offset: document markers seen before it. */
function documentAt(text: string, position: number): number {
  const before = text.slice(0, position)
  const markers = before.match(/^(---|\.\.\.)(?=[ \t\r\n]|$)/gm) ?? []
  // A stream that starts with '---' opens its first document with it.
  const leading = /^(\s*#[^\n]*\n|\s*\n)*---(?=[ \t\r\n]|$)/.test(text) ? 1 : 0
  return Math.max(0, markers.filter((m) => m === '---').length - leading)
}

/**
 * Counts the nodes a document has once its aliases are expanded, and whether
 * any node is shared; a cycle, an expansion over budget, a tree that aliases
 * nest deeper than the syntax may, and a number JSON cannot carry are refused.
 */
function measure(doc: unknown, index: number, budget: { left: number }): boolean {
  const seen = new Map<object, { size: number; height: number }>()
  const inProgress = new Set<object>()
  let shared = false
  const visit = (v: unknown): { size: number; height: number } => {
    if (v instanceof UnrepresentableNumber) throw unrepresentable(doc, v, index)
    if (typeof v !== 'object' || v === null) return LEAF
    const known = seen.get(v)
    if (known !== undefined) {
      shared = true
      budget.left -= known.size
      if (budget.left < 0) {
        throw new HookError(
          'ERR_YAML_ALIAS_LIMIT',
          `document ${index}: aliases expand to more than ${MAX_ALIAS_EXPANSION} extra nodes (an alias bomb?)`,
          { path: `/${index}` },
        )
      }
      return known
    }
    if (inProgress.has(v))
      throw new HookError('ERR_YAML_CYCLE', `document ${index}: an alias refers to a node that contains it`, {
        path: `/${index}`,
      })
    inProgress.add(v)
    let size = 1
    let height = 0
    for (const child of Object.values(v)) {
      const c = visit(child)
      size += c.size
      if (c.height > height) height = c.height
    }
    height++
    // The parser bounds the nesting it reads; aliases to aliases can nest the tree deeper than that.
    if (height > MAX_DEPTH)
      throw new HookError('ERR_TOO_DEEP', `document ${index}: aliases nest it deeper than ${MAX_DEPTH} levels`, {
        path: `/${index}`,
      })
    inProgress.delete(v)
    const measured = { size, height }
    seen.set(v, measured)
    return measured
  }
  visit(doc)
  return shared
}

const LEAF = { size: 1, height: 0 }

/** The error for a number JSON cannot carry, with the path to the first one (found again, since errors are rare). */
function unrepresentable(doc: unknown, number: UnrepresentableNumber, index: number): HookError {
  const find = (v: unknown, path: Array<string | number>, depth: number): Array<string | number> | undefined => {
    if (v === number) return path
    if (typeof v !== 'object' || v === null || depth > MAX_DEPTH) return undefined
    for (const [k, child] of Object.entries(v)) {
      const found = find(child, [...path, Array.isArray(v) ? Number(k) : k], depth + 1)
      if (found) return found
    }
    return undefined
  }
  const path = pointer(index, ...(find(doc, [], 0) ?? []))
  return new HookError(
    'ERR_YAML_NUMBER',
    `${path}: ${number.text} cannot be read exactly (JSON and JavaScript numbers hold integers up to 2^53, and no .inf or .nan); quote it if it is a string`,
    { path },
  )
}

/** How many lines of flow content may be re-indented in one stream (each costs a parse). */
const MAX_REINDENTED_LINES = 64

/**
 * js-yaml's events for `text`. A line inside a flow collection or a quoted
 * scalar that is indented less than js-yaml wants (`args: [` then `]` at the
 * key's column) is taken by both Go readers, and its leading spaces mean
 * nothing there: such a line is indented further and the text parsed again,
 * so we take what they take. Returns the text the events refer to.
 */
function eventsOf(source: string): { text: string; events: Event[] } {
  let text = source
  let lastLine = -1
  let extra = 1
  for (let repairs = 0; ; repairs++) {
    try {
      return { text, events: parseEvents(text, { maxDepth: MAX_DEPTH }) }
    } catch (cause) {
      const mark = (cause as { mark?: { line: number } }).mark
      const deficient =
        cause instanceof YAMLException && (cause as { reason?: string }).reason === 'deficient indentation'
      if (!deficient || mark === undefined || repairs >= MAX_REINDENTED_LINES) throw cause
      const spaced = tabAfterIndicator(text, (mark as { position?: number }).position ?? -1)
      if (spaced !== undefined) {
        text = spaced
        continue
      }
      extra = mark.line === lastLine ? extra + 1 : 1
      lastLine = mark.line
      text = indentLine(text, mark.line, extra)
    }
  }
}

/**
 * A TAB right after an indicator (`key:<TAB>[1]`, `[1,<TAB>2]`) is a
 * separator to both Go readers; js-yaml calls the node after it deficiently
 * indented. The text with the last such TAB run on the line before
 * `position` made spaces (one for one: offsets hold), or undefined.
 */
function tabAfterIndicator(text: string, position: number): string | undefined {
  if (position < 0) return undefined
  const lineStart = text.lastIndexOf('\n', position - 1) + 1
  for (let i = Math.min(position, text.length) - 1; i >= lineStart; i--) {
    if (text[i] !== '\t') continue
    let start = i
    while (start > lineStart && (text[start - 1] === '\t' || text[start - 1] === ' ')) start--
    const before = text[start - 1]
    if (before !== undefined && ':,[{-?'.includes(before))
      return text.slice(0, start) + ' '.repeat(i + 1 - start) + text.slice(i + 1)
    i = start
  }
  return undefined
}

/** `text` with line `index` (0-based) indented `extra` columns past the line before it (or past itself). */
function indentLine(text: string, index: number, extra: number): string {
  const lines = text.split('\n')
  const indentOf = (l: string) => l.length - l.trimStart().length
  let before = -1
  for (let i = index - 1; i >= 0; i--) {
    const l = lines[i] ?? ''
    if (l.trim() !== '') {
      before = indentOf(l.replace(/\t/g, ' '))
      break
    }
  }
  const line = lines[index] ?? ''
  const current = line.length - line.replace(/^ +/, '').length
  const wanted = Math.max(current, before) + extra
  lines[index] = ' '.repeat(wanted - current) + line
  return lines.join('\n')
}

/** ERR_YAML_SYNTAX for what both Go readers refuse at `position`. */
function goSyntaxError(text: string, position: number, reason: string): HookError {
  const index = documentAt(text, position)
  const before = text.slice(0, position)
  const line = (before.match(/\n/g)?.length ?? 0) + 1
  const column = position - before.lastIndexOf('\n')
  return new HookError(
    'ERR_YAML_SYNTAX',
    `YAML error in document ${index} at line ${line}, column ${column}: ${reason}${/kubectl/.test(reason) ? '' : '; kubectl and kustomize refuse it'}`,
    { path: `/${index}`, line },
  )
}

/** A copy in which no node is shared, so the caller gets a tree. */
function unshare(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v
  if (Array.isArray(v)) return v.map(unshare)
  const out: Record<string, unknown> = {}
  for (const [k, child] of Object.entries(v)) setOwn(out, k, unshare(child))
  return out
}

/**
 * Reads a multi-document YAML stream of Kubernetes objects. Empty documents
 * are skipped; a document that is not a mapping, a YAML error, a cyclic
 * alias or an alias bomb is a HookError whose `path` is `/<document index>`
 * (counting every document of the stream) and whose `line` is 1-based.
 *
 * @example
 * ```ts
 * const manifests = parseManifests(fs.readFileSync('app.yaml', 'utf8'))
 * ```
 */
export function parseManifests(yaml: string): object[] {
  if (typeof yaml !== 'string')
    throw new HookError('ERR_INVALID_ARGUMENT', 'parseManifests takes a string of YAML', { path: '' })
  let text = withoutDocumentBoms(yaml)
  let docs: unknown[]
  try {
    // what the Go readers refuse in the text itself comes first: js-yaml may refuse it otherwise
    const early = textRefusal(text)
    if (early !== undefined) throw goSyntaxError(text, early.at, early.reason)
    let parsed = eventsOf(text)
    const folded = foldQuotedNel(parsed.text, parsed.events)
    if (folded !== undefined) parsed = eventsOf(folded)
    text = parsed.text
    const refused = goRefusal(text, parsed.events)
    if (refused !== undefined) throw goSyntaxError(text, refused.at, refused.reason)
    docs = constructFromEvents(parsed.events, { source: text, schema: KUBERNETES_SCHEMA })
  } catch (cause) {
    if (cause instanceof HookError) throw cause
    if (!(cause instanceof YAMLException)) throw cause
    const mark = (cause as YAMLException & { mark?: { position: number; line: number; column: number } }).mark
    const reason = (cause as { reason?: string }).reason ?? cause.message
    const index = mark ? documentAt(text, mark.position) : 0
    const where = mark ? ` at line ${mark.line + 1}, column ${mark.column + 1}` : ''
    throw new HookError('ERR_YAML_SYNTAX', `YAML error in document ${index}${where}: ${reason}`, {
      path: `/${index}`,
      ...(mark ? { line: mark.line + 1 } : {}),
      cause,
    })
  }
  const budget = { left: MAX_ALIAS_EXPANSION }
  const out: object[] = []
  docs.forEach((doc, index) => {
    if (doc === null || doc === undefined) return
    if (typeof doc !== 'object' || Array.isArray(doc)) {
      const kind = Array.isArray(doc) ? 'a sequence' : `the scalar ${describeValue(doc)}`
      throw new HookError('ERR_YAML_NOT_MAPPING', `document ${index} is ${kind}, not a mapping (a Kubernetes object)`, {
        path: `/${index}`,
      })
    }
    out.push(measure(doc, index, budget) ? (unshare(doc) as object) : doc)
  })
  return out
}
