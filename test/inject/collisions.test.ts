import { describe, expect, it } from 'vitest'
import { HookError, injectHook, type InjectOptions } from '../../src/index.js'
import { deepFreeze, deployment, envOf, fixtureTls, podSpecOf, spec, TOKEN, beforeSummary } from '../helpers.js'

const https = { apiEndpoint: 'https://krake-api:8443' }
const URL_VALUE = 'http://krake-api:8080/kubernetes/namespaces/secondary/applications/nginx-demo/complete'
const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'prod' }
const withEnv = (env: unknown[]) => deepFreeze([deployment('web', 'prod', [{ name: 'c', env }])])

function expectConflict(fn: () => unknown, path: string, message: RegExp) {
  let caught: unknown
  try {
    fn()
  } catch (e) {
    caught = e
  }
  expect(caught).toBeInstanceOf(HookError)
  expect((caught as HookError).code).toBe('ERR_CONFLICT')
  expect((caught as HookError).path).toBe(path)
  expect((caught as HookError).message).toMatch(message)
}

describe('injectHook: env collisions', () => {
  const user = [
    { name: 'A', value: '1' },
    { name: 'KRAKE_TOKEN', value: 'users-own' },
    { name: 'Z', value: '2' },
  ]

  it("onConflict 'replace' (default) replaces the entry in place with an info result", () => {
    const { manifests, results } = injectHook(withEnv(user), spec())
    expect(podSpecOf(manifests[0]!).containers[0].env).toEqual([
      { name: 'A', value: '1' },
      { name: 'KRAKE_TOKEN', value: TOKEN },
      { name: 'Z', value: '2' },
      { name: 'KRAKE_COMPLETE_URL', value: URL_VALUE },
    ])
    expect(beforeSummary(results)).toEqual([
      {
        severity: 'info',
        message: `env var "KRAKE_TOKEN" of container "c" is already set to something else; replaced it with the hook's`,
        resourceRef: ref,
        field: '/spec/template/spec/containers/0/env/1',
      },
    ])
  })

  it("onConflict 'error' throws ERR_CONFLICT with the entry's path", () => {
    expectConflict(
      () => injectHook(withEnv(user), spec(), { onConflict: 'error' }),
      '/0/spec/template/spec/containers/0/env/1',
      /env var "KRAKE_TOKEN" of container "c"/,
    )
  })

  it("onConflict 'keep' leaves the user's entry and warns", () => {
    const { manifests, results } = injectHook(withEnv(user), spec(), { onConflict: 'keep' })
    const c = podSpecOf(manifests[0]!).containers[0]
    expect(envOf(c, 'KRAKE_TOKEN')).toEqual([{ name: 'KRAKE_TOKEN', value: 'users-own' }])
    expect(envOf(c, 'KRAKE_COMPLETE_URL')).toEqual([{ name: 'KRAKE_COMPLETE_URL', value: URL_VALUE }])
    expect(beforeSummary(results)).toHaveLength(1)
    expect(results[0]).toMatchObject({
      severity: 'warning',
      resourceRef: ref,
      field: '/spec/template/spec/containers/0/env/1',
    })
  })

  it('duplicates of the name are collapsed into one entry on replace', () => {
    const { manifests, results } = injectHook(
      withEnv([
        { name: 'KRAKE_TOKEN', value: 'x' },
        { name: 'B', value: 'b' },
        { name: 'KRAKE_TOKEN', value: 'y' },
      ]),
      spec(),
    )
    expect(podSpecOf(manifests[0]!).containers[0].env).toEqual([
      { name: 'KRAKE_TOKEN', value: TOKEN },
      { name: 'B', value: 'b' },
      { name: 'KRAKE_COMPLETE_URL', value: URL_VALUE },
    ])
    expect(results[0]!.message).toMatch(/\(2 entries clash\)/)
  })

  it('an entry that equals what the hook writes is never a conflict, under every policy', () => {
    for (const onConflict of ['replace', 'error', 'keep'] as const) {
      const env = [
        { name: 'KRAKE_TOKEN', value: TOKEN },
        { name: 'KRAKE_COMPLETE_URL', value: URL_VALUE },
      ]
      const { manifests, results } = injectHook(withEnv(env), spec(), { onConflict })
      expect(podSpecOf(manifests[0]!).containers[0].env).toEqual(env)
      expect(beforeSummary(results)).toEqual([])
    }
  })

  it('a valueFrom entry of the hook name is a conflict too', () => {
    const env = [{ name: 'KRAKE_COMPLETE_URL', valueFrom: { configMapKeyRef: { name: 'x', key: 'y' } } }]
    expectConflict(
      () => injectHook(withEnv(env), spec(), { onConflict: 'error' }),
      '/0/spec/template/spec/containers/0/env/0',
      /KRAKE_COMPLETE_URL/,
    )
  })
})

