// reviewAdmission on AdmissionReviews shaped as the API server sends them
// (admission.k8s.io/v1), the patch applied with fast-json-patch as the API
// server applies it.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decideAdmission,
  injectHook,
  INJECTED_ANNOTATION,
  reviewAdmission,
  HookError,
  type AdmissionReview,
  type HookBinding,
  type HookResolver,
} from '../../src/index.js'
import { numRuns } from '../arbitraries.js'
import { container, deployment, fixtureTls, spec, TOKEN } from '../helpers.js'
import { applied, decode, podFromReplicaSet, review, UID } from './reviews.js'

/** What injectHook makes of the Pod once it has its name and namespace, with the Pod's own metadata and the annotation. */
function expectedPod(pod: ReturnType<typeof podFromReplicaSet>, bindings: HookBinding[], kinds: string) {
  let manifests: unknown[] = [{ ...pod, metadata: { ...pod.metadata, name: 'web-7d9c6b8f5-', namespace: 'prod' } }]
  for (const b of bindings) manifests = injectHook(manifests, b.hook, b.options).manifests.slice(0, 1)
  const annotations = { ...(pod.metadata as { annotations?: object }).annotations, [INJECTED_ANNOTATION]: kinds }
  return { ...(manifests[0] as object), metadata: { ...pod.metadata, annotations } }
}

