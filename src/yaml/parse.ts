import { YAMLException, loadAll } from 'js-yaml'
import { HookError } from '../errors.js'
import { KUBERNETES_SCHEMA } from './schema.js'
import { setOwn } from '../lib/clone.js'
import { show } from '../lib/show.js'

/** How many nodes aliases may add, over the whole stream, before we refuse it. */
export const MAX_ALIAS_EXPANSION = 1_000_000
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
 * any node is shared; a cycle or an expansion over budget is refused.
 */
function measure(doc: unknown, index: number, budget: { left: number }): boolean {
  const sizes = new Map<object, number>()
  const inProgress = new Set<object>()
  let shared = false
  const size = (v: unknown): number => {
    if (typeof v !== 'object' || v === null) return 1
    const known = sizes.get(v)
    if (known !== undefined) {
      shared = true
      budget.left -= known
      if (budget.left < 0) {
        throw new HookError('ERR_YAML_ALIAS_LIMIT', `document ${index}: aliases expand to more than ${MAX_ALIAS_EXPANSION} extra nodes (an alias bomb?)`, { path: `/${index}` })
      }
      return known
    }
    if (inProgress.has(v)) throw new HookError('ERR_YAML_CYCLE', `document ${index}: an alias refers to a node that contains it`, { path: `/${index}` })
    inProgress.add(v)
    let n = 1
    for (const child of Object.values(v)) n += size(child)
    inProgress.delete(v)
    sizes.set(v, n)
    return n
  }
  size(doc)
  return shared
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
  if (typeof yaml !== 'string') throw new HookError('ERR_INVALID_ARGUMENT', 'parseManifests takes a string of YAML', { path: '' })
  let docs: unknown[]
  try {
    docs = loadAll(yaml, { schema: KUBERNETES_SCHEMA, maxDepth: MAX_DEPTH })
  } catch (cause) {
    if (!(cause instanceof YAMLException)) throw cause
    const mark = (cause as YAMLException & { mark?: { position: number; line: number; column: number } }).mark
    const reason = (cause as { reason?: string }).reason ?? cause.message
    const index = mark ? documentAt(yaml, mark.position) : 0
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
      const kind = Array.isArray(doc) ? 'a sequence' : `the scalar ${show(doc)}`
      throw new HookError('ERR_YAML_NOT_MAPPING', `document ${index} is ${kind}, not a mapping (a Kubernetes object)`, { path: `/${index}` })
    }
    out.push(measure(doc, index, budget) ? (unshare(doc) as object) : doc)
  })
  return out
}
