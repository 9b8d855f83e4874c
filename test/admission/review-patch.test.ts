// The review's patch read off what the fast path added (src/inject/added-patch.ts)
// against the diff of the object before and after (src/lib/json-patch.ts's
// diffJson), the way every other review takes: the same answer, byte for byte,
// for arbitrary workloads, metadata, hooks and options; and the common Pod is
// answered the first way, with the patch the API server applies as meant.
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { reviewPatchWay } from '../../src/admission/review.js'
import { decideAdmission, type AdmissionReview, type HookSpec, type InjectOptions } from '../../src/index.js'
import { hookArb, numRuns, optionsArb, workloadArb } from '../arbitraries.js'
import { deepFreeze, fixtureTls, spec } from '../helpers.js'
import { applied, decode, podFromReplicaSet, review } from './reviews.js'

afterEach(() => {
  reviewPatchWay.diffOnly = undefined
  reviewPatchWay.onWay = undefined
})

/** The answer (as JSON) and the way its patch was made, with the patch diffed or not. */
function answer(r: AdmissionReview, hook: HookSpec, options: InjectOptions | undefined, diffOnly: boolean) {
  const ways: string[] = []
  reviewPatchWay.diffOnly = diffOnly
  reviewPatchWay.onWay = (way) => ways.push(way)
  try {
    return { json: JSON.stringify(decideAdmission(r, hook, options).review), ways }
  } finally {
    reviewPatchWay.diffOnly = undefined
    reviewPatchWay.onWay = undefined
  }
}

const ANNOTATION = 'krake-hooks/injected'
/** What the object's annotations may be: absent, not an object, ours already (or another kind's), or others'. */
const annotationsArb = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant('text'),
  fc.constant({}),
  fc.constant({ team: 'a' }),
  fc.constantFrom(
    { [ANNOTATION]: 'complete' },
    { [ANNOTATION]: 'shutdown' },
    { [ANNOTATION]: 'complete,shutdown' },
    { [ANNOTATION]: 'other' },
    { [ANNOTATION]: 7 },
    { a: '1', [ANNOTATION]: '' },
  ),
)

/** A workload as a review may carry it: annotations, metadata before or after the rest, fields left to the request. */
const reviewedArb = fc
  .tuple(
    workloadArb,
    annotationsArb,
    fc.boolean(),
    fc.constantFrom('none', 'apiVersion', 'kind', 'name', 'namespace', 'metadata'),
  )
  .map(([w, annotations, metadataLast, leaveOut]) => {
    const without = (o: object, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key))
    const meta = without({ ...(w.metadata as object), ...(annotations === undefined ? {} : { annotations }) }, leaveOut)
    const object = without(without(w, 'metadata'), leaveOut)
    if (leaveOut === 'metadata') return object
    return metadataLast ? { ...object, metadata: meta } : { metadata: meta, ...object }
  })

describe('the review patch read off the fast path', () => {
  it('property: the same answer, byte for byte, as the diff gives, for arbitrary workloads, hooks and options', () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(reviewedArb, hookArb, fc.option(optionsArb, { nil: undefined }), (object, hook, options) => {
        const r = deepFreeze(review(object))
        const noted = answer(r, hook, options, false)
        const diffed = answer(r, hook, options, true)
        expect(noted.json).toBe(diffed.json)
        expect(diffed.ways).not.toContain('noted')
        for (const way of noted.ways) seen.add(way)
      }),
      { numRuns },
    )
    // both ways came up: the property compared something
    expect([...seen].sort()).toEqual(['diffed', 'noted'])
  })

  it("two hooks in one review are diffed (the second hooks the first one's copy), with the same answer", () => {
    const tls = fixtureTls()
    const resolver = () => [{ hook: spec({ tls }) }, { hook: spec({ kind: 'shutdown', tls }) }]
    const r = review(podFromReplicaSet())
    const ways: string[] = []
    reviewPatchWay.onWay = (way) => ways.push(way)
    const both = decideAdmission(r, resolver).review
    expect(ways).toEqual(['diffed'])
    expect(applied(r.request!.object, both.response!.patch!).metadata.annotations[ANNOTATION]).toBe('complete,shutdown')
  })

  it('the common Pod: noted, the annotation first (metadata comes before spec), and applied as meant', () => {
    const tls = fixtureTls()
    const pod = podFromReplicaSet([
      { name: 'web', image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] },
      { name: 'side', image: 'envoy:1.30' },
    ])
    const r = review(pod)
    const ways: string[] = []
    reviewPatchWay.onWay = (way) => ways.push(way)
    const { review: out, outcome } = decideAdmission(r, spec({ tls }))
    expect(ways).toEqual(['noted'])
    expect(outcome).toEqual({ outcome: 'patched', kinds: ['complete'] })
    const ops = decode(out.response!.patch!)
    expect(ops.map((op) => `${op.op} ${op.path}`)).toEqual([
      'add /metadata/annotations',
      'add /spec/containers/0/env/-',
      'add /spec/containers/0/env/-',
      'add /spec/containers/0/volumeMounts',
      'add /spec/containers/1/env',
      'add /spec/containers/1/volumeMounts',
      'add /spec/volumes',
    ])
    const hooked = applied(pod, out.response!.patch!)
    expect(hooked.metadata.annotations).toEqual({ [ANNOTATION]: 'complete' })
    expect(hooked.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual([
      'A',
      'KRAKE_TOKEN',
      'KRAKE_COMPLETE_URL',
    ])
    expect(hooked.spec.containers[1].volumeMounts).toEqual([
      { name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_cert', readOnly: true },
    ])
    expect(hooked.spec.volumes).toEqual([
      { name: 'nginx-demo-krake-volume', configMap: { name: 'nginx-demo-krake-configmap' } },
    ])
  })

  it("a Deployment with metadata last: the annotation op comes after the pod spec's, as the diff writes it", () => {
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      spec: { template: { spec: { containers: [{ name: 'c' }], volumes: [{ name: 'v', emptyDir: {} }] } } },
      metadata: { name: 'd', namespace: 'prod', annotations: { team: 'a' } },
    }
    const ways: string[] = []
    reviewPatchWay.onWay = (way) => ways.push(way)
    const out = decideAdmission(review(deployment), spec({ tls: fixtureTls() })).review
    expect(ways).toEqual(['noted'])
    expect(decode(out.response!.patch!).map((op) => `${op.op} ${op.path}`)).toEqual([
      'add /spec/template/spec/containers/0/env',
      'add /spec/template/spec/containers/0/volumeMounts',
      'add /spec/template/spec/volumes/-',
      'add /metadata/annotations/krake-hooks~1injected',
    ])
  })
})
