// The fast path (src/inject/walk.ts) against the oracle (reference.ts): the
// same manifests, byte for byte in key order, the same results, the same
// errors, for arbitrary manifests, hooks and options (issue 12).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HookError, injectHook } from '../../src/index.js'
import { hookArb, manifestsArb, numRuns, objectArb, optionsArb } from '../arbitraries.js'
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
