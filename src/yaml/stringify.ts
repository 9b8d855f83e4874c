import { dump } from 'js-yaml'
import { HookError } from '../errors.js'
import { cloneJson } from '../lib/clone.js'

/**
 * Writes manifests as a `---`-separated YAML stream: no anchors or aliases,
 * no folded lines, keys in the order they have, strings that YAML 1.1 would
 * read as something else quoted. The same input always gives the same bytes.
 *
 * @example
 * ```ts
 * process.stdout.write(stringifyManifests(injectHook(manifests, hook).manifests))
 * ```
 */
export function stringifyManifests(manifests: readonly object[]): string {
  if (!Array.isArray(manifests)) throw new HookError('ERR_INVALID_MANIFESTS', 'manifests must be an array of objects', { path: '' })
  const docs: string[] = []
  manifests.forEach((m, i) => {
    if (typeof m !== 'object' || m === null || Array.isArray(m)) {
      throw new HookError('ERR_INVALID_MANIFEST', `/${i} must be an object`, { path: `/${i}` })
    }
    // Checked as JSON first: a cycle or a function is a HookError, not a crash in the dumper.
    const doc = cloneJson(m, [i])
    docs.push(dump(doc, { noRefs: true, lineWidth: -1 }))
  })
  return docs.join('---\n')
}
