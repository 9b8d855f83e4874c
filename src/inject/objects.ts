import type { JsonObject } from '../lib/clone.js'
import { isObject } from '../lib/json.js'
import type { Plan } from './plan.js'
import type { PlannedVariable } from './variables.js'

import { APP_ANNOTATION, HOOK_ANNOTATION, INJECT_ANNOTATION, MANAGED_BY } from '../contract.js'

export { INJECT_ANNOTATION } from '../contract.js'

/** Whether the object or pod template `meta` belongs to says `krake-hooks/inject: "false"`. */
export function optsOut(meta: unknown): boolean {
  if (typeof meta !== 'object' || meta === null) return false
  // casts: objects, read by one own field each (the input may be a class model, never trusted further)
  const annotations = (meta as { annotations?: unknown }).annotations
  return (
    typeof annotations === 'object' &&
    annotations !== null &&
    Object.hasOwn(annotations, INJECT_ANNOTATION) &&
    (annotations as Record<string, unknown>)[INJECT_ANNOTATION] === 'false'
  )
}

/** Whether a workload, or the pod template at `location` in it, opts out with `krake-hooks/inject: "false"`. */
export function workloadOptsOut(obj: Record<string, unknown>, location: readonly string[]): boolean {
  if (optsOut(obj.metadata)) return true
  let node: unknown = obj
  for (let i = 0; i < location.length - 1; i++) {
    const key = location[i]
    if (key === undefined || typeof node !== 'object' || node === null) return false
    node = (node as Record<string, unknown>)[key] // cast: an object, read by one field (the fast path reads it on its way)
  }
  return (
    location.length > 1 &&
    typeof node === 'object' &&
    node !== null &&
    optsOut((node as { metadata?: unknown }).metadata)
  )
}

function metadata(plan: Plan, name: string, namespace: string | undefined): JsonObject & { name: string } {
  const meta: JsonObject & { name: string } = { name }
  if (namespace !== undefined) meta.namespace = namespace
  meta.labels = { [MANAGED_BY.key]: MANAGED_BY.value }
  meta.annotations = { [HOOK_ANNOTATION]: plan.kind, [APP_ANNOTATION]: textsOf(plan).app }
  return meta
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')

/**
 * The strings of a plan's objects that take work to make (the application
 * annotation, the base64 of the PEM files and the token): made once per plan.
 * Strings, so sharing them between outputs shares nothing that can change.
 */
interface PlanTexts {
  app: string
  files?: Record<'ca-bundle.pem' | 'cert.pem' | 'key.pem', string>
  base64Files?: Record<'ca-bundle.pem' | 'cert.pem' | 'key.pem', string>
  base64Values?: ReadonlyArray<[string, string]>
}
const textsByPlan = new WeakMap<Plan, PlanTexts>()

function textsOf(plan: Plan): PlanTexts {
  const known = textsByPlan.get(plan)
  if (known !== undefined) return known
  const texts: PlanTexts = { app: `${plan.app.namespace}/${plan.app.name}` }
  if (plan.tls !== undefined) {
    const files = { 'ca-bundle.pem': plan.tls.caBundlePem, 'cert.pem': plan.tls.certPem, 'key.pem': plan.tls.keyPem }
    texts.files = files
    if (plan.certStorage === 'Secret')
      texts.base64Files = {
        'ca-bundle.pem': b64(files['ca-bundle.pem']),
        'cert.pem': b64(files['cert.pem']),
        'key.pem': b64(files['key.pem']),
      }
  }
  if (plan.tokenFrom === 'secret') texts.base64Values = plan.env.map((v) => [v.secretKey, b64(v.value)])
  textsByPlan.set(plan, texts)
  return texts
}

/** A ConfigMap or Secret the hook writes. */
interface HookObject extends JsonObject {
  apiVersion: 'v1'
  kind: 'ConfigMap' | 'Secret'
  metadata: JsonObject & { name: string }
}

/** The objects the hook adds to one namespace (`undefined`: the workloads had none). */
export function hookObjects(plan: Plan, namespace: string | undefined): HookObject[] {
  const out: HookObject[] = []
  const texts = textsOf(plan)
  const { files, base64Files, base64Values } = texts
  if (files !== undefined) {
    if (plan.certStorage === 'ConfigMap') {
      out.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: metadata(plan, plan.names.configMap, namespace),
        data: { ...files },
      })
    } else {
      out.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: metadata(plan, plan.names.certSecret, namespace),
        type: 'Opaque',
        data: { ...base64Files },
      })
    }
  }
  if (base64Values !== undefined) {
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(plan, plan.names.tokenSecret, namespace),
      type: 'Opaque',
      data: Object.fromEntries(base64Values),
    })
  }
  return out
}

/** Whether `obj` was written by this hook of this application in an earlier run. */
export function isOwnObject(obj: JsonObject, plan: Plan): boolean {
  const meta = obj.metadata
  if (!isObject(meta) || !isObject(meta.labels) || !isObject(meta.annotations)) return false
  return (
    meta.labels[MANAGED_BY.key] === MANAGED_BY.value &&
    meta.annotations[HOOK_ANNOTATION] === plan.kind &&
    meta.annotations[APP_ANNOTATION] === textsOf(plan).app
  )
}

/** One env entry the hook writes for `v`. */
export function envEntry(plan: Plan, v: PlannedVariable): JsonObject {
  return plan.tokenFrom === 'value'
    ? { name: v.name, value: v.value }
    : { name: v.name, valueFrom: { secretKeyRef: { name: plan.names.tokenSecret, key: v.secretKey } } }
}

/** The env entries every container gets, in order: fresh objects each call (nothing is shared). */
export function hookEnv(plan: Plan): JsonObject[] {
  // array literals, not `new Array(n)` (bench/README.md, "Why the code is shaped so": pretenuring);
  // the hook has two variables (variables.ts), the loop is for a third
  const vars = plan.env
  const first = vars[0]
  const second = vars[1]
  if (vars.length === 2 && first !== undefined && second !== undefined)
    return [envEntry(plan, first), envEntry(plan, second)]
  const out: JsonObject[] = []
  for (const v of vars) out.push(envEntry(plan, v))
  return out
}

/** The volume and mount every pod and container gets with TLS. */
export function certVolume(plan: Plan): JsonObject {
  return plan.certStorage === 'ConfigMap'
    ? { name: plan.names.volume, configMap: { name: plan.names.configMap } }
    : { name: plan.names.volume, secret: { secretName: plan.names.certSecret } }
}

export function certMount(plan: Plan): JsonObject {
  return { name: plan.names.volume, mountPath: plan.certDest, readOnly: true }
}