describe('reviewAdmission(review, hook, options)', () => {
  it('hooks a Pod that has only generateName, in the namespace of the request; of its metadata only the annotation changes', () => {
    const pod = podFromReplicaSet()
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    const answer = reviewAdmission(review(pod), hook)
    expect(answer.apiVersion).toBe('admission.k8s.io/v1')
    expect(answer.kind).toBe('AdmissionReview')
    expect(answer.request).toBeUndefined()
    const response = answer.response!
    expect(response).toMatchObject({ uid: UID, allowed: true, patchType: 'JSONPatch' })
    expect(response.status).toBeUndefined()
    const ops = decode(response.patch!)
    expect(ops.filter((op) => op.path.startsWith('/metadata'))).toEqual([
      { op: 'add', path: '/metadata/annotations', value: { 'krake-hooks/injected': 'complete' } },
    ])
    expect(applied(pod, response.patch!)).toEqual(expectedPod(pod, [{ hook }], 'complete'))
  })

  it('adds its annotation beside the annotations the Pod has', () => {
    const pod = podFromReplicaSet(undefined, {}, { team: 'a' })
    const response = reviewAdmission(review(pod), spec()).response!
    expect(applied(pod, response.patch!).metadata.annotations).toEqual({
      team: 'a',
      'krake-hooks/injected': 'complete',
    })
  })

  it('hooks a Pod that has no metadata at all, by the name and namespace of the request, adding only the annotation', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', spec: { containers: [container('a')] } }
    const response = reviewAdmission(review(pod, { name: 'solo' }), spec()).response!
    const patched = applied(pod, response.patch!)
    expect(patched.metadata).toEqual({ annotations: { 'krake-hooks/injected': 'complete' } })
    const named = { ...pod, metadata: { name: 'solo', namespace: 'prod' } }
    expect(patched.spec).toEqual((injectHook([named], spec()).manifests[0] as typeof named).spec)
  })

  it('never patches an UPDATE, DELETE or CONNECT: a Pod must stay updatable and deletable', () => {
    const d = deployment('web', 'prod', [container('a'), container('b')])
    const pod = podFromReplicaSet()
    for (const over of [
      { operation: 'UPDATE', oldObject: d },
      { operation: 'DELETE', object: null, oldObject: d },
      { operation: 'CONNECT' },
      { operation: undefined },
    ]) {
      const decided = decideAdmission(review(d, over), spec())
      expect(decided.review.response, JSON.stringify(over.operation)).toEqual({ uid: UID, allowed: true })
      expect(decided.outcome).toEqual({ outcome: 'allowed', reason: 'operation' })
    }
    expect(reviewAdmission(review(pod, { operation: 'UPDATE', oldObject: pod }), spec()).response).toEqual({
      uid: UID,
      allowed: true,
    })
  })

  it('never patches a subresource: status, ephemeralcontainers, binding, eviction', () => {
    const pod = podFromReplicaSet()
    for (const [operation, subResource] of [
      ['UPDATE', 'status'],
      ['UPDATE', 'ephemeralcontainers'],
      ['CREATE', 'binding'],
      ['CREATE', 'eviction'],
    ]) {
      const decided = decideAdmission(review(pod, { operation, subResource, oldObject: pod }), spec())
      expect(decided.review.response, subResource).toEqual({ uid: UID, allowed: true })
      expect(decided.outcome).toEqual(
        operation === 'CREATE'
          ? { outcome: 'allowed', reason: 'subresource' }
          : { outcome: 'allowed', reason: 'operation' },
      )
    }
  })

  it('answers a dryRun request exactly as the same request without it', () => {
    const pod = podFromReplicaSet()
    expect(reviewAdmission(review(pod, { dryRun: true }), spec())).toEqual(reviewAdmission(review(pod), spec()))
  })

  it('allows a request without an object, and a Pod annotated krake-hooks/inject: "false", with no patch', () => {
    expect(decideAdmission(review(null), spec())).toEqual({
      review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: UID, allowed: true } },
      outcome: { outcome: 'allowed', reason: 'no-object' },
    })
    const out = podFromReplicaSet(undefined, {}, { 'krake-hooks/inject': 'false' })
    expect(decideAdmission(review(out), spec()).outcome).toEqual({ outcome: 'allowed', reason: 'opted-out' })
    expect(reviewAdmission(review(out), spec()).response).toEqual({ uid: UID, allowed: true })
    // any other value is not an opt-out
    const other = podFromReplicaSet(undefined, {}, { 'krake-hooks/inject': 'true' })
    expect(reviewAdmission(review(other), spec()).response!.patch).toBeDefined()
  })

  it('reinvoked on its own output (reinvocationPolicy: IfNeeded), allows with no patch', () => {
    const pod = podFromReplicaSet()
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    const once = applied(pod, reviewAdmission(review(pod), hook).response!.patch!)
    const again = decideAdmission(review(once), hook)
    expect(again.review.response).toEqual({ uid: UID, allowed: true })
    expect(again.outcome).toEqual({ outcome: 'allowed', reason: 'unchanged' })
  })

  it('hooks the container another webhook added after the first call, on reinvocation', () => {
    const pod = podFromReplicaSet()
    const once = applied(pod, reviewAdmission(review(pod), spec()).response!.patch!)
    once.spec.containers.push(container('istio-proxy'))
    const twice = applied(once, reviewAdmission(review(once), spec()).response!.patch!)
    expect(twice.spec.containers[1].env).toEqual(twice.spec.containers[0].env)
    expect(twice.metadata.annotations).toEqual({ 'krake-hooks/injected': 'complete' })
  })

  it('annotates a workload that was hooked already before admission, and allows a Service with no patch', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'prod' },
      spec: { ports: [{ port: 80 }] },
    }
    expect(decideAdmission(review(svc), spec()).outcome).toEqual({ outcome: 'allowed', reason: 'unchanged' })
    const hooked = injectHook([deployment('web', 'prod')], spec()).manifests[0]
    expect(decode(reviewAdmission(review(hooked), spec()).response!.patch!)).toEqual([
      { op: 'add', path: '/metadata/annotations', value: { 'krake-hooks/injected': 'complete' } },
    ])
  })

  it('refuses a malformed Pod with allowed: false, code 400 and the place of the fault, never the token', () => {
    const decided = decideAdmission(review(podFromReplicaSet({ name: 'not-a-list' })), spec())
    expect(decided.review.response).toEqual({
      uid: UID,
      allowed: false,
      status: {
        code: 400,
        message: 'ERR_INVALID_WORKLOAD at /spec/containers: spec.containers must be a non-empty array of containers',
      },
    })
    expect(decided.outcome).toEqual({ outcome: 'denied', code: 400 })
  })

  it('refuses a conflict under onConflict "error" with code 409', () => {
    const pod = podFromReplicaSet([{ name: 'a', env: [{ name: 'KRAKE_TOKEN', value: 'mine' }] }])
    const response = reviewAdmission(review(pod), spec(), { onConflict: 'error' }).response!
    expect(response.allowed).toBe(false)
    expect(response.status?.code).toBe(409)
    expect(response.status?.message).toMatch(
      /^ERR_CONFLICT at \/spec\/containers\/0\/env\/0: env var "KRAKE_TOKEN" of container "a" is already set to something else/,
    )
  })

  it("passes the hook's warnings on as the response's warnings, and keeps info results to itself", () => {
    const pod = podFromReplicaSet([{ name: 'a', env: [{ name: 'KRAKE_TOKEN', value: 'mine' }] }])
    expect(reviewAdmission(review(pod), spec(), { onConflict: 'keep' }).response!.warnings).toEqual([
      'env var "KRAKE_TOKEN" of container "a" is already set to something else; kept it (onConflict "keep"), the hook may not work',
    ])
    expect(reviewAdmission(review(pod), spec()).response!.warnings).toBeUndefined()
    // the API server truncates warnings past 256 characters; we cut them there ourselves, visibly
    const long = podFromReplicaSet([{ name: 'c'.repeat(300), env: [{ name: 'KRAKE_TOKEN', value: 'mine' }] }])
    const [warning] = reviewAdmission(review(long), spec(), { onConflict: 'keep' }).response!.warnings!
    expect(warning).toHaveLength(256)
    expect(warning!.endsWith('...')).toBe(true)
  })

  it('answers an empty or malformed review with allowed: false and code 400', () => {
    const malformed = {
      uid: '',
      allowed: false,
      status: { code: 400, message: 'malformed AdmissionReview: request.uid is missing' },
    }
    expect(reviewAdmission({} as AdmissionReview, spec()).response).toEqual(malformed)
    expect(reviewAdmission(null as unknown as AdmissionReview, spec()).response).toEqual(malformed)
    expect(
      reviewAdmission(
        {
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          request: { uid: 7 },
        } as unknown as AdmissionReview,
        spec(),
      ).response,
    ).toEqual(malformed)
    const notObject = reviewAdmission(review('a string'), spec()).response
    expect(notObject).toEqual({
      uid: UID,
      allowed: false,
      status: { code: 400, message: 'malformed object: request.object must be a Kubernetes object' },
    })
  })

  it('never throws on a revoked Proxy as the review, a throwing getter on request, or a Proxy as the request', () => {
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const unreadable = {
      uid: '',
      allowed: false,
      status: { code: 400, message: 'malformed AdmissionReview: the review could not be read' },
    }
    expect(reviewAdmission(proxy as AdmissionReview, spec()).response).toEqual(unreadable)
    const getter = {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      get request(): never {
        throw new Error(TOKEN)
      },
    }
    expect(reviewAdmission(getter, spec()).response).toEqual(unreadable)
    const request = review(podFromReplicaSet()).request!
    const trap = new Proxy(request, {
      get: (target, key) => {
        if (key === 'operation') throw new Error(TOKEN)
        return Reflect.get(target, key)
      },
    })
    const answer = reviewAdmission(
      { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: trap },
      spec(),
    )
    expect(answer.response).toEqual({ ...unreadable, uid: UID })
  })

  it('answers a broken hook configuration with code 500, naming the field but not its value', () => {
    const decided = decideAdmission(review(podFromReplicaSet()), spec({ apiEndpoint: `https://user:${TOKEN}@krake` }))
    expect(decided.review.response).toEqual({
      uid: UID,
      allowed: false,
      status: {
        code: 500,
        message: "the webhook's hook configuration is invalid (ERR_INVALID_ENDPOINT at /apiEndpoint)",
      },
    })
    expect(decided.outcome).toEqual({ outcome: 'error', code: 500 })
  })

  it('property: never throws, always answers one AdmissionReview with a boolean allowed, and never carries the token', () => {
    const objectish = fc.oneof(
      fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withDate: true, withBigInt: true }),
      fc.constant(podFromReplicaSet()),
    )
    const resolver: HookResolver = () => [{ hook: spec() }]
    fc.assert(
      fc.property(
        objectish,
        fc.constantFrom('CREATE', 'UPDATE', 'DELETE', undefined, 3),
        fc.constantFrom(undefined, '', 'status'),
        fc.boolean(),
        fc.boolean(),
        (object, operation, subResource, wrap, byResolver) => {
          const input = wrap ? review(object, { operation, subResource }) : (object as AdmissionReview)
          const answer = reviewAdmission(input, byResolver ? resolver : spec())
          expect(answer.kind).toBe('AdmissionReview')
          expect(typeof answer.response!.allowed).toBe('boolean')
          const text = JSON.stringify(answer.response)
          expect(text.includes(TOKEN)).toBe(false)
          if (answer.response!.patch !== undefined) {
            expect(operation).toBe('CREATE')
            expect(subResource ?? '').toBe('')
            expect(Buffer.from(answer.response!.patch, 'base64').toString()).toContain(TOKEN)
          }
        },
      ),
      { numRuns },
    )
  })
})

