// A JSON Patch of the hook read off what the fast path wrote (its additions,
// fast-path.ts), instead of a diff of the object before and after: the same
// operations, in the same order, as text. What admission/review.ts answers
// with when one hook took the fast path; test/admission/review-patch.test.ts
// holds it to lib/json-patch.ts's diffJson, byte for byte.
import { ENV, MOUNTS, type ListKind } from './collisions.js'
import type { Addition } from './fast-path.js'
import { certMount, certVolume, envEntry, hookEnv } from './objects.js'
import type { Plan } from './plan.js'

/** The JSON texts of the hook's entries, once per plan: strings, so sharing them shares nothing that can change. */
interface EntryTexts {
  /** Each list as the hook adds it whole: `[...]`. */
  readonly env: string
  readonly mounts: string
  readonly volumes: string
  /** Each entry apart, as the hook appends it to a list of the workload's own. */
  readonly envEach: readonly string[]
  readonly mount: string
  readonly volume: string
}
const textsByPlan = new WeakMap<Plan, EntryTexts>()

function entryTexts(plan: Plan): EntryTexts {
  const known = textsByPlan.get(plan)
  if (known !== undefined) return known
  const tls = plan.tls !== undefined
  const mount = tls ? JSON.stringify(certMount(plan)) : ''
  const volume = tls ? JSON.stringify(certVolume(plan)) : ''
  const texts: EntryTexts = {
    env: JSON.stringify(hookEnv(plan)),
    mounts: `[${mount}]`,
    volumes: `[${volume}]`,
    envEach: plan.env.map((v) => JSON.stringify(envEntry(plan, v))),
    mount,
    volume,
  }
  textsByPlan.set(plan, texts)
  return texts
}

/**
 * `{"op":"add","path":...,"value":...}`, as JSON.stringify writes an operation of diffJson's. The
 * path is written as it is: the fast path makes it of the API's field names and list indices
 * alone, which hold no character JSON escapes.
 */
const addOp = (path: string, value: string) => `{"op":"add","path":"${path}","value":${value}}`

function wholeText(texts: EntryTexts, kind: ListKind): string {
  return kind === ENV ? texts.env : kind === MOUNTS ? texts.mounts : texts.volumes
}

/**
 * The operations (each as JSON text) that make the hook's `additions` to an
 * object, the pointers relative to it, in the order they were written. A
 * list added whole is one `add` of it; entries appended to a list of the
 * object's own are one `add` at `/-` each, as diffJson writes an array that
 * grew at its end.
 */
export function additionOps(plan: Plan, additions: readonly Addition[]): string[] {
  const texts = entryTexts(plan)
  const ops: string[] = []
  for (const { at, kind, whole } of additions) {
    if (whole) {
      ops.push(addOp(at, wholeText(texts, kind)))
      continue
    }
    const end = `${at}/-`
    if (kind === ENV) for (const entry of texts.envEach) ops.push(addOp(end, entry))
    else ops.push(addOp(end, kind === MOUNTS ? texts.mount : texts.volume))
  }
  return ops
}
