// reviewAdmission on AdmissionReviews shaped as the API server sends them
// (admission.k8s.io/v1), the patch applied with fast-json-patch as the API
// server applies it.
import fc from 'fast-check'
import jsonpatch from 'fast-json-patch'
import { describe, expect, it } from 'vitest'
import { injectHook, reviewAdmission, type AdmissionReview } from '../../src/index.js'
import { numRuns } from '../arbitraries.js'
import { container, deployment, fixtureTls, spec, TOKEN } from '../helpers.js'

const UID = '705ab4f5-6393-11e8-b7cc-42010a800002'

/** A Pod as a ReplicaSet controller creates it: generateName, no name; namespace only in the request. */
function podFromReplicaSet(containers: unknown = [{ name: 'nginx', image: 'nginx:1.27', resources: {} }]) {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: 'web-7d9c6b8f5-',
      creationTimestamp: null,
      labels: { app: 'web', 'pod-template-hash': '7d9c6b8f5' },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d9c6b8f5',
          uid: 'b1c2',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { containers, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
    status: {},
  }
}

function review(object: unknown, over: Record<string, unknown> = {}): AdmissionReview {
  const o = (typeof object === 'object' && object !== null ? object : {}) as { kind?: unknown; apiVersion?: unknown }
  const kind = typeof o.kind === 'string' ? o.kind : 'Pod'
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : 'v1'
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion]
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: UID,
      kind: { group: group!, version: version!, kind },
      resource: { group: group!, version: version!, resource: `${kind.toLowerCase()}s` },
      requestKind: { group, version, kind },
      namespace: 'prod',
      operation: 'CREATE',
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        groups: ['system:serviceaccounts'],
      },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
      ...over,
    },
  }
}

const decode = (patch: string) => JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as jsonpatch.Operation[]
const applied = (object: unknown, patch: string) =>
  jsonpatch.applyPatch(structuredClone(object), decode(patch), true, false).newDocument

describe('reviewAdmission(review, hook, options)', () => {
  it('hooks a Pod that has only generateName, in the namespace of the request, without touching its metadata', () => {
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
    expect(ops.every((op) => !op.path.startsWith('/metadata'))).toBe(true)
    // what injectHook makes of the same Pod, once it has its name and namespace
    const named = { ...pod, metadata: { ...pod.metadata, name: 'web-7d9c6b8f5-', namespace: 'prod' } }
    const expected = injectHook([named], hook).manifests[0]!
    expect(applied(pod, response.patch!)).toEqual({ ...expected, metadata: pod.metadata })
  })

  it('hooks a Deployment on UPDATE', () => {
    const d = deployment('web', 'prod', [container('a'), container('b')])
    const answer = reviewAdmission(review(d, { operation: 'UPDATE', oldObject: d }), spec())
    expect(answer.response).toMatchObject({ uid: UID, allowed: true, patchType: 'JSONPatch' })
    expect(applied(d, answer.response!.patch!)).toEqual(injectHook([d], spec()).manifests[0])
  })

  it('allows a Service with no patch, and a Pod that is hooked already with no patch', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'prod' },
      spec: { ports: [{ port: 80 }] },
    }
    expect(reviewAdmission(review(svc), spec()).response).toEqual({ uid: UID, allowed: true })
    const hooked = injectHook([deployment('web', 'prod')], spec()).manifests[0]
    expect(reviewAdmission(review(hooked), spec()).response).toEqual({ uid: UID, allowed: true })
  })

  it('allows DELETE and CONNECT, and a request without an object, with no patch', () => {
    const pod = podFromReplicaSet()
    expect(
      reviewAdmission(review(pod, { operation: 'DELETE', object: null, oldObject: pod }), spec()).response,
    ).toEqual({ uid: UID, allowed: true })
    expect(reviewAdmission(review(pod, { operation: 'CONNECT' }), spec()).response).toEqual({ uid: UID, allowed: true })
  })

  it('refuses a malformed Pod with allowed: false, code 400 and the place of the fault, never the token', () => {
    const answer = reviewAdmission(review(podFromReplicaSet({ name: 'not-a-list' })), spec())
    expect(answer.response).toEqual({
      uid: UID,
      allowed: false,
      status: {
        code: 400,
        message: 'ERR_INVALID_WORKLOAD at /spec/containers: spec.containers must be a non-empty array of containers',
      },
    })
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

  it('answers a broken hook configuration with code 500, naming the field but not its value', () => {
    const response = reviewAdmission(
      review(podFromReplicaSet()),
      spec({ apiEndpoint: `https://user:${TOKEN}@krake` }),
    ).response!
    expect(response).toEqual({
      uid: UID,
      allowed: false,
      status: {
        code: 500,
        message: "the webhook's hook configuration is invalid (ERR_INVALID_ENDPOINT at /apiEndpoint)",
      },
    })
  })

  it('property: never throws, always answers one AdmissionReview with a boolean allowed, and never carries the token', () => {
    const objectish = fc.oneof(
      fc.anything({ withNullPrototype: true, withBoxedValues: true, withMap: true, withDate: true, withBigInt: true }),
      fc.constant(podFromReplicaSet()),
    )
    fc.assert(
      fc.property(
        objectish,
        fc.constantFrom('CREATE', 'UPDATE', 'DELETE', undefined, 3),
        fc.boolean(),
        (object, operation, wrap) => {
          const input = wrap ? review(object, { operation }) : (object as AdmissionReview)
          const answer = reviewAdmission(input, spec())
          expect(answer.kind).toBe('AdmissionReview')
          expect(typeof answer.response!.allowed).toBe('boolean')
          const text = JSON.stringify(answer.response)
          expect(text.includes(TOKEN)).toBe(false)
          if (answer.response!.allowed && answer.response!.patch)
            expect(Buffer.from(answer.response!.patch, 'base64').toString()).toContain(TOKEN)
        },
      ),
      { numRuns },
    )
  })
})
