// Where a hook may be delivered (SPEC section 11): a Pod receives a hook only
// when the request's namespace is one the hook is bound to (the
// application's own by default) and, when the binding names service
// accounts, the Pod runs as one of them. As SPIRE's and Vault's bindings do.
import { checkKnownKeys } from '../lib/check.js'
import { HookError } from '../errors.js'
import { podSpecLocation } from '../lib/workloads.js'
import { isRecord } from '../lib/json.js'
import type { KubernetesObject } from '../lib/kubernetes.js'
import type { AdmissionRequest } from './review.js'

/** A binding's `boundTo`, checked: lists of non-empty strings, not empty, no unknown key. */
export interface Bound {
  namespaces: readonly string[]
  serviceAccounts: readonly string[] | undefined
}

const KEYS = ['namespaces', 'serviceAccounts']

function names(value: unknown, path: string, what: string): readonly string[] | undefined {
  if (value === undefined) return undefined
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string' && v !== ''))
    throw new HookError('ERR_INVALID_CONFIG', `boundTo.${what} must be a non-empty list of non-empty strings`, { path })
  return value as readonly string[]
}

/**
 * `boundTo` of a binding for the application in `appNamespace`, checked, with
 * its defaults; `at` is the pointer to the `boundTo` key itself.
 */
export function readBound(value: unknown, appNamespace: string, at: string): Bound {
  if (value === undefined) return { namespaces: [appNamespace], serviceAccounts: undefined }
  if (!isRecord(value))
    throw new HookError('ERR_INVALID_CONFIG', 'boundTo must be a mapping of namespaces and serviceAccounts', {
      path: at,
    })
  checkKnownKeys(value, KEYS, { code: 'ERR_INVALID_CONFIG', path: at, noun: 'key', within: 'boundTo' })
  return {
    namespaces: names(value.namespaces, `${at}/namespaces`, 'namespaces') ?? [appNamespace],
    serviceAccounts: names(value.serviceAccounts, `${at}/serviceAccounts`, 'serviceAccounts'),
  }
}

/** The service account the object's Pods run as: `default` when its pod spec names none, as the API server sets it. */
function serviceAccountOf(object: KubernetesObject): string {
  const location = podSpecLocation(object.apiVersion, object.kind) ?? ['spec']
  let spec: unknown = object
  for (const key of location) spec = isRecord(spec) ? spec[key] : undefined
  const named = isRecord(spec) ? spec.serviceAccountName : undefined
  return typeof named === 'string' && named !== '' ? named : 'default'
}

/** Printable, bounded: what a refusal may quote of a request. */
const quoted = (s: string) => JSON.stringify(s.length > 63 ? `${s.slice(0, 63)}...` : s)

/**
 * Throws `ERR_NOT_BOUND` (the webhook answers 403) unless the object of
 * `request` may receive the hook of `app` bound as `bound`. The request's
 * namespace decides, never a field the object sets itself.
 */
export function checkBound(bound: Bound, app: string, object: KubernetesObject, request: AdmissionRequest): void {
  const namespace = typeof request.namespace === 'string' ? request.namespace : ''
  const own = object.metadata?.namespace
  if (typeof own === 'string' && own !== '' && own !== namespace)
    throw new HookError(
      'ERR_NOT_BOUND',
      `the Pod names the namespace ${quoted(own)} but is created in ${quoted(namespace)}: no hook is delivered`,
      { path: '/metadata/namespace' },
    )
  const account = serviceAccountOf(object)
  const inNamespace = bound.namespaces.includes('*') || bound.namespaces.includes(namespace)
  const asAccount = bound.serviceAccounts === undefined || bound.serviceAccounts.includes(account)
  if (!inNamespace || !asAccount)
    throw new HookError(
      'ERR_NOT_BOUND',
      `a Pod in the namespace ${quoted(namespace)} with the service account ${quoted(account)} may not receive ` +
        `the hooks of the application ${app} (bound to namespaces ${bound.namespaces.join(', ')}` +
        `${bound.serviceAccounts === undefined ? '' : `, service accounts ${bound.serviceAccounts.join(', ')}`})`,
      { path: inNamespace ? '/spec/serviceAccountName' : '/metadata/namespace' },
    )
}
