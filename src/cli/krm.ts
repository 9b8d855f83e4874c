import { HookError } from '../errors.js'
import { isRecord } from '../lib/json.js'
import { injectHook } from '../inject/index.js'
import { identityKey, isNamedObject, refOf } from '../lib/kubernetes.js'
import type { HookResult } from '../types.js'
import { parseManifests } from '../yaml/parse.js'
import { stringifyManifests } from '../yaml/stringify.js'
import { inConfig, readHookConfig, type FileAccess, type HookConfig } from './config.js'
import { referenceOptions, splitSecrets, writeSecretsFile } from './references.js'
import { configFromConfigMap } from './configmap.js'

/** A result as KRM functions report them (kpt and kustomize): `field` is a path, not a pointer. */
interface KrmResult {
  message: string
  severity: 'error' | 'warning' | 'info'
  resourceRef?: { apiVersion: string; kind: string; name: string; namespace?: string }
  field?: { path: string }
  /** The file the item came from, as kpt and kustomize annotate it. */
  file?: { path: string; index?: number }
}

/** `/spec/containers/0/env` as a KRM field path: `spec.containers[0].env`. */
export function fieldPath(pointer: string): string {
  if (pointer === '') return ''
  let out = ''
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~')
    if (/^\d+$/.test(seg)) out += `[${seg}]`
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += (out === '' ? '' : '.') + seg
    else out += `[${JSON.stringify(seg)}]`
  }
  return out
}

function toKrmResult(r: HookResult): KrmResult {
  const out: KrmResult = { message: r.message, severity: r.severity }
  if (r.resourceRef) out.resourceRef = r.resourceRef
  if (r.field !== undefined) out.field = { path: fieldPath(r.field) }
  return out
}

type Obj = Record<string, unknown>

/** The error result of a HookError, pointing at the item it is about when it is about one. */
function errorResult(e: HookError, items: readonly unknown[], origin: 'items' | 'functionConfig'): KrmResult {
  const result: KrmResult = { message: `${e.code}: ${e.message}`, severity: 'error' }
  if (e.path === undefined || e.path === '') return result
  if (origin === 'functionConfig') return { ...result, field: { path: `functionConfig.${fieldPath(e.path)}` } }
  const m = /^\/(\d+)(\/.*)?$/.exec(e.path)
  const item = m ? items[Number(m[1])] : undefined
  if (isNamedObject(item)) {
    result.resourceRef = refOf(item.apiVersion, item.kind, item.metadata.name, item.metadata.namespace)
    if (m?.[2]) result.field = { path: fieldPath(m[2]) }
    const file = fileOf(item)
    if (file) result.file = file
  } else {
    result.field = { path: `items${fieldPath(e.path)}` }
  }
  return result
}

/** Where an item came from: `config.kubernetes.io/path` and `index` (or kustomize's `internal.` ones). */
function fileOf(item: unknown): KrmResult['file'] | undefined {
  const meta = isRecord(item) ? item.metadata : undefined
  const a = isRecord(meta) ? meta.annotations : undefined
  if (!isRecord(a)) return undefined
  const path = a['config.kubernetes.io/path'] ?? a['internal.config.kubernetes.io/path']
  if (typeof path !== 'string' || path === '') return undefined
  const index = Number(a['config.kubernetes.io/index'] ?? a['internal.config.kubernetes.io/index'])
  return Number.isSafeInteger(index) && index >= 0 ? { path, index } : { path }
}

/** A result about an item, with the item's file when it names one. */
function withFile(result: KrmResult, items: readonly unknown[]): KrmResult {
  const ref = result.resourceRef
  if (ref === undefined) return result
  const key = identityKey(ref)
  const item = items.find(
    (i) => isNamedObject(i) && identityKey(refOf(i.apiVersion, i.kind, i.metadata.name, i.metadata.namespace)) === key,
  )
  const file = fileOf(item)
  return file ? { ...result, file } : result
}

/** The hook configuration of a functionConfig: a HookConfig, or a ConfigMap as `kpt fn eval -- key=value` sends. */
function hookConfigOf(functionConfig: unknown, files: FileAccess): HookConfig {
  if (functionConfig === undefined || functionConfig === null) {
    throw new HookError(
      'ERR_INVALID_CONFIG',
      'the ResourceList has no functionConfig: give a HookConfig (krake-hooks/v1alpha1), or key=value pairs (kpt fn eval --exec krake-hooks-fn -- kind=complete appName=... appNamespace=... apiEndpoint=... tokenFile=...)',
      { path: '' },
    )
  }
  if (isRecord(functionConfig) && functionConfig.apiVersion === 'v1' && functionConfig.kind === 'ConfigMap')
    return configFromConfigMap(functionConfig, files)
  return readHookConfig(functionConfig, files)
}

/**
 * Runs the hook as a KRM function: a `ResourceList` in (YAML or JSON), the
 * `ResourceList` out with hooked `items` and `results` after the input's own
 * `results`; each result about an item names the item's file. Returns the
 * text to print and whether a result is an error (the exit code is then 1;
 * the items are returned unchanged).
 */
export function runKrmFunction(
  input: string,
  files: FileAccess = { baseDir: process.cwd(), restrictor: 'rootOnly' },
): { output: string; failed: boolean } {
  const docs = parseManifests(input)
  const [list] = docs
  if (docs.length !== 1 || !isRecord(list) || list.kind !== 'ResourceList') {
    throw new HookError('ERR_INVALID_CONFIG', 'a KRM function reads one ResourceList on stdin', { path: '' })
  }
  const items: unknown = list.items ?? []
  if (!Array.isArray(items))
    throw new HookError('ERR_INVALID_CONFIG', 'the ResourceList items must be a list', { path: '/items' })
  const out: Obj = { apiVersion: list.apiVersion ?? 'config.kubernetes.io/v1', kind: 'ResourceList', items }
  if (list.functionConfig !== undefined) out.functionConfig = list.functionConfig
  let results: KrmResult[]
  let failed = false
  try {
    const config = hookConfigOf(list.functionConfig, files)
    try {
      const references = config.referencesOnly
      const injected = injectHook(items, config.spec, references ? referenceOptions(config.options) : config.options)
      out.items = injected.manifests
      results = injected.results.map((r) => withFile(toKrmResult(r), items))
      if (references !== undefined) {
        // kpt fn render writes the package back, to Git: the Secrets holding values go to a 0600 file, or nowhere
        const { kept, secrets } = splitSecrets(items as object[], injected.manifests)
        out.items = kept
        if (references.secretsFile !== undefined) writeSecretsFile(references.secretsFile, secrets)
        results.push({
          severity: 'info',
          message: `references only: ${secrets.length} Secret(s) holding the token or the key ${references.secretsFile === undefined ? 'left out' : `written to ${references.secretsFile} (mode 0600)`}`,
        })
      }
    } catch (e) {
      if (!(e instanceof HookError)) throw e
      const rooted = inConfig(e, config.origins) // the hook or options are the functionConfig's; the rest is about items
      results = [errorResult(rooted, items, rooted === e ? 'items' : 'functionConfig')]
      failed = true
    }
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    results = [errorResult(e, items, 'functionConfig')]
    failed = true
  }
  // results of the functions before us stay, as kpt keeps them
  const before: unknown[] = Array.isArray(list.results) ? list.results : []
  out.results = [...before, ...results]
  return { output: stringifyManifests([out]), failed }
}
