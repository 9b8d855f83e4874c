// hookPatch: the hook as RFC 6902 operations, checked by applying them with a
// JSON Patch library that users hold (fast-json-patch), against injectHook.
import fc from 'fast-check'
import jsonpatch from 'fast-json-patch'
import { describe, expect, it } from 'vitest'
import { hookPatch, injectHook, type JsonPatchOperation } from '../../src/index.js'
import { hookArb, numRuns, objectArb, optionsArb } from '../arbitraries.js'
import {
  container,
  deepFreeze,
  deployment,
  fixtureTls,
  hookErrorOf,
  snapshot,
  spec,
  beforeSummary,
} from '../helpers.js'

/** Applies `patch` with fast-json-patch, validating every operation, to a copy of `doc`. */
function apply(doc: unknown, patch: JsonPatchOperation[]): unknown {
  return jsonpatch.applyPatch(structuredClone(doc), patch as jsonpatch.Operation[], true, false).newDocument
}

/** What injectHook says for the one manifest, or its error. */
function viaInject(
  manifest: object,
  hook: Parameters<typeof injectHook>[1],
  options?: Parameters<typeof injectHook>[2],
) {
  try {
    const { manifests, results } = injectHook([manifest], hook, options)
    return { ok: true as const, hooked: manifests[0], objects: manifests.slice(1), results }
  } catch (e) {
    return { ok: false as const, error: e }
  }
}

