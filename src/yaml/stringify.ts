import { dump } from 'js-yaml'
import { HookError } from '../errors.js'
import { cloneJson, type Json } from '../lib/clone.js'
import { WRITE_SCHEMA } from './schema.js'

/**
 * One document as YAML. js-yaml's dumper recurses into very long scalars (a
 * 2 MiB line overflows the stack): such a document is written as JSON,
 * which is YAML that both Go readers read the same.
 */
function dumpDocument(doc: Json): string {
  try {
    return dump(doc, { noRefs: true, lineWidth: -1, schema: WRITE_SCHEMA })
  } catch (e) {
    if (!(e instanceof RangeError)) throw e
    return JSON.stringify(doc, null, 2) + '\n'
  }
}

/**
 * Writes manifests as a `---`-separated YAML stream: no anchors or aliases,
 * no folded lines, keys in the order they have, and every string that
 * kubectl, kustomize or a YAML 1.1 reader would read as something else (a
 * number, a date, yes/no/on/off) quoted, so that all of them read the string.
 * The same input always gives the same bytes.
 *
 * @example
 * ```ts
 * process.stdout.write(stringifyManifests(injectHook(manifests, hook).manifests))
 * ```
 */
export function stringifyManifests(manifests: readonly object[]): string {
  if (!Array.isArray(manifests))
    throw new HookError('ERR_INVALID_MANIFESTS', 'manifests must be an array of objects', { path: '' })
  const docs: string[] = []
  manifests.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw new HookError('ERR_INVALID_MANIFEST', `/${i} must be an object`, { path: `/${i}` })
    }
    // Checked as JSON first: a cycle or a function is a HookError, not a crash in the dumper.
    const doc = cloneJson(m, [i])
    docs.push(dumpDocument(doc))
  })
  return docs.join('---\n')
}
