import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  mangleApplication,
  parseKrakeHooksConfig,
  readKrakeTlsFiles,
  stringifyManifests,
  type KrakeApplication,
  type KrakeHooksContext,
} from '../../src/index.js'
import { beforeSummary, deepFreeze, deployment, envOf, podSpecOf, hookErrorOfAsync } from '../helpers.js'
import { makePki, opensslVerify, type Pki } from '../pki.js'

type Obj = Record<string, any>
// The 2020 layout (the seed's Krake); the current one is tested in mangle-current.test.ts
/** A 2020 configuration: each hook given the intermediates 2020's Krake requires (issue 17). */
const in2020 = (hooks: Record<string, Obj>) =>
  parseKrakeHooksConfig(
    Object.fromEntries(
      Object.entries(hooks).map(([k, h]) => [
        k,
        {
          intermediate_src: `tmp/pki/system:${k}-signing.pem`,
          intermediate_key_src: `tmp/pki/system:${k}-signing-key.pem`,
          ...h,
        },
      ]),
    ),
    { layout: '2020' },
  )
const config = in2020({ complete: {}, shutdown: {} })
const app = (hooks: string[], status?: Obj): KrakeApplication =>
  deepFreeze({
    metadata: { name: 'nginx-demo', namespace: 'secondary', uid: 'u-1' },
    spec: {
      manifest: [
        deployment('nginx-demo', 'secondary', [{ name: 'nginx', image: 'nginx:1.27' }]),
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } },
      ],
      hooks,
    },
    ...(status ? { status } : {}),
  })
const noTls: KrakeHooksContext = { apiEndpoint: 'https://krake-api:8443' }