describe('reviewAdmission(review, resolver)', () => {
  const complete = spec({ kind: 'complete' })
  const shutdown = spec({ kind: 'shutdown', token: 'shutdown-token-0123456789abcdefghijklmnopqrs' })

  it('applies several bindings complete before shutdown, whatever their order, and names both in the annotation', () => {
    const pod = podFromReplicaSet()
    const decided = decideAdmission(review(pod), () => [{ hook: shutdown }, { hook: complete }])
    expect(decided.outcome).toEqual({ outcome: 'patched', kinds: ['complete', 'shutdown'] })
    const patched = applied(pod, decided.review.response!.patch!)
    expect(patched).toEqual(expectedPod(pod, [{ hook: complete }, { hook: shutdown }], 'complete,shutdown'))
    expect(patched.spec.containers[0].env.map((e: { name: string }) => e.name)).toEqual([
      'KRAKE_TOKEN',
      'KRAKE_COMPLETE_URL',
      'KRAKE_SHUTDOWN_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
  })

  it('passes each binding its own options', () => {
    const pod = podFromReplicaSet()
    const bindings = [{ hook: complete, options: { env: { token: 'MY_TOKEN' } } }]
    const patched = applied(pod, reviewAdmission(review(pod), () => bindings).response!.patch!)
    expect(patched.spec.containers[0].env[0]).toEqual({ name: 'MY_TOKEN', value: TOKEN })
  })

  it('reads the object as JSON on both sides of the patch: a Date of a client-node model is no change', () => {
    // as @kubernetes/client-node's V1Pod holds it: creationTimestamp a Date, which JSON writes as a string
    const model = {
      ...podFromReplicaSet(),
      metadata: { ...podFromReplicaSet().metadata, creationTimestamp: new Date(0) },
    }
    for (const hook of [spec(), () => ({ hook: spec() })]) {
      const answer = reviewAdmission(review(model), hook)
      const ops = decode(answer.response!.patch!)
      expect(ops.filter((op) => op.path.startsWith('/metadata/creationTimestamp'))).toEqual([])
      expect(applied(JSON.parse(JSON.stringify(model)), answer.response!.patch!).metadata.creationTimestamp).toBe(
        '1970-01-01T00:00:00.000Z',
      )
    }
  })

  it('gives the resolver a copy of the object with its name and namespace filled in, and the request', () => {
    const pod = podFromReplicaSet()
    const seen: unknown[] = []
    const answer = reviewAdmission(review(pod), (object, request) => {
      seen.push(object.metadata?.name, object.metadata?.namespace, request.uid)
      object.spec = 'changed by the resolver'
      return { hook: complete }
    })
    expect(seen).toEqual(['web-7d9c6b8f5-', 'prod', UID])
    expect(applied(pod, answer.response!.patch!)).toEqual(expectedPod(pod, [{ hook: complete }], 'complete'))
  })

  it('allows an object the resolver does not pick (undefined or []) with no patch', () => {
    for (const resolver of [() => undefined, () => []]) {
      const decided = decideAdmission(review(podFromReplicaSet()), resolver)
      expect(decided.review.response).toEqual({ uid: UID, allowed: true })
      expect(decided.outcome).toEqual({ outcome: 'allowed', reason: 'not-selected' })
    }
  })

  it('denies with 500 when the resolver throws, saying nothing of what it threw', () => {
    const decided = decideAdmission(review(podFromReplicaSet()), () => {
      throw new Error(`secret ${TOKEN}`)
    })
    expect(decided.review.response).toEqual({
      uid: UID,
      allowed: false,
      status: { code: 500, message: 'the hook resolver failed' },
    })
    expect(decided.outcome).toEqual({ outcome: 'error', code: 500 })
    const coded = reviewAdmission(review(podFromReplicaSet()), () => {
      throw new HookError('ERR_INVALID_CONFIG', TOKEN, { path: '/spec/token' })
    })
    expect(coded.response!.status).toEqual({ code: 500, message: 'the hook resolver failed (ERR_INVALID_CONFIG)' })
  })

  it("denies with 400 when the resolver's HookError points into the object: the object's fault", () => {
    const response = reviewAdmission(review(podFromReplicaSet()), () => {
      throw new HookError('ERR_HOOK_NOT_CONFIGURED', 'no such hook', { path: '/metadata/labels/krake-hooks~1app' })
    }).response!
    expect(response).toEqual({
      uid: UID,
      allowed: false,
      status: { code: 400, message: 'ERR_HOOK_NOT_CONFIGURED at /metadata/labels/krake-hooks~1app: no such hook' },
    })
  })

  it('denies with 500 an invalid binding, naming where and never a value', () => {
    const cases: Array<[unknown, string]> = [
      ['a string', 'the hook resolver returned an invalid binding at /: a binding is { hook, options? }'],
      // shaped like reviewAdmission's own answer: still a binding to check, never taken for a decision
      [
        { review: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, outcome: { outcome: 'patched' } },
        'the hook resolver returned an invalid binding at /: a binding is { hook, options? }',
      ],
      [[{ hook: complete }, 7], 'the hook resolver returned an invalid binding at /1: a binding is { hook, options? }'],
      [
        [{ hook: { ...complete, apiEndpoint: `https://u:${TOKEN}@krake` } }],
        "the webhook's hook configuration is invalid (ERR_INVALID_ENDPOINT at /0/apiEndpoint)",
      ],
      [
        { hook: complete, options: { certDest: 7 } },
        "the webhook's hook configuration is invalid (ERR_INVALID_OPTION at /certDest)",
      ],
      [[{ hook: complete }, { hook: complete }], 'the hook resolver returned two bindings of the complete hook'],
    ]
    for (const [bound, message] of cases) {
      const resolver = (() => bound) as unknown as HookResolver // deliberately wrong returns
      const response = reviewAdmission(review(podFromReplicaSet()), resolver).response!
      expect(response.status, message).toEqual({ code: 500, message })
      expect(JSON.stringify(response).includes(TOKEN)).toBe(false)
    }
  })
})
