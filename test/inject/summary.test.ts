// The summary result that ends every result list (SPEC section 9): what was
// hooked, and what was left alone and why; and the krake-hooks/inject: "false"
// opt-out it counts, honoured by injectHook as by the webhook.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hookPatch, injectHook } from '../../src/index.js'
import { hookArb, numRuns, workloadArb } from '../arbitraries.js'
import { container, deepFreeze, deployment, podSpecOf, spec, SUMMARY, TOKEN } from '../helpers.js'

const summary = (results: ReadonlyArray<{ message: string }>) => results.at(-1)?.message
const optedOut = (where: 'workload' | 'template') => {
  const d = deployment('quiet', 'prod', [container('a')])
  const annotations = { 'krake-hooks/inject': 'false' }
  return where === 'workload'
    ? { ...d, metadata: { ...d.metadata, annotations } }
    : { ...d, spec: { ...d.spec, template: { ...d.spec.template, metadata: { annotations } } } }
}

describe('the summary result', () => {
  it('counts workloads and containers hooked, objects added, and each object left alone with its reason', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} }
    const hooked = injectHook([deployment('done', 'prod')], spec()).manifests[0]!
    const input = deepFreeze([
      deployment('web', 'prod', [container('a'), container('b')]),
      svc,
      optedOut('workload'),
      optedOut('template'),
      hooked,
    ])
    const { results } = injectHook(input, spec({ tls: undefined }))
    expect(results).toEqual([
      {
        severity: 'info',
        message:
          'complete hook: hooked 1 workload (2 containers), added 0 objects; left alone 4 objects: 1 not a workload, 2 opted out, 1 hooked already',
      },
    ])
  })

  it('counts a workload whose clashing entries were kept under onConflict "keep" apart', () => {
    const mine = deployment('mine', 'prod', [container('a', { env: [{ name: 'KRAKE_TOKEN', value: 'mine' }] })])
    const hooked = injectHook([deployment('x', 'prod')], spec()).manifests[0]!
    const mixed = { ...mine, spec: { ...mine.spec, template: { spec: podSpecOf(hooked) } } }
    mixed.spec.template.spec.containers[0].env[0].value = 'not the token'
    const { results } = injectHook([mixed], spec(), { onConflict: 'keep' })
    expect(summary(results)).toBe(
      'complete hook: hooked 0 workloads (0 containers), added 0 objects; left alone 1 object: 0 not a workload, 0 opted out, 0 hooked already, 1 with its own entries kept (onConflict "keep")',
    )
  })

  it('leaves a workload opted out with krake-hooks/inject: "false" exactly as it was, and hookPatch gives no patch for it', () => {
    for (const where of ['workload', 'template'] as const) {
      const input = deepFreeze([optedOut(where)])
      expect(injectHook(input, spec()).manifests).toEqual(input)
      expect(hookPatch(input[0]!, spec()).patch).toEqual([])
    }
    const notFalse = deployment('loud', 'prod')
    const loud = { ...notFalse, metadata: { ...notFalse.metadata, annotations: { 'krake-hooks/inject': 'False' } } }
    expect(JSON.stringify(injectHook([loud], spec()).manifests)).toContain(TOKEN)
  })

  it('property: every result list ends with exactly one summary, whose workload and container counts are those hooked', () => {
    fc.assert(
      fc.property(fc.array(workloadArb, { maxLength: 5 }), hookArb, (workloads, hook) => {
        const { manifests, results } = injectHook(deepFreeze(workloads), hook, { onConflict: 'replace' })
        expect(results.filter((r) => SUMMARY.test(r.message))).toHaveLength(1)
        const last = summary(results)!
        expect(last).toMatch(SUMMARY)
        const [, kind, w, c] = /^(\w+) hook: hooked (\d+) workloads? \((\d+) containers?\)/.exec(last)!
        expect(kind).toBe(hook.kind)
        const changed = manifests
          .slice(0, workloads.length)
          .filter((m, i) => JSON.stringify(m) !== JSON.stringify(workloads[i]))
        expect(Number(w)).toBe(changed.length)
        const containers = changed.reduce((n, m) => n + (podSpecOf(m as object).containers as unknown[]).length, 0)
        expect(Number(c)).toBe(containers)
      }),
      { numRuns },
    )
  })
})
