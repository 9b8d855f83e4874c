// krake-hooks remove: the exact inverse of inject.
import { removeHook } from '../../inject/index.js'
import { stringifyManifests } from '../../yaml/stringify.js'
import { args, CONFIG_OPTIONS, configAndManifests, failed, printResults } from '../common.js'

export function remove(argv: string[]): number {
  const parsed = args('remove', { args: argv, options: CONFIG_OPTIONS, allowPositionals: true })
  if (typeof parsed === 'number') return parsed
  const read = configAndManifests('remove', parsed.values, parsed.positionals)
  if (typeof read === 'number') return read
  try {
    const { manifests, results } = removeHook(read.input.manifests, read.config.spec, read.config.options)
    printResults(results)
    process.stdout.write(stringifyManifests(manifests))
    return 0
  } catch (e) {
    return failed(e, read)
  }
}
