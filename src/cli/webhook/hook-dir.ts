// The webhook's HookConfig directory: every *.yaml, *.yml and *.json file in
// it, one HookConfig each (one per application and hook kind), read as a
// mounted Secret or ConfigMap shows them: the entries are symlinks into a
// `..data` directory that the kubelet swaps atomically, and dot-entries are
// its own bookkeeping.
import { createHash } from 'node:crypto'
import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { appAskedFor, createHookResolver } from '../../admission/resolver.js'
import type { HookBinding, HookResolver } from '../../admission/review.js'
import { describeHookError, HookError } from '../../errors.js'
import { makePlan } from '../../inject/plan.js'
import type { InjectOptions } from '../../inject/types.js'
import { parseManifests } from '../../yaml/parse.js'
import { inConfig, readHookConfig } from '../config.js'
import { readConfigFile } from '../files.js'
import { inlineOption, REFERENCE_OPTIONS } from '../references.js'

/** What one reading of the directory gave. */
export interface HookSet {
  /** One binding per HookConfig file that is served. */
  bindings: HookBinding[]
  /**
   * The HookConfig files refused for asking for inline values (a token or a
   * key in the Pod spec, SPEC section 11), each with its application: a Pod
   * asking for that application is denied until the file is fixed.
   */
  refused: Array<{ file: string; app: string; reason: string }>
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
  const refused: HookSet['refused'] = []
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
      // served by the webhook, a hook carries references only: its token and its key stay in Secrets
      const options = { ...REFERENCE_OPTIONS, ...config.options }
      try {
        makePlan(config.spec, options)
      } catch (e) {
        throw e instanceof HookError ? inConfig(e, config.origins) : e
      }
      const inline = inlineReason(options)
      if (inline !== undefined) {
        refused.push({ file: name, app: `${config.spec.app.namespace}/${config.spec.app.name}`, reason: inline })
        continue
      }
      bindings.push({ hook: config.spec, options, boundTo: config.boundTo })
      files.push(name)
      hash
        .update(name)
        .update('\0')
        .update(JSON.stringify([config.spec, config.options, config.boundTo ?? null]))
        .update('\0')
    } catch (e) {
      if (!(e instanceof HookError)) throw e
      throw new HookError(e.code, `${name}: ${describeHookError(e)}`, { cause: e })
    }
  }
  let resolver: HookResolver
  try {
    resolver = refusing(createHookResolver(bindings), refused)
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    const at = Number(e.path?.slice(1))
    throw new HookError(e.code, `${files[at] ?? dir}: ${e.message}`, { cause: e })
  }
  for (const r of refused) hash.update(`refused\0${r.file}\0${r.app}\0${r.reason}\0`)
  return { bindings, refused, resolver, files, digest: hash.digest('hex') }
}

/** Why options would put a secret into a Pod spec (and so into an AdmissionReview answer), or undefined. */
function inlineReason(options: InjectOptions): string | undefined {
  const inline = inlineOption(options)
  if (inline === 'tokenFrom')
    return 'options.tokenFrom is "value": the token would be written into the Pod spec (the webhook takes "secret")'
  if (inline === 'certStorage')
    return 'options.certStorage is "ConfigMap": the private key would be readable by whoever reads ConfigMaps (the webhook takes "Secret")'
  return undefined
}

/** `resolver`, denying (500, naming the file's problem, never a value) the Pods that ask for a refused application. */
function refusing(resolver: HookResolver, refused: HookSet['refused']): HookResolver {
  if (refused.length === 0) return resolver
  const byApp = new Map(refused.map((r) => [r.app, r]))
  return (object, request) => {
    const app = appAskedFor(object, request)
    const r = app === undefined ? undefined : byApp.get(app)
    if (r !== undefined)
      throw new HookError(
        'ERR_INVALID_CONFIG',
        `the HookConfig ${r.file} of the application ${r.app} is refused: ${r.reason}`,
      )
    return resolver(object, request)
  }
}
