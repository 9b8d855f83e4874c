import { HookError } from '../errors.js'
import { injectHook } from '../inject/inject.js'
import type { HookResult } from '../inject/types.js'
import { parseManifests } from '../yaml/parse.js'
import { stringifyManifests } from '../yaml/stringify.js'
import { inConfig, readHookConfig } from './config.js'

/** A result as KRM functions report them (kpt and kustomize): `field` is a path, not a pointer. */
export interface KrmResult {
  message: string
  severity: 'error' | 'warning' | 'info'
  resourceRef?: { apiVersion: string; kind: string; name: string; namespace?: string }
  field?: { path: string }
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

export function toKrmResult(r: HookResult): KrmResult {
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
  const item = m ? (items[Number(m[1])] as Obj | undefined) : undefined
  const meta = item?.metadata as Obj | undefined
  if (item && typeof item.apiVersion === 'string' && typeof item.kind === 'string' && typeof meta?.name === 'string') {
    result.resourceRef = { apiVersion: item.apiVersion, kind: item.kind, name: meta.name }
    if (typeof meta.namespace === 'string') result.resourceRef.namespace = meta.namespace
    if (m?.[2]) result.field = { path: fieldPath(m[2]) }
  } else {
    result.field = { path: `items${fieldPath(e.path)}` }
  }
  return result
}

/**
 * Runs the hook as a KRM function: a `ResourceList` in (YAML or JSON), the
 * `ResourceList` out with hooked `items` and `results`. Returns the text to
 * print and whether a result is an error (the exit code is then 1; the items
 * are returned unchanged).
 */
export function runKrmFunction(input: string, cwd: string = process.cwd()): { output: string; failed: boolean } {
  const docs = parseManifests(input)
  const list = docs[0] as Obj | undefined
  if (docs.length !== 1 || list?.kind !== 'ResourceList') {
    throw new HookError('ERR_INVALID_CONFIG', 'a KRM function reads one ResourceList on stdin', { path: '' })
  }
  const items = (list.items ?? []) as unknown[]
  const out: Obj = { apiVersion: list.apiVersion ?? 'config.kubernetes.io/v1', kind: 'ResourceList', items }
  if (list.functionConfig !== undefined) out.functionConfig = list.functionConfig
  let results: KrmResult[]
  let failed = false
  try {
    const config = readHookConfig(list.functionConfig, cwd)
    try {
      const injected = injectHook(items, config.spec, config.options)
      out.items = injected.manifests
      results = injected.results.map(toKrmResult)
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
  out.results = results
  return { output: stringifyManifests([out]), failed }
}
