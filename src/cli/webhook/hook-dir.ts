// The webhook's HookConfig directory: every *.yaml, *.yml and *.json file in
// it, one HookConfig each (one per application and hook kind), read as a
// mounted Secret or ConfigMap shows them: the entries are symlinks into a
// `..data` directory that the kubelet swaps atomically, and dot-entries are
// its own bookkeeping.
import { createHash } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { createHookResolver } from '../../admission/resolver.js'
import type { HookBinding, HookResolver } from '../../admission/review.js'
import { describeHookError, HookError } from '../../errors.js'
import { makePlan } from '../../inject/plan.js'
import { parseManifests } from '../../yaml/parse.js'
import { inConfig, readHookConfig } from '../config.js'
import { readConfigFile } from '../files.js'

/** What one reading of the directory gave. */
export interface HookSet {
  /** One binding per HookConfig file. */
  bindings: HookBinding[]
  /** The resolver of those bindings. */
  resolver: HookResolver
  /** The files read, in order. */
  files: string[]
  /** A digest of every binding (tokens included, never shown): equal digests, the same set. */
  digest: string
}

const CONFIG_FILE = /\.(ya?ml|json)$/

/**
 * Reads every HookConfig of `dir` and checks each as `injectHook` would, or
 * throws a HookError whose message names the file. The files a HookConfig
 * names (tokenFile, certFile, ...) are read relative to `dir`.
 */
export function loadHookDir(dir: string): HookSet {
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.') && CONFIG_FILE.test(n))
  } catch (e) {
    throw new HookError('ERR_INVALID_CONFIG', `cannot read the directory ${dir}: ${(e as Error).message}`, {
      cause: e,
    })
  }
  names.sort()
  const bindings: HookBinding[] = []
  const files: string[] = []
  const hash = createHash('sha256')
  for (const name of names) {
    const path = join(dir, name)
    try {
      if (!statSync(path).isFile()) continue // a directory named x.yaml: not a HookConfig
      const text = readConfigFile(name, '', dir, 'rootOnly')
      const docs = parseManifests(text)
      if (docs.length !== 1)
        throw new HookError('ERR_INVALID_CONFIG', `holds ${docs.length} documents, not one HookConfig`)
      const config = readHookConfig(docs[0], { baseDir: dir, restrictor: 'rootOnly' })
      try {
        makePlan(config.spec, config.options)
      } catch (e) {
        throw e instanceof HookError ? inConfig(e, config.origins) : e
      }
      bindings.push({ hook: config.spec, options: config.options })
      files.push(name)
      hash
        .update(name)
        .update('\0')
        .update(JSON.stringify([config.spec, config.options]))
        .update('\0')
    } catch (e) {
      if (!(e instanceof HookError)) throw e
      throw new HookError(e.code, `${name}: ${describeHookError(e)}`, { cause: e })
    }
  }
  let resolver: HookResolver
  try {
    resolver = createHookResolver(bindings)
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    const at = Number(e.path?.slice(1))
    throw new HookError(e.code, `${files[at] ?? dir}: ${e.message}`, { cause: e })
  }
  return { bindings, resolver, files, digest: hash.digest('hex') }
}
