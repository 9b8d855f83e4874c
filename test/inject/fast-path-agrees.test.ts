// The fast path (src/inject/walk.ts) against the oracle (reference.ts): the
// same manifests, byte for byte in key order, the same results, the same
// errors, for arbitrary manifests, hooks and options (issue 12).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HookError, injectHook } from '../../src/index.js'
import { hookArb, manifestsArb, numRuns, objectArb, optionsArb, workloadArb } from '../arbitraries.js'
import { hostileManifests } from '../fuzz/hostile.js'
import { deepFreeze, deployment, spec } from '../helpers.js'
import { referenceInject } from './reference.js'

type Outcome =
  { ok: true; json: string; results: unknown } | { ok: false; code: string; path: string | undefined; message: string }

function outcome(run: () => { manifests: unknown; results: unknown }): Outcome {
  try {
    const { manifests, results } = run()
    return { ok: true, json: JSON.stringify(manifests), results }
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    return { ok: false, code: e.code, path: e.path, message: e.message }
  }
}

describe('the fast path agrees with clone-then-inject', () => {
  it('property: the same output (key order too), results and errors, for arbitrary manifests, hooks and options', () => {
    fc.assert(
      fc.property(
        manifestsArb,
        hookArb,
        fc.option(optionsArb, { nil: undefined }),
        fc.constantFrom('replace' as const, 'keep' as const, 'error' as const),
        (m, hook, opts, onConflict) => {
          const input = deepFreeze(m)
          const o = { ...opts, onConflict }
          expect(outcome(() => injectHook(input, hook, o))).toEqual(outcome(() => referenceInject(input, hook, o)))
        },
      ),
      { numRuns },
    )
  })

  it('property: hooked output hooked again (the idempotent path) agrees too', () => {
    fc.assert(
      fc.property(fc.array(objectArb, { maxLength: 4 }), hookArb, (m, hook) => {
        const once = injectHook(deepFreeze(m), hook).manifests
        expect(outcome(() => injectHook(deepFreeze(once), hook))).toEqual(
          outcome(() => referenceInject(deepFreeze(once), hook)),
        )
      }),
      { numRuns },
    )
  })

  it('property: krake-hooks/inject annotations on any metadata of the way to the pod spec agree (the fast path reads them as it copies)', () => {
    type Obj = Record<string, unknown>
    const objectAt = (node: unknown): node is Obj => typeof node === 'object' && node !== null
    // the way from a workload to its pod spec: a template first, then a job template, then a spec
    const nextKey = (node: Obj) => ['template', 'jobTemplate', 'spec'].find((k) => objectAt(node[k]))
    /** `node` with the annotation on the metadata of the object `steps` keys down the way, metadata first or last. */
    const annotated = (node: Obj, steps: number, value: unknown, last: boolean): Obj => {
      const key = nextKey(node)
      const next = key === undefined ? undefined : node[key]
      if (steps > 0 && key !== undefined && objectAt(next))
        return { ...node, [key]: annotated(next, steps - 1, value, last) }
      const metadata = {
        ...(objectAt(node.metadata) ? node.metadata : {}),
        annotations: { 'krake-hooks/inject': value },
      }
      const rest = Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'metadata'))
      // before or after the key that leads on: the fast path may have copied the pod spec already
      return last ? { ...rest, metadata } : { metadata, ...rest }
    }
    fc.assert(
      fc.property(
        workloadArb,
        fc.nat({ max: 4 }),
        fc.constantFrom('false', 'False', 'true', 0, false),
        fc.boolean(),
        hookArb,
        (w, steps, value, last, hook) => {
          const input = deepFreeze([annotated(w, steps, value, last)])
          expect(outcome(() => injectHook(input, hook))).toEqual(outcome(() => referenceInject(input, hook)))
        },
      ),
      { numRuns },
    )
  })

  it('property: hostile lists (holes, cycles, getters, prototype keys, class instances) fail or succeed alike', () => {
    fc.assert(
      fc.property(hostileManifests, hookArb, (m, hook) => {
        expect(outcome(() => injectHook(m as never, hook))).toEqual(outcome(() => referenceInject(m as never, hook)))
      }),
      { numRuns },
    )
  })

  it('a clone error anywhere wins over an earlier malformed workload, as when the whole list is cloned first', () => {
    const bad = [
      deployment('a', 'n', [{ name: 'c', env: 'nope' }]),
      deployment('b', 'n'),
      { ...deployment('c', 'n'), x: Number.NaN },
    ]
    const e = outcome(() => injectHook(bad, spec()))
    expect(e).toMatchObject({ ok: false, code: 'ERR_INVALID_VALUE', path: '/2/x' })
    expect(e).toEqual(outcome(() => referenceInject(bad, spec())))
    const holes = [deployment('a', 'n', [{ name: 'c', env: 'nope' }]), , deployment('b', 'n')] // eslint-disable-line no-sparse-arrays
    expect(outcome(() => injectHook(holes, spec()))).toEqual(outcome(() => referenceInject(holes, spec())))
  })
})
