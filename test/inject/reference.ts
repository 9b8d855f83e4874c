// The oracle for the fast path: the straightforward way, clone the whole list,
// then inject into the clone (the checked path of src/inject/inject.ts alone).
import { cloneJson, type Json } from '../../src/lib/clone.js'
import { runInjection } from '../../src/inject/inject.js'
import { makePlan } from '../../src/inject/plan.js'
import { HookError, type HookSpec, type InjectOptions, type InjectResult } from '../../src/index.js'

export function referenceInject(manifests: readonly unknown[], hook: HookSpec, options?: InjectOptions): InjectResult {
  const plan = makePlan(hook, options)
  if (!Array.isArray(manifests))
    throw new HookError('ERR_INVALID_MANIFESTS', 'manifests must be an array of Kubernetes objects', { path: '' })
  const out = cloneJson(manifests) as Json[]
  const { results, summary } = runInjection(out, plan, (i) => [i])
  return { manifests: out as never, results: [...results, summary] }
}
