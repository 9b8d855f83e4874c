import { dump } from 'js-yaml'
import { HookError } from '../errors.js'
import { cloneJson, type Json } from '../lib/clone.js'
import { pointer } from '../lib/pointer.js'
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
 * The first value of `doc` that no Go reader would read back as written: a
 * string with a lone surrogate (JSON and YAML escape it as \uD800, which both
 * refuse) or a key `<<` (kustomize takes it for a merge key, quoted or not,
 * and drops it). Its path, and why.
 */
function unwritable(
  doc: Json,
  path: Array<string | number>,
): { path: Array<string | number>; why: string } | undefined {
  if (typeof doc === 'string')
    return doc.isWellFormed() ? undefined : { path, why: 'a string with a lone surrogate (half of a UTF-16 pair)' }
  if (typeof doc !== 'object' || doc === null) return undefined
  if (Array.isArray(doc)) {
    for (const [i, v] of doc.entries()) {
      const found = unwritable(v, [...path, i])
      if (found) return found
    }
    return undefined
  }
  for (const [k, v] of Object.entries(doc)) {
    if (k === '<<')
      return { path: [...path, k], why: 'the key "<<" (kustomize takes it for a YAML merge key and drops it)' }
    if (!k.isWellFormed()) return { path: [...path, k], why: 'a key with a lone surrogate (half of a UTF-16 pair)' }
    const found = unwritable(v, [...path, k])
    if (found) return found
  }
  return undefined
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
      throw new HookError('ERR_INVALID_MANIFEST', 'the manifest must be an object', { path: `/${i}` })
    }
    // Checked as JSON first: a cycle or a function is a HookError, not a crash in the dumper.
    const doc = cloneJson(m, [i])
    const bad = unwritable(doc, [i])
    if (bad)
      throw new HookError(
        'ERR_INVALID_VALUE',
        `${bad.why} cannot be written so that kubectl and kustomize read it back`,
        {
          path: pointer(...bad.path),
        },
      )
    docs.push(dumpDocument(doc))
  })
  return docs.join('---\n')
}
