import { HookError } from '../errors.js'
import type { HookKind } from '../types.js'
import { isOneOf } from '../lib/check.js'
import { HOOK_KINDS } from '../contract.js'
import { isRecord } from '../lib/json.js'
import type { KubernetesObject } from '../lib/kubernetes.js'
import { pointer } from '../lib/pointer.js'
import { checkBound, readBound, type Bound } from './bound.js'
import { markReadOnly } from './read-only.js'
import type { AdmissionRequest, HookBinding, HookResolver } from './review.js'

import { APP_LABEL, APP_NAMESPACE_ANNOTATION, HOOKS_ANNOTATION } from '../contract.js'

export { APP_LABEL, APP_NAMESPACE_ANNOTATION, HOOKS_ANNOTATION } from '../contract.js'

const labelPath = pointer('metadata', 'labels', APP_LABEL)
const annotationPath = (key: string) => pointer('metadata', 'annotations', key)

function stringField(map: unknown, key: string): string | undefined {
  if (!isRecord(map) || !Object.hasOwn(map, key)) return undefined
  const value = map[key]
  return typeof value === 'string' ? value : undefined
}

/** The Krake namespace of the application the object asks for: the annotation, else the object's or the request's namespace. */
function appNamespaceOf(object: KubernetesObject, request: AdmissionRequest): string | undefined {
  const meta = object.metadata
  const namespace =
    stringField(meta?.annotations, APP_NAMESPACE_ANNOTATION) ??
    (typeof meta?.namespace === 'string' && meta.namespace !== '' ? meta.namespace : request.namespace)
  return typeof namespace === 'string' && namespace !== '' ? namespace : undefined
}

/** `<namespace>/<name>` of the application the object asks for by its label, or undefined when it asks for none. */
export function appAskedFor(object: KubernetesObject, request: AdmissionRequest): string | undefined {
  const name = stringField(object.metadata?.labels, APP_LABEL)
  const namespace = appNamespaceOf(object, request)
  return name === undefined || name === '' || namespace === undefined ? undefined : `${namespace}/${name}`
}

/**
 * The hook kinds a Pod asks for: those its `krake-hooks/hooks` annotation
 * lists (`complete,shutdown`), or every kind held for its application when
 * it has none.
 */
function kindsAskedFor(asked: string | undefined, held: ReadonlyMap<HookKind, HookBinding> | undefined): HookKind[] {
  if (asked === undefined) return held === undefined ? [] : HOOK_KINDS.filter((k) => held.has(k))
  const words = asked.split(',').map((k) => k.trim())
  const bad = words.find((k) => !isOneOf(k, HOOK_KINDS))
  if (bad !== undefined)
    throw new HookError(
      'ERR_INVALID_ANNOTATION',
      `the annotation ${HOOKS_ANNOTATION} must list hook kinds (complete, shutdown), not "${bad.slice(0, 64)}"`,
      { path: annotationPath(HOOKS_ANNOTATION) },
    )
  return HOOK_KINDS.filter((k) => words.includes(k))
}

/**
 * The resolver the `krake-hooks webhook` command serves with: one webhook for
 * every application of a cluster, deciding per Pod from its label and
 * annotations.
 *
 * - A Pod without the label `krake-hooks/app` is not ours (allowed unpatched).
 * - The label's value is the Krake application's name; its Krake namespace is
 *   the annotation `krake-hooks/app-namespace`, or the Pod's namespace.
 * - The annotation `krake-hooks/hooks: complete,shutdown` picks the kinds;
 *   without it, every kind `bindings` holds for the application.
 * - A Pod receives a hook only where the binding's `boundTo` allows: the
 *   request's namespace in `namespaces` (default: the application's own;
 *   `["*"]` for every one) and, when set, its service account in
 *   `serviceAccounts`; any other Pod is refused (403, `ERR_NOT_BOUND`). The
 *   annotation `krake-hooks/app-namespace` names an application, it grants
 *   nothing.
 * - A Pod that asks for a hook `bindings` does not hold is refused (400,
 *   `ERR_HOOK_NOT_CONFIGURED` at the label): a Job must never run without the
 *   hook that tells Krake it is done. A malformed annotation is refused too
 *   (`ERR_INVALID_ANNOTATION`).
 *
 * The bindings are indexed once; the resolver keeps no state between calls,
 * so any number of replicas answer alike.
 *
 * @param bindings One per application and hook kind (a HookConfig each).
 * @throws HookError `ERR_INVALID_CONFIG` when two bindings are for the same
 *   application and kind, one is not a `{ hook }` with an `app` and a `kind`,
 *   or its `boundTo` is malformed (not non-empty lists of non-empty strings,
 *   an unknown key).
 *
 * @example
 * ```ts
 * const resolver = createHookResolver([{ hook: completeHook }, { hook: shutdownHook }])
 * const answer = reviewAdmission(review, resolver)
 * ```
 */