describe('hookPatch(manifest, hook, options)', () => {
  it('hookPatch(deployment) adds env and, with TLS, a volume and a mount: applied, it gives injectHook([deployment])[0]', () => {
    const d = deployment('web', 'prod', [container('a'), container('b', { env: [{ name: 'X', value: '1' }] })])
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    const { patch, objects, results } = hookPatch(d, hook)
    const { manifests } = injectHook([d], hook)
    expect(apply(d, patch)).toEqual(manifests[0])
    // key order too: the YAML a controller writes from either is the same
    expect(JSON.stringify(apply(d, patch))).toBe(JSON.stringify(manifests[0]))
    expect(objects).toEqual(manifests.slice(1))
    expect(objects.map((o) => [o.kind, o.metadata?.name])).toEqual([['ConfigMap', 'nginx-demo-krake-configmap']])
    expect(beforeSummary(results)).toEqual([])
    expect(patch.map((op) => [op.op, op.path])).toEqual([
      ['add', '/spec/template/spec/containers/0/env'],
      ['add', '/spec/template/spec/containers/0/volumeMounts'],
      ['add', '/spec/template/spec/containers/1/env/-'],
      ['add', '/spec/template/spec/containers/1/env/-'],
      ['add', '/spec/template/spec/containers/1/volumeMounts'],
      ['add', '/spec/template/spec/volumes'],
    ])
  })

  it('hookPatch of an object that is hooked already is [] (and still names the objects it needs)', () => {
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    const [hooked] = injectHook([deployment('web', 'prod')], hook).manifests
    const again = hookPatch(hooked!, hook)
    expect(again.patch).toEqual([])
    expect(again.objects.map((o) => o.kind)).toEqual(['ConfigMap'])
  })

  it('hookPatch of a Service is [] with no objects', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }
    expect(hookPatch(svc, spec())).toEqual({
      patch: [],
      objects: [],
      results: [
        {
          severity: 'info',
          message:
            'complete hook: hooked 0 workloads (0 containers), added 0 objects; left alone 1 object: 1 not a workload, 0 opted out, 0 hooked already',
        },
      ],
    })
  })

  it("hookPatch replaces a clashing entry in place and removes its duplicates from the end, as injectHook does under 'replace'", () => {
    const env = [
      { name: 'KRAKE_TOKEN', value: 'old' },
      { name: 'A', value: 'a' },
      { name: 'KRAKE_TOKEN', value: 'older' },
    ]
    const d = deployment('web', 'prod', [container('a', { env })])
    const { patch, results } = hookPatch(d, spec())
    expect(apply(d, patch)).toEqual(injectHook([d], spec()).manifests[0])
    expect(patch).toContainEqual({
      op: 'replace',
      path: '/spec/template/spec/containers/0/env/0/value',
      value: spec().token,
    })
    expect(beforeSummary(results).map((r) => [r.severity, r.field])).toEqual([
      ['info', '/spec/template/spec/containers/0/env/0'],
    ])
  })

  it('hookPatch escapes ~ and / in paths (RFC 6901)', () => {
    const d = deployment('web', 'prod') as Record<string, any>
    d.spec.template.metadata.annotations = { 'a/b~c': 'x' }
    d.spec.template.spec.containers[0].env = [{ name: 'KRAKE_TOKEN', value: 'old' }]
    const { patch } = hookPatch(d, spec())
    expect(apply(d, patch)).toEqual(injectHook([d], spec()).manifests[0])
  })

  it('hookPatch errors carry paths relative to the manifest; hook errors keep theirs', () => {
    const bad = deployment('web', 'prod', [{ name: 'a', env: { X: '1' } }])
    const err = hookErrorOf(() => hookPatch(bad, spec()))
    expect([err.code, err.path, err.message]).toEqual([
      'ERR_INVALID_ENV',
      '/spec/template/spec/containers/0/env',
      'spec.template.spec.containers[0].env must be an array',
    ])
    const valueErr = hookErrorOf(() => hookPatch({ ...deployment('web', 'prod'), n: Number.NaN }, spec()))
    expect([valueErr.code, valueErr.path]).toEqual(['ERR_INVALID_VALUE', '/n'])
    // @ts-expect-error a manifest must be an object
    expect(hookErrorOf(() => hookPatch('web', spec())).code).toBe('ERR_INVALID_MANIFEST')
    expect(hookErrorOf(() => hookPatch(deployment('web', 'prod'), spec({ token: '' }))).path).toBe('/token')
    const conflict = hookErrorOf(() =>
      hookPatch(deployment('web', 'prod', [container('a', { env: [{ name: 'KRAKE_TOKEN', value: 'x' }] })]), spec(), {
        onConflict: 'error',
      }),
    )
    expect([conflict.code, conflict.path]).toEqual(['ERR_CONFLICT', '/spec/template/spec/containers/0/env/0'])
  })

  it('property: for any manifest, hook and options, hookPatch applied with fast-json-patch gives injectHook([manifest]), and both fail alike', () => {
    fc.assert(
      fc.property(
        objectArb,
        hookArb,
        fc.option(optionsArb, { nil: undefined }),
        fc.constantFrom('replace' as const, 'keep' as const, 'error' as const),
        (manifest, hook, options, onConflict) => {
          const opts = { ...options, onConflict }
          const frozen = deepFreeze(manifest)
          const before = snapshot(frozen)
          const expected = viaInject(frozen, hook, opts)
          let got
          try {
            got = hookPatch(frozen, hook, opts)
          } catch (e) {
            expect(expected.ok).toBe(false)
            if (!expected.ok) {
              const [a, b] = [e as { code: string; path: string }, expected.error as { code: string; path: string }]
              expect(a.code).toBe(b.code)
              expect('/0' + a.path).toBe(b.path)
            }
            return
          }
          expect(expected.ok).toBe(true)
          if (!expected.ok) return
          expect(apply(frozen, got.patch)).toEqual(expected.hooked)
          expect(got.objects).toEqual(expected.objects)
          expect(got.results.map((r) => r.message)).toEqual(expected.results.map((r) => r.message))
          expect(snapshot(frozen)).toBe(before)
          // a second patch on the patched object is empty: injection is idempotent
          if (onConflict !== 'keep' || expected.results.length === 0)
            expect(hookPatch(apply(frozen, got.patch) as object, hook, opts).patch).toEqual([])
        },
      ),
      { numRuns },
    )
  })
})
