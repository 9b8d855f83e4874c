// createHookResolver: the decision the webhook command makes per Pod, from
// its label and annotations, run in-process as a controller author would.
import { describe, expect, it } from 'vitest'
import { createHookResolver, decideAdmission, reviewAdmission } from '../../src/index.js'
import { hookErrorOf, spec } from '../helpers.js'
import { applied, podFromReplicaSet, review, UID } from './reviews.js'
import { isReadOnly } from '../../src/admission/read-only.js'

const app = { name: 'report', namespace: 'prod' }
const complete = spec({ app })
const shutdown = spec({ app, kind: 'shutdown', token: 'shutdown-token-0123456789abcdefghijklmnopqrs' })
const other = spec({ app: { name: 'other', namespace: 'team-b' } })
// team-b/other's hook is delivered to Pods in prod too: a binding says so, the annotation alone never does
const resolver = createHookResolver([
  { hook: shutdown },
  { hook: complete },
  { hook: other, boundTo: { namespaces: ['team-b', 'prod'] } },
])
const envNames = (pod: { spec: { containers: Array<{ env: Array<{ name: string }> }> } }) =>
  pod.spec.containers[0]!.env.map((e) => e.name)

describe('createHookResolver(bindings)', () => {
  it('leaves a Pod without the krake-hooks/app label alone', () => {
    expect(decideAdmission(review(podFromReplicaSet()), resolver).outcome).toEqual({
      outcome: 'allowed',
      reason: 'not-selected',
    })
  })

  it("gives a labelled Pod every hook held for its application in the Pod's namespace, complete first", () => {
    const pod = podFromReplicaSet(undefined, { 'krake-hooks/app': 'report' })
    const decided = decideAdmission(review(pod), resolver)
    expect(decided.outcome).toEqual({ outcome: 'patched', kinds: ['complete', 'shutdown'] })
    const patched = applied(pod, decided.review.response!.patch!)
    expect(envNames(patched)).toEqual([
      'KRAKE_TOKEN',
      'KRAKE_COMPLETE_URL',
      'KRAKE_SHUTDOWN_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
    expect(patched.metadata.annotations['krake-hooks/injected']).toBe('complete,shutdown')
  })

  it('picks the kinds of the krake-hooks/hooks annotation, and the Krake namespace of krake-hooks/app-namespace where the binding allows', () => {
    const pod = podFromReplicaSet(undefined, { 'krake-hooks/app': 'report' }, { 'krake-hooks/hooks': ' shutdown ' })
    expect(envNames(applied(pod, reviewAdmission(review(pod), resolver).response!.patch!))).toEqual([
      'KRAKE_SHUTDOWN_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
    const elsewhere = podFromReplicaSet(
      undefined,
      { 'krake-hooks/app': 'other' },
      { 'krake-hooks/app-namespace': 'team-b' },
    )
    const patched = applied(elsewhere, reviewAdmission(review(elsewhere), resolver).response!.patch!)
    expect(patched.spec.containers[0].env[1]).toEqual({
      name: 'KRAKE_COMPLETE_URL',
      value: 'http://krake-api:8080/kubernetes/namespaces/team-b/applications/other/complete',
    })
  })

  it('denies with 400 a Pod that asks for a hook the webhook does not hold, naming the label and the missing hook', () => {
    const cases: Array<[Record<string, string>, Record<string, string>, string]> = [
      [
        { 'krake-hooks/app': 'payroll' },
        {},
        `ERR_HOOK_NOT_CONFIGURED at /metadata/labels/krake-hooks~1app: the Pod's label krake-hooks/app="payroll" asks for a hook of the application prod/payroll, and the webhook holds none`,
      ],
      [
        { 'krake-hooks/app': 'other' },
        { 'krake-hooks/app-namespace': 'team-b', 'krake-hooks/hooks': 'complete,shutdown' },
        `ERR_HOOK_NOT_CONFIGURED at /metadata/labels/krake-hooks~1app: the Pod's label krake-hooks/app="other" asks for the shutdown hook of the application team-b/other, and the webhook holds no such HookConfig`,
      ],
      [
        { 'krake-hooks/app': 'report' },
        { 'krake-hooks/hooks': 'complete,finish' },
        'ERR_INVALID_ANNOTATION at /metadata/annotations/krake-hooks~1hooks: the annotation krake-hooks/hooks must list hook kinds (complete, shutdown), not "finish"',
      ],
      [
        { 'krake-hooks/app': '' },
        {},
        'ERR_HOOK_NOT_CONFIGURED at /metadata/labels/krake-hooks~1app: the label krake-hooks/app must name a Krake application',
      ],
    ]
    for (const [labels, annotations, message] of cases) {
      const decided = decideAdmission(review(podFromReplicaSet(undefined, labels, annotations)), resolver)
      expect(decided.review.response).toEqual({ uid: UID, allowed: false, status: { code: 400, message } })
      expect(decided.outcome).toEqual({ outcome: 'denied', code: 400 })
    }
  })

  it('refuses two bindings for the same application and kind, and a binding without hook.app or hook.kind', () => {
    const twice = hookErrorOf(() => createHookResolver([{ hook: complete }, { hook: complete }]))
    expect([twice.code, twice.path, twice.message]).toEqual([
      'ERR_INVALID_CONFIG',
      '/1',
      'two complete hooks for the application prod/report',
    ])
    const bad = hookErrorOf(() => createHookResolver([{ hook: { kind: 'complete' } } as never]))
    expect([bad.code, bad.path]).toEqual(['ERR_INVALID_CONFIG', '/0'])
    expect(hookErrorOf(() => createHookResolver('x' as never)).code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('is called by reviewAdmission with the request: a Pod with no namespace of its own is in the namespace of the request', () => {
    const pod = podFromReplicaSet(undefined, { 'krake-hooks/app': 'report' })
    const inTeamB = decideAdmission(review(pod, { namespace: 'team-b' }), resolver)
    expect(inTeamB.review.response!.status?.message).toContain('application team-b/report')
  })
})

describe('createHookResolver: a hook is bound to namespaces and service accounts (SPEC section 11)', () => {
  const tenant = spec({
    app: { name: 'report', namespace: 'batch' },
    token: 'batch-report-token-0123456789abcdefghijkl',
  })
  const decide = (
    bindings: Parameters<typeof createHookResolver>[0],
    pod: object,
    over: Record<string, unknown> = {},
  ) => decideAdmission(review(pod, over), createHookResolver(bindings))
  const asking = (annotations: Record<string, string> = { 'krake-hooks/app-namespace': 'batch' }, podSpec = {}) => {
    const pod = podFromReplicaSet(undefined, { 'krake-hooks/app': 'report' }, annotations)
    return { ...pod, spec: { ...pod.spec, ...podSpec } }
  }

  it("denies (403) a Pod of another namespace that names the application's namespace: the annotation grants nothing", () => {
    const decided = decide([{ hook: tenant }], asking(), { namespace: 'evil' })
    expect(decided.outcome).toEqual({ outcome: 'denied', code: 403 })
    const response = decided.review.response!
    expect(response.allowed).toBe(false)
    expect(response.patch).toBeUndefined()
    expect(response.status!.message).toBe(
      'ERR_NOT_BOUND at /metadata/namespace: a Pod in the namespace "evil" with the service account "default" may not receive the hooks of the application batch/report (bound to namespaces batch)',
    )
    expect(JSON.stringify(decided.review)).not.toContain(tenant.token)
  })

  it("gives the hook to a Pod of the application's own namespace, by default", () => {
    expect(decide([{ hook: tenant }], asking(), { namespace: 'batch' }).outcome).toMatchObject({ outcome: 'patched' })
  })

  it('checks the service account: the named ones only, "default" when the Pod names none', () => {
    const bindings = [{ hook: tenant, boundTo: { serviceAccounts: ['reporter'] } }]
    const own = decide(bindings, asking(undefined, { serviceAccountName: 'reporter' }), { namespace: 'batch' })
    expect(own.outcome).toMatchObject({ outcome: 'patched' })
    const other = decide(bindings, asking(undefined, { serviceAccountName: 'builder' }), { namespace: 'batch' })
    expect(other.outcome).toEqual({ outcome: 'denied', code: 403 })
    expect(other.review.response!.status!.message).toContain('the service account "builder"')
    expect(other.review.response!.status!.message).toContain('service accounts reporter')
    const none = decide(bindings, asking(), { namespace: 'batch' })
    expect(none.review.response!.status!.message).toContain('the service account "default"')
  })

  it("denies an object whose own namespace is not the request's", () => {
    const pod = { ...asking(), metadata: { ...asking().metadata, namespace: 'batch' } }
    const decided = decide([{ hook: tenant, boundTo: { namespaces: ['*'] } }], pod, { namespace: 'evil' })
    expect(decided.outcome).toEqual({ outcome: 'denied', code: 403 })
    expect(decided.review.response!.status!.message).toContain('names the namespace "batch" but is created in "evil"')
  })

  it('["*"], written out, allows every namespace', () => {
    const bindings = [{ hook: tenant, boundTo: { namespaces: ['*'] } }]
    expect(decide(bindings, asking(), { namespace: 'anywhere' }).outcome).toMatchObject({ outcome: 'patched' })
  })

  it('refuses a malformed boundTo when the bindings are read, naming the key', () => {
    const cases: Array<[unknown, string]> = [
      [{ namespaces: [] }, '/0/boundTo/namespaces'],
      [{ namespaces: 'batch' }, '/0/boundTo/namespaces'],
      [{ namespaces: [''] }, '/0/boundTo/namespaces'],
      [{ serviceAccounts: [1] }, '/0/boundTo/serviceAccounts'],
      [{ namespace: ['batch'] }, '/0/boundTo/namespace'],
      ['batch', '/0/boundTo'],
    ]
    for (const [boundTo, path] of cases)
      expect(hookErrorOf(() => createHookResolver([{ hook: tenant, boundTo } as never]))).toMatchObject({
        code: 'ERR_INVALID_CONFIG',
        path,
      })
  })

  it('is marked as one that only reads (a review hands it its own view, no copy); a resolver of the caller is not', () => {
    const ours = createHookResolver([{ hook: spec() }])
    expect(isReadOnly(ours)).toBe(true)
    expect(isReadOnly(() => undefined)).toBe(false)
  })
})
