// The webhook's HookConfig directory: every *.yaml, *.yml and *.json file in
// it, one HookConfig each (one per application and hook kind), read as a
// mounted Secret or ConfigMap shows them: the entries are symlinks into a
// `..data` directory that the kubelet swaps atomically, and dot-entries are
// its own bookkeeping.
import { createHash } from 'node:crypto'
import { readdirSync, realpathSync, statSync, type Stats } from 'node:fs'
import { readdir, realpath, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { appAskedFor, createHookResolver } from '../../admission/resolver.js'
import { markReadOnly } from '../../admission/read-only.js'
import type { AdmissionRequest, HookBinding, HookResolver } from '../../admission/review.js'
import type { KubernetesObject } from '../../lib/kubernetes.js'
import { describeHookError, HookError } from '../../errors.js'
import { makePlan } from '../../inject/index.js'
import type { InjectOptions } from '../../types.js'
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
  /** What each file gave, by name, with the fingerprint of every file it read: the next reading reuses what did not change. */
  readonly cache: ReadonlyMap<string, FileOutcome>
  /** Every HookConfig name the directory listed (a directory named x.yaml too): a name added or gone is a change. */
  readonly names: readonly string[]
}

/** One HookConfig file as read: served, or refused for inline values. */
interface FileOutcome {
  /** The files it read: itself first, then the files it names. */
  read: readonly string[]
  /** Where each of those leads and what it was then. */
  fingerprint: string
  binding?: HookBinding
  refused?: HookSet['refused'][number]
  /** What a served file adds to the set's digest ('' for a refused one: its refusal is hashed apart). */
  digestPart: string
}

/**
 * What a file is now, cheaply: where it leads once symlinks are resolved
 * (the kubelet swaps `..data` to update a mounted Secret), its inode, size,
 * and change and modification times. A file that cannot be read is a
 * fingerprint of its own, so that its reading is tried again.
 */
function fingerprintOf(dir: string, names: readonly string[], newest?: { ms: number }): string {
  let out = ''
  for (const name of names) {
    try {
      const real = realpathSync.native(join(dir, name))
      const st = statSync(real)
      out += entryOf(name, real, st)
      if (newest !== undefined) newest.ms = Math.max(newest.ms, st.mtimeMs, st.ctimeMs)
    } catch (e) {
      out += missingOf(name, e)
    }
  }
  return out
}

/** fingerprintOf, its stat calls on libuv's threads: the event loop serves requests meanwhile. */
async function fingerprintOfAsync(dir: string, names: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    names.map(async (name) => {
      try {
        const real = await realpath(join(dir, name))
        return entryOf(name, real, await stat(real))
      } catch (e) {
        return missingOf(name, e)
      }
    }),
  )
  return parts.join('')
}

const entryOf = (name: string, real: string, st: Stats) =>
  `${name}\0${real}\0${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}\0`
const missingOf = (name: string, e: unknown) => `${name}\0missing ${(e as NodeJS.ErrnoException).code ?? ''}\0`

/**
 * Whether the directory differs from the reading `previous` in any way
 * `loadHookDir` would see (a name added or gone, a file or a file it names
 * changed), found with asynchronous stat calls: the webhook asks this on
 * every reload and runs the synchronous reading only when it says yes.
 */
export async function hookDirChanged(dir: string, previous: HookSet): Promise<boolean> {
  if (!sameNames(configNames(await readdir(dir)), previous.names)) return true
  // 64 files at a time: libuv's threads kept busy, the answer as soon as one batch holds a change
  const outcomes = [...previous.cache.values()]
  for (let i = 0; i < outcomes.length; i += 64) {
    const batch = outcomes.slice(i, i + 64)
    const now = await Promise.all(batch.map((o) => fingerprintOfAsync(dir, o.read)))
    if (now.some((f, k) => f !== batch[k]?.fingerprint)) return true
  }
  return false
}

/**
 * A file changed this close to its reading may have changed while it was
 * read (the kubelet swaps `..data` at any moment): its outcome is not reused
 * but read again the next time, once it has settled.
 */
const SETTLE_MS = 2000

const CONFIG_FILE = /\.(ya?ml|json)$/

/** The HookConfig names among a directory's entries, in order: dot-entries are the kubelet's bookkeeping. */
const configNames = (entries: readonly string[]) =>
  entries.filter((n) => !n.startsWith('.') && CONFIG_FILE.test(n)).sort()

