// Type tests: checked by `tsc` in `npm test` (an expectTypeOf whose types do
// not match fails to compile); at run time they only name the cases.
import type { V1Deployment } from '@kubernetes/client-node'
import type { Deployment } from 'kubernetes-types/apps/v1.js'
import type { Pod } from 'kubernetes-types/core/v1.js'
import { describe, expectTypeOf, it } from 'vitest'
import {
  hookPatch,
  injectHook,
  parseManifests,
  reviewAdmission,
  type AdmissionReview,
  type HookPatch,
  type InjectResult,
  type JsonOf,
  type KubernetesObject,
  type Manifest,
} from '../src/index.js'

type Out<T> = ReturnType<typeof injectHook<T>>['manifests'][number]

describe('types', () => {
  it('injectHook takes V1Deployment[] from @kubernetes/client-node without a cast, and its output reads kind and metadata.name', () => {
    expectTypeOf(injectHook<V1Deployment>)
      .parameter(0)
      .toEqualTypeOf<readonly V1Deployment[]>()
    expectTypeOf<Out<V1Deployment>>().toEqualTypeOf<Manifest<V1Deployment>>()
    expectTypeOf<Out<V1Deployment>['kind']>().toEqualTypeOf<string>()
    expectTypeOf<NonNullable<Out<V1Deployment>['metadata']>['name']>().toEqualTypeOf<string | undefined>()
    // inference from an argument, no type argument written
    expectTypeOf((models: V1Deployment[]) => injectHook(models, {} as never).manifests).returns.toEqualTypeOf<
      Array<Manifest<V1Deployment>>
    >()
  })

  it('JsonOf<V1Deployment> has its Dates as strings, as JSON.stringify writes them', () => {
    expectTypeOf<NonNullable<JsonOf<V1Deployment>['metadata']>['creationTimestamp']>().toEqualTypeOf<
      string | undefined
    >()
    expectTypeOf<JsonOf<{ when: Date; f: () => void; n: number }>>().toEqualTypeOf<{
      when: string
      f: never
      n: number
    }>()
    expectTypeOf<JsonOf<readonly Date[]>>().toEqualTypeOf<string[]>()
  })

  it('injectHook takes objects typed with kubernetes-types (readonly fields) without a cast', () => {
    expectTypeOf(
      (d: readonly Deployment[]) => injectHook(d, {} as never).manifests[0]!.kind,
    ).returns.toEqualTypeOf<string>()
    expectTypeOf((p: Pod[]) => injectHook(p, {} as never).manifests[0]!.metadata?.namespace).returns.toEqualTypeOf<
      string | undefined
    >()
  })

  it('unknown[] and the output of parseManifests give KubernetesObject manifests', () => {
    expectTypeOf((m: unknown[]) => injectHook(m, {} as never)).returns.toEqualTypeOf<InjectResult>()
    expectTypeOf((text: string) => injectHook(parseManifests(text), {} as never).manifests).returns.toEqualTypeOf<
      KubernetesObject[]
    >()
  })

  it('the output is still an object[] (SPEC), and a literal input keeps kind readable', () => {
    type Literal = { apiVersion: string; kind: string; metadata: { name: string } } // as `const x = { ... }` infers it
    expectTypeOf<Out<Literal>[]>().toExtend<object[]>()
    expectTypeOf<Out<Literal>['kind']>().toEqualTypeOf<string>()
  })

  it('hookPatch takes a client-node model; reviewAdmission gives an AdmissionReview', () => {
    expectTypeOf(hookPatch).parameter(0).toExtend<object>()
    expectTypeOf((m: V1Deployment) => hookPatch(m, {} as never)).returns.toEqualTypeOf<HookPatch>()
    expectTypeOf(reviewAdmission).returns.toEqualTypeOf<AdmissionReview>()
  })
})