describe('mangleApplication(app, config, context) without TLS', () => {
  it('with spec.hooks empty: the manifests unchanged (a fresh copy) and the status as it was', async () => {
    const input = app([], { state: 'PENDING' })
    const r = await mangleApplication(input, config, noTls)
    expect(r.manifests).toEqual(input.spec.manifest)
    expect(r.manifests[0]).not.toBe(input.spec.manifest[0])
    expect(r.status).toEqual({ state: 'PENDING' })
    expect(r.results).toEqual([{ severity: 'info', message: 'no hook: the manifests are copied unchanged' }])
  })

  it("with the complete hook: token created once into status.token (2020's ApplicationStatus keeps no complete_token, issue 17), URL scheme forced to http as in Krake", async () => {
    const r = await mangleApplication(app(['complete']), config, noTls)
    const c = podSpecOf(r.manifests[0] as Obj).containers[0]
    expect(r.status.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(r.status).not.toHaveProperty('complete_token')
    expect(c.env).toEqual([
      { name: 'KRAKE_TOKEN', value: r.status.token },
      {
        name: 'KRAKE_COMPLETE_URL',
        value: 'http://krake-api:8443/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
      },
    ])
    expect(beforeSummary(r.results)).toEqual([
      { severity: 'warning', message: "the endpoint's scheme https was changed to http because TLS is off" },
    ])
    expect(r.manifests).toHaveLength(2)
  })

  it('with both hooks: both sets of variables, two tokens', async () => {
    const r = await mangleApplication(app(['complete', 'shutdown']), config, { apiEndpoint: 'http://krake-api:8080' })
    const c = podSpecOf(r.manifests[0] as Obj).containers[0]
    expect(c.env.map((e: Obj) => e.name)).toEqual([
      'KRAKE_TOKEN',
      'KRAKE_COMPLETE_URL',
      'KRAKE_SHUTDOWN_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
    expect(envOf(c, 'KRAKE_SHUTDOWN_URL')[0]!.value).toBe(
      'http://krake-api:8080/kubernetes/namespaces/secondary/applications/nginx-demo/shutdown',
    )
    expect(r.status.shutdown_token).not.toBe(r.status.token)
  })

  it("reuses the stored token, token or complete_token, and writes the era's key: token in 2020 (issue 17)", async () => {
    const r = await mangleApplication(app(['complete'], { complete_token: 'stored-1' }), config, noTls)
    expect(envOf(podSpecOf(r.manifests[0] as Obj).containers[0], 'KRAKE_TOKEN')[0]!.value).toBe('stored-1')
    expect(r.status).toEqual({ complete_token: 'stored-1', token: 'stored-1' })
    const old = await mangleApplication(app(['complete'], { token: 'stored-old' }), config, noTls)
    expect(old.status).toEqual({ token: 'stored-old' })
  })

  it('uses the external_endpoint of the hook', async () => {
    const cfg = in2020({ complete: { external_endpoint: 'https://public.example/krake' } })
    const r = await mangleApplication(app(['complete']), cfg, { apiEndpoint: 'http://internal:8080' })
    expect(envOf(podSpecOf(r.manifests[0] as Obj).containers[0], 'KRAKE_COMPLETE_URL')[0]!.value).toBe(
      'http://public.example/krake/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
    )
  })

  it('a second run with the returned status gives the same manifests and token, byte for byte', async () => {
    const first = await mangleApplication(app(['complete', 'shutdown']), config, noTls)
    const second = await mangleApplication(app(['complete', 'shutdown'], first.status), config, noTls)
    expect(second.status).toEqual(first.status)
    expect(stringifyManifests(second.manifests)).toBe(stringifyManifests(first.manifests))
  })
})

describe('mangleApplication with TLS', () => {
  let pki: Pki
  let tls: NonNullable<KrakeHooksContext['tls']>
  beforeAll(() => {
    pki = makePki()
    tls = {
      caPems: [pki.read('root.pem')],
      complete: { certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-ec-sec1-key.pem') },
      shutdown: { certPem: pki.read('inter-rsa-pkcs8.pem'), keyPem: pki.read('inter-rsa-pkcs8-key.pem') },
    }
  })
  afterAll(() => pki?.cleanup())
  const ctx = (): KrakeHooksContext => ({ apiEndpoint: 'https://krake-api:8443', tls, keyAlgorithm: 'ECDSA-P256' })

  it('both hooks: two ConfigMaps, two volumes, two mounts, certificates in status that openssl verifies', async () => {
    const r = await mangleApplication(app(['complete', 'shutdown']), config, ctx())
    expect(r.manifests.map((m: Obj) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Deployment/nginx-demo',
      'Service/s',
      'ConfigMap/nginx-demo-krake-configmap',
      'ConfigMap/nginx-demo-krake-shutdown-configmap',
    ])
    const pod = podSpecOf(r.manifests[0] as Obj)
    expect(pod.volumes.map((v: Obj) => v.name)).toEqual(['nginx-demo-krake-volume', 'nginx-demo-krake-shutdown-volume'])
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_certs', readOnly: true },
      { name: 'nginx-demo-krake-shutdown-volume', mountPath: '/etc/krake_shutdown_cert', readOnly: true },
    ])
    expect(envOf(pod.containers[0], 'KRAKE_COMPLETE_URL')[0]!.value).toMatch(/^https:\/\//)
    expect(new X509Certificate(r.status.complete_cert as string).subject).toMatch(/CN=system:complete-hook$/)
    expect(new X509Certificate(r.status.shutdown_cert as string).subject).toMatch(/CN=system:shutdown-hook$/)
    expect(opensslVerify(pki, 'inter-ec-sec1.pem', r.status.complete_cert as string)).toMatch(/: OK$/)
    expect(opensslVerify(pki, 'inter-rsa-pkcs8.pem', r.status.shutdown_cert as string)).toMatch(/: OK$/)
    const cm = r.manifests[2] as Obj
    expect(cm.data['ca-bundle.pem']).toBe(pki.read('root.pem') + pki.read('inter-ec-sec1.pem'))
    expect(cm.data['cert.pem']).toBe(r.status.complete_cert)
    expect(cm.data['key.pem']).toBe(r.status.complete_key)
  })

  it('a second run with the returned status reuses token and certificate: identical manifests', async () => {
    const first = await mangleApplication(app(['complete', 'shutdown']), config, ctx())
    const second = await mangleApplication(app(['complete', 'shutdown'], first.status), config, ctx())
    expect(second.status).toEqual(first.status)
    expect(stringifyManifests(second.manifests)).toBe(stringifyManifests(first.manifests))
    expect(beforeSummary(second.results)).toEqual([])
    expect(second.results.at(-1)!.message).toMatch(/^complete hook: .*; shutdown hook: /)
  })

  it('a stored certificate from another issuer, or expired, is replaced, with an info result', async () => {
    const first = await mangleApplication(app(['complete']), config, ctx())
    const other = { ...first.status, complete_cert: pki.read('leaf.pem'), complete_key: pki.read('leaf-key.pem') }
    const r = await mangleApplication(app(['complete'], other), config, ctx())
    expect(r.status.complete_cert).not.toBe(pki.read('leaf.pem'))
    expect(r.status.complete_token).toBe(first.status.complete_token)
    expect(beforeSummary(r.results)).toEqual([
      expect.objectContaining({
        severity: 'info',
        message: expect.stringMatching(/stored certificate no longer serves/),
      }),
    ])
    const later = await mangleApplication(app(['complete'], first.status), config, {
      ...ctx(),
      now: new Date(Date.now() + 400 * 24 * 3600 * 1000),
    })
    expect(later.status.complete_cert).not.toBe(first.status.complete_cert)
  })

  it('readKrakeTlsFiles reads the CA and the intermediates the configuration names', async () => {
    const cfg = in2020({
      complete: { intermediate_src: 'inter-ec-sec1.pem', intermediate_key_src: 'inter-ec-sec1-key.pem' },
    })
    const read = await readKrakeTlsFiles(cfg, ['root.pem'], pki.dir)
    expect(read).toEqual({
      caPems: [pki.read('root.pem')],
      complete: { certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-ec-sec1-key.pem') },
    })
    const missing = await hookErrorOfAsync(readKrakeTlsFiles(in2020({ complete: {} }), [], pki.dir))
    expect([missing.code, missing.path]).toEqual(['ERR_INVALID_CONFIG', '/hooks/complete/intermediate_src'])
  })

  it('TLS without the hook intermediate is ERR_INVALID_ARGUMENT', async () => {
    const e = await hookErrorOfAsync(
      mangleApplication(app(['shutdown']), config, {
        apiEndpoint: 'https://k',
        tls: { caPems: tls.caPems, complete: tls.complete! },
      }),
    )
    expect([e.code, e.path]).toEqual(['ERR_INVALID_ARGUMENT', '/tls/shutdown'])
  })

  it('two hooks configured with the same cert_dest are refused: their mounts would collide', async () => {
    const cfg = in2020({ complete: { cert_dest: '/etc/certs' }, shutdown: { cert_dest: '/etc/certs' } })
    const e = await hookErrorOfAsync(mangleApplication(app(['complete', 'shutdown']), cfg, ctx()))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', '/hooks/shutdown/cert_dest'])
  })
})

describe("mangleApplication: 2020's Krake runs complete and ignores the rest of spec.hooks (issue 33)", () => {
  it('runs complete for [complete, shutdown, finish] with no shutdown section, with a warning naming the rest', async () => {
    const only = in2020({ complete: {} })
    const { manifests, status, results } = await mangleApplication(app(['complete', 'shutdown', 'finish']), only, noTls)
    // the same token (read back from the status) with complete alone listed
    const expected = await mangleApplication(app(['complete'], status), only, noTls)
    expect([manifests, status]).toEqual([expected.manifests, expected.status])
    expect(results[0]).toEqual({
      severity: 'warning',
      message: `spec.hooks lists "shutdown", "finish": 2020's Krake runs the complete hook only and ignores the rest, as here`,
      field: '/spec/hooks',
    })
    expect(results.slice(1)).toEqual(expected.results)
    // shutdown alone: nothing runs, the manifests are copied
    const none = await mangleApplication(app(['shutdown']), only, noTls)
    expect(none.results.at(-1)?.message).toBe('no hook: the manifests are copied unchanged')
  })

  it('runs a shutdown section that a fork added (forced 2020 layout with one)', async () => {
    const { results } = await mangleApplication(app(['complete', 'shutdown']), config, noTls)
    expect(results.at(-1)?.message).toMatch(/^complete hook: .*; shutdown hook: /)
    expect(results.some((r) => r.severity === 'warning' && /ignores/.test(r.message))).toBe(false)
  })
})

describe('mangleApplication: refused input', () => {
  it.each([
    [{ ...app([]), spec: { manifest: [], hooks: [7] } }, 'ERR_INVALID_APPLICATION', '/spec/hooks/0'],
    // String() of this throws: the message must not (a bare TypeError would escape)
    [
      {
        ...app([]),
        spec: {
          manifest: [],
          hooks: [
            {
              toString: () => {
                throw new Error('no')
              },
            },
          ],
        },
      },
      'ERR_INVALID_APPLICATION',
      '/spec/hooks/0',
    ],
    [{ ...app([]), spec: { manifest: {}, hooks: [] } }, 'ERR_INVALID_APPLICATION', '/spec/manifest'],
    [{ ...app([]), metadata: { name: 'a' } }, 'ERR_INVALID_APPLICATION', '/metadata/namespace'],
    [{ ...app([]), status: 'done' }, 'ERR_INVALID_APPLICATION', '/status'],
    [null, 'ERR_INVALID_APPLICATION', ''],
  ])('refuses a bad application (%#) with its code and path', async (bad, code, path) => {
    const e = await hookErrorOfAsync(mangleApplication(bad as never, config, noTls))
    expect([e.code, e.path]).toEqual([code, path])
  })

  it('a hook the configuration does not define is ERR_INVALID_CONFIG (current layout)', async () => {
    const { shutdown: _, ...complete } = { ...in2020({ complete: {} }), layout: 'current' as const }
    const e = await hookErrorOfAsync(mangleApplication(app(['shutdown']), complete, noTls))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', '/hooks/shutdown'])
  })

  it("a name today's Krake does not know is refused in the current layout", async () => {
    const current = { ...config, layout: 'current' as const }
    const e = await hookErrorOfAsync(mangleApplication(app(['finish']), current, noTls))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_APPLICATION', '/spec/hooks/0'])
  })

  it('two hooks with the same variable name are ERR_INVALID_CONFIG', async () => {
    const cfg = in2020({ complete: { env_token: 'T' }, shutdown: { env_token: 'T' } })
    const e = await hookErrorOfAsync(mangleApplication(app(['complete', 'shutdown']), cfg, noTls))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', '/hooks/shutdown/env_token'])
  })

  it("one hook's URL variable named like the other's token variable is ERR_INVALID_CONFIG too: one environment", async () => {
    const cfg = in2020({ complete: { env_url: 'HOOK_VAR' }, shutdown: { env_token: 'HOOK_VAR' } })
    const e = await hookErrorOfAsync(mangleApplication(app(['complete', 'shutdown']), cfg, noTls))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', '/hooks/shutdown/env_token'])
    expect(e.message).toBe('hooks.shutdown.env_token is "HOOK_VAR", as hooks.complete.env_url already uses')
  })

  it('a bad manifest in spec.manifest is the HookError of injectHook', async () => {
    const bad = deepFreeze({ ...app([]), spec: { manifest: [{ kind: 'Pod' }], hooks: ['complete'] } })
    expect((await hookErrorOfAsync(mangleApplication(bad, config, noTls))).code).toBe('ERR_INVALID_MANIFEST')
  })
})