describe('injectHook: volume and mount collisions', () => {
  const tlsSpec = () => spec({ ...https, tls: fixtureTls() })
  const pod = (volumes: unknown[], volumeMounts: unknown[]) =>
    deepFreeze([deployment('web', 'prod', [{ name: 'c', volumeMounts }])]).map((d) => {
      const copy = structuredClone(d) as any
      copy.spec.template.spec.volumes = volumes
      return deepFreeze(copy)
    })

  it('a volume of the hook name that differs is replaced in place', () => {
    const input = pod(
      [
        { name: 'data', emptyDir: {} },
        { name: 'nginx-demo-krake-volume', emptyDir: {} },
      ],
      [],
    )
    const { manifests, results } = injectHook(input, tlsSpec())
    expect(podSpecOf(manifests[0]!).volumes).toEqual([
      { name: 'data', emptyDir: {} },
      { name: 'nginx-demo-krake-volume', configMap: { name: 'nginx-demo-krake-configmap' } },
    ])
    expect(beforeSummary(results).filter((r) => r.severity === 'info')).toEqual([
      expect.objectContaining({
        field: '/spec/template/spec/volumes/1',
        message: expect.stringMatching(/volume "nginx-demo-krake-volume"/),
      }),
    ])
  })

  it("a volume conflict under 'error' points at the volume", () => {
    const input = pod([{ name: 'nginx-demo-krake-volume', emptyDir: {} }], [])
    expectConflict(
      () => injectHook(input, tlsSpec(), { onConflict: 'error' }),
      '/0/spec/template/spec/volumes/0',
      /volume "nginx-demo-krake-volume"/,
    )
  })

  it('a mount of another volume at certDest is a conflict (Kubernetes refuses two mounts at one path)', () => {
    const input = pod([], [{ name: 'mine', mountPath: '/etc/krake_cert' }])
    expectConflict(
      () => injectHook(input, tlsSpec(), { onConflict: 'error' }),
      '/0/spec/template/spec/containers/0/volumeMounts/0',
      /volumeMount "mine" of container "c" already uses mountPath "\/etc\/krake_cert"/,
    )
    const kept = injectHook(input, tlsSpec(), { onConflict: 'keep' })
    expect(podSpecOf(kept.manifests[0]!).containers[0].volumeMounts).toEqual([
      { name: 'mine', mountPath: '/etc/krake_cert' },
    ])
    expect(
      kept.results.some(
        (r) => r.severity === 'warning' && r.field === '/spec/template/spec/containers/0/volumeMounts/0',
      ),
    ).toBe(true)
    const replaced = injectHook(input, tlsSpec())
    expect(podSpecOf(replaced.manifests[0]!).containers[0].volumeMounts).toEqual([
      { name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_cert', readOnly: true },
    ])
  })
})

describe('injectHook: object collisions', () => {
  const cm = (extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'nginx-demo-krake-configmap', namespace: 'prod' },
    data: { x: 'y' },
    ...extra,
  })
  const tlsSpec = () => spec({ ...https, tls: fixtureTls() })

  it("a foreign ConfigMap of the hook's name is replaced in place with an info result", () => {
    const { manifests, results } = injectHook(deepFreeze([cm(), deployment('web', 'prod')]), tlsSpec())
    expect(manifests).toHaveLength(2)
    expect((manifests[0] as any).data).toHaveProperty(['ca-bundle.pem'])
    expect(beforeSummary(results)).toEqual([
      {
        severity: 'info',
        message: `ConfigMap "nginx-demo-krake-configmap" in namespace "prod" is already in the input and is not the hook's; replaced it with the hook's`,
        resourceRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'nginx-demo-krake-configmap', namespace: 'prod' },
      },
    ])
  })

  it("a foreign ConfigMap under 'error' throws ERR_CONFLICT pointing at it", () => {
    expectConflict(
      () => injectHook(deepFreeze([deployment('web', 'prod'), cm()]), tlsSpec(), { onConflict: 'error' }),
      '/1',
      /ConfigMap "nginx-demo-krake-configmap"/,
    )
  })

  it("a foreign ConfigMap under 'keep' stays and warns", () => {
    const { manifests, results } = injectHook(deepFreeze([deployment('web', 'prod'), cm()]), tlsSpec(), {
      onConflict: 'keep',
    })
    expect(manifests[1]).toEqual(cm())
    expect(manifests).toHaveLength(2)
    expect(beforeSummary(results)).toEqual([expect.objectContaining({ severity: 'warning' })])
  })

  it('a ConfigMap of the same name in another namespace is no conflict', () => {
    const other = { ...cm(), metadata: { name: 'nginx-demo-krake-configmap', namespace: 'elsewhere' } }
    const { manifests, results } = injectHook(deepFreeze([deployment('web', 'prod'), other]), tlsSpec())
    expect(manifests).toHaveLength(3)
    expect(manifests[1]).toEqual(other)
    expect(beforeSummary(results)).toEqual([])
  })

  it("the hook's own ConfigMap from an earlier run is refreshed silently (a new certificate), even under 'error'", () => {
    const first = injectHook(deepFreeze([deployment('web', 'prod')]), tlsSpec())
    const stale = structuredClone(first.manifests) as any[]
    stale[1].data['cert.pem'] = 'an older certificate'
    const again = injectHook(deepFreeze(stale), tlsSpec(), { onConflict: 'error' })
    expect(again.manifests).toEqual(first.manifests)
    expect(beforeSummary(again.results)).toEqual([])
  })

  it("re-injection is idempotent under every policy, 'error' included", () => {
    for (const onConflict of ['replace', 'error', 'keep'] as InjectOptions['onConflict'][]) {
      for (const options of [
        { onConflict },
        { onConflict, tokenFrom: 'secret' as const, certStorage: 'Secret' as const, initContainers: true },
      ]) {
        const once = injectHook(deepFreeze([deployment('web', 'prod')]), tlsSpec(), options)
        const twice = injectHook(deepFreeze(once.manifests), tlsSpec(), options)
        expect(twice.manifests).toEqual(once.manifests)
      }
    }
  })

  it("a user's mount at /etc/krake_cert/ is the same path as the hook's /etc/krake_cert (issue 11)", () => {
    const tls = fixtureTls()
    const input = deepFreeze([
      deployment('web', 'prod', [{ name: 'c', volumeMounts: [{ name: 'mine', mountPath: '/etc/krake_cert/' }] }]),
    ])
    const kept = injectHook(input, spec({ apiEndpoint: 'https://k', tls }), { onConflict: 'keep' })
    expect(podSpecOf(kept.manifests[0]!).containers[0].volumeMounts).toEqual([
      { name: 'mine', mountPath: '/etc/krake_cert/' },
    ])
    expect(beforeSummary(kept.results).map((r) => r.severity)).toEqual(['warning'])
    const replaced = injectHook(input, spec({ apiEndpoint: 'https://k', tls }))
    expect(podSpecOf(replaced.manifests[0]!).containers[0].volumeMounts).toEqual([
      { name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_cert', readOnly: true },
    ])
  })

  it("a trailing slash on certDest is dropped: Krake's default /etc/krake_complete_certs/ mounts at /etc/krake_complete_certs", () => {
    const out = injectHook([deployment('web', 'prod')], spec({ apiEndpoint: 'https://k', tls: fixtureTls() }), {
      certDest: '/etc/krake_complete_certs/',
    })
    expect(podSpecOf(out.manifests[0]!).containers[0].volumeMounts[0].mountPath).toBe('/etc/krake_complete_certs')
  })
})