export function createHookResolver(bindings: readonly HookBinding[]): HookResolver {
  if (!Array.isArray(bindings))
    throw new HookError('ERR_INVALID_ARGUMENT', 'bindings must be an array of { hook, options? }', { path: '' })
  const byApp = new Map<string, Map<HookKind, HookBinding>>()
  const boundOf = new Map<HookBinding, Bound>()
  for (const [i, binding] of (bindings as readonly unknown[]).entries()) {
    const hook: unknown = isRecord(binding) ? binding.hook : undefined
    const app: unknown = isRecord(hook) ? hook.app : undefined
    const kind: unknown = isRecord(hook) ? hook.kind : undefined
    if (
      !isRecord(app) ||
      typeof app.name !== 'string' ||
      typeof app.namespace !== 'string' ||
      !isOneOf(kind, HOOK_KINDS)
    )
      throw new HookError('ERR_INVALID_CONFIG', 'a binding is { hook, options? } with hook.app and hook.kind', {
        path: pointer(i),
      })
    const key = `${app.namespace}/${app.name}`
    const kinds = byApp.get(key) ?? new Map<HookKind, HookBinding>()
    if (kinds.has(kind))
      throw new HookError('ERR_INVALID_CONFIG', `two ${kind} hooks for the application ${key}`, { path: pointer(i) })
    // cast: checked above, a record with hook.app and hook.kind; makePlan checks the rest when it is used
    kinds.set(kind, binding as HookBinding)
    boundOf.set(
      binding as HookBinding,
      readBound((binding as HookBinding).boundTo, app.namespace, pointer(i, 'boundTo')),
    )
    byApp.set(key, kinds)
  }

  // it reads the object and the request, and changes neither: a review hands it its own view (read-only.ts)
  return markReadOnly((object: KubernetesObject, request: AdmissionRequest) => {
    const meta = object.metadata
    const name = stringField(meta?.labels, APP_LABEL)
    if (name === undefined) return undefined
    if (name === '')
      throw new HookError('ERR_HOOK_NOT_CONFIGURED', `the label ${APP_LABEL} must name a Krake application`, {
        path: labelPath,
      })
    const namespace = appNamespaceOf(object, request)
    if (namespace === undefined)
      throw new HookError(
        'ERR_INVALID_ANNOTATION',
        `the application's Krake namespace is unknown: set the annotation ${APP_NAMESPACE_ANNOTATION}`,
        { path: annotationPath(APP_NAMESPACE_ANNOTATION) },
      )
    const app = `${namespace}/${name}`
    const held = byApp.get(app)
    const kinds = kindsAskedFor(stringField(meta?.annotations, HOOKS_ANNOTATION), held)
    const prefix = `the Pod's label ${APP_LABEL}="${name}" asks for`
    if (held === undefined || kinds.length === 0)
      throw new HookError(
        'ERR_HOOK_NOT_CONFIGURED',
        `${prefix} a hook of the application ${app}, and the webhook holds none`,
        { path: labelPath },
      )
    const missing = kinds.filter((k) => !held.has(k))
    if (missing.length > 0)
      throw new HookError(
        'ERR_HOOK_NOT_CONFIGURED',
        `${prefix} the ${missing.join(' and ')} hook of the application ${app}, and the webhook holds no such HookConfig`,
        { path: labelPath },
      )
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every kind was found in held just above
    const chosen = kinds.map((k) => held.get(k)!)
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- every binding held has its bound
    for (const binding of chosen) checkBound(boundOf.get(binding)!, app, object, request)
    return chosen
  })
}