const sameNames = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((n, i) => n === b[i])

/**
 * Reads every HookConfig of `dir` and checks each as `injectHook` would, or
 * throws a HookError whose message names the file. The files a HookConfig
 * names (tokenFile, certFile, ...) are read relative to `dir`.
 *
 * Given the last reading (`previous`), a file whose fingerprint (its own and
 * that of every file it named, see `fingerprintOf`) is unchanged is not read
 * again, and when no file changed the previous set itself is returned: an
 * idle webhook's reload costs a few stat calls per file, not a parse.
 */
export function loadHookDir(dir: string, previous?: HookSet): HookSet {
  let names: string[]
  try {
    names = configNames(readdirSync(dir))
  } catch (e) {
    throw new HookError('ERR_INVALID_CONFIG', `cannot read the directory ${dir}: ${(e as Error).message}`, {
      cause: e,
    })
  }
  const cache = new Map<string, FileOutcome>()
  let reused = 0
  for (const name of names) {
    const last = previous?.cache.get(name)
    if (last !== undefined && last.fingerprint === fingerprintOf(dir, last.read)) {
      cache.set(name, last)
      reused++
      continue
    }
    const outcome = readOne(dir, name)
    if (outcome !== undefined) cache.set(name, outcome)
  }
  if (
    previous !== undefined &&
    reused === cache.size &&
    cache.size === previous.cache.size &&
    sameNames(names, previous.names)
  )
    return previous
  return assemble(dir, cache, names)
}

/** One HookConfig file read and checked; undefined for an entry that is not a file (a directory named x.yaml). */
function readOne(dir: string, name: string): FileOutcome | undefined {
  const path = join(dir, name)
  try {
    if (!statSync(path).isFile()) return undefined
    const started = Date.now()
    const read: string[] = [name]
    const text = readConfigFile(name, '', dir, 'rootOnly')
    const docs = parseManifests(text)
    if (docs.length !== 1)
      throw new HookError('ERR_INVALID_CONFIG', `holds ${docs.length} documents, not one HookConfig`)
    const config = readHookConfig(docs[0], { baseDir: dir, restrictor: 'rootOnly', onRead: (p) => read.push(p) })
    // served by the webhook, a hook carries references only: its token and its key stay in Secrets
    const options = { ...REFERENCE_OPTIONS, ...config.options }
    try {
      makePlan(config.spec, options)
    } catch (e) {
      throw e instanceof HookError ? inConfig(e, config.origins) : e
    }
    const newest = { ms: 0 }
    const seen = fingerprintOf(dir, read, newest)
    const fingerprint = newest.ms >= started - SETTLE_MS ? '' : seen
    const inline = inlineReason(options)
    if (inline !== undefined) {
      const refused = { file: name, app: `${config.spec.app.namespace}/${config.spec.app.name}`, reason: inline }
      return { read, fingerprint, refused, digestPart: '' }
    }
    const binding = { hook: config.spec, options, boundTo: config.boundTo }
    const digestPart = `${name}\0${JSON.stringify([config.spec, config.options, config.boundTo ?? null])}\0`
    return { read, fingerprint, binding, digestPart }
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    throw new HookError(e.code, `${name}: ${describeHookError(e)}`, { cause: e })
  }
}

/** The set of the files' outcomes, in name order: bindings, refusals, one resolver, one digest. */
function assemble(dir: string, cache: ReadonlyMap<string, FileOutcome>, names: readonly string[]): HookSet {
  const bindings: HookBinding[] = []
  const refused: HookSet['refused'] = []
  const files: string[] = []
  const hash = createHash('sha256')
  for (const [name, outcome] of cache) {
    if (outcome.binding !== undefined) {
      bindings.push(outcome.binding)
      files.push(name)
      hash.update(outcome.digestPart)
    } else if (outcome.refused !== undefined) refused.push(outcome.refused)
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
  return { bindings, refused, resolver, files, digest: hash.digest('hex'), cache, names }
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
  // reads the object, as the resolver it wraps does: a review hands it its own view (admission/read-only.ts)
  return markReadOnly((object: KubernetesObject, request: AdmissionRequest) => {
    const app = appAskedFor(object, request)
    const r = app === undefined ? undefined : byApp.get(app)
    if (r !== undefined)
      throw new HookError(
        'ERR_INVALID_CONFIG',
        `the HookConfig ${r.file} of the application ${r.app} is refused: ${r.reason}`,
      )
    return resolver(object, request)
  })
}
