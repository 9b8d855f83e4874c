import { describe, expect, it } from 'vitest'
import { injectHook } from '../../src/index.js'
import { deepFreeze, deployment, envOf, fixtureTls, podSpecOf, spec, TOKEN } from '../helpers.js'

const input = () => deepFreeze([deployment('web', 'prod')])
const https = { apiEndpoint: 'https://krake-api:8443' }
const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('injectHook: options', () => {
  it('the shutdown hook uses KRAKE_SHUTDOWN_TOKEN, KRAKE_SHUTDOWN_URL and -shutdown names', () => {
    const { manifests } = injectHook(input(), spec({ ...https, kind: 'shutdown', tls: fixtureTls() }))
    const c = podSpecOf(manifests[0]!).containers[0]
    expect(c.env).toEqual([
      { name: 'KRAKE_SHUTDOWN_TOKEN', value: TOKEN },
      {
        name: 'KRAKE_SHUTDOWN_URL',
        value: 'https://krake-api:8443/kubernetes/namespaces/secondary/applications/nginx-demo/shutdown',
      },
    ])
    expect(c.volumeMounts[0].name).toBe('nginx-demo-krake-shutdown-volume')
    expect((manifests[1] as any).metadata.name).toBe('nginx-demo-krake-shutdown-configmap')
  })

  it('options.env renames both variables', () => {
    const { manifests } = injectHook(input(), spec(), { env: { token: 'MY_TOKEN', url: 'MY_URL' } })
    expect(podSpecOf(manifests[0]!).containers[0].env.map((e: any) => e.name)).toEqual(['MY_TOKEN', 'MY_URL'])
  })

  it('options.env renames only what it names', () => {
    const { manifests } = injectHook(input(), spec(), { env: { url: 'HOOK_URL' } })
    expect(podSpecOf(manifests[0]!).containers[0].env.map((e: any) => e.name)).toEqual(['KRAKE_TOKEN', 'HOOK_URL'])
  })

  it('options.certDest sets the mount path (a trailing slash is dropped)', () => {
    const { manifests } = injectHook(input(), spec({ ...https, tls: fixtureTls() }), { certDest: '/var/run/krake/' })
    expect(podSpecOf(manifests[0]!).containers[0].volumeMounts[0].mountPath).toBe('/var/run/krake')
  })

  it("options.certStorage 'Secret' stores the files base64 in an Opaque Secret and mounts it with secretName", () => {
    const tls = fixtureTls()
    const { manifests } = injectHook(input(), spec({ ...https, tls }), { certStorage: 'Secret' })
    const secret = manifests[1] as any
    expect(secret).toMatchObject({
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'nginx-demo-krake-cert', namespace: 'prod' },
    })
    expect(secret.data).toEqual({
      'ca-bundle.pem': b64(tls.caBundlePem),
      'cert.pem': b64(tls.certPem),
      'key.pem': b64(tls.keyPem),
    })
    expect(podSpecOf(manifests[0]!).volumes).toEqual([
      { name: 'nginx-demo-krake-volume', secret: { secretName: 'nginx-demo-krake-cert' } },
    ])
  })

  it("options.tokenFrom 'secret' puts token and URL in a Secret and refers to them with secretKeyRef", () => {
    const { manifests } = injectHook(input(), spec(), { tokenFrom: 'secret' })
    expect(podSpecOf(manifests[0]!).containers[0].env).toEqual([
      { name: 'KRAKE_TOKEN', valueFrom: { secretKeyRef: { name: 'nginx-demo-krake-token', key: 'token' } } },
      { name: 'KRAKE_COMPLETE_URL', valueFrom: { secretKeyRef: { name: 'nginx-demo-krake-token', key: 'url' } } },
    ])
    const secret = manifests[1] as any
    expect(secret).toMatchObject({
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: 'nginx-demo-krake-token', namespace: 'prod' },
    })
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe(TOKEN)
    expect(Buffer.from(secret.data.url, 'base64').toString()).toBe(
      'http://krake-api:8080/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
    )
  })

  it('tokenFrom secret and TLS together add the ConfigMap then the token Secret, in each namespace', () => {
    const { manifests } = injectHook(
      deepFreeze([deployment('a', 'x'), deployment('b', 'y')]),
      spec({ ...https, tls: fixtureTls() }),
      { tokenFrom: 'secret' },
    )
    expect(manifests.slice(2).map((o: any) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'ConfigMap/x/nginx-demo-krake-configmap',
      'Secret/x/nginx-demo-krake-token',
      'ConfigMap/y/nginx-demo-krake-configmap',
      'Secret/y/nginx-demo-krake-token',
    ])
  })

  it('generated objects carry the managed-by label and the hook and application annotations', () => {
    const { manifests } = injectHook(input(), spec({ ...https, tls: fixtureTls() }))
    expect((manifests[1] as any).metadata).toEqual({
      name: 'nginx-demo-krake-configmap',
      namespace: 'prod',
      labels: { 'app.kubernetes.io/managed-by': 'krake-hooks' },
      annotations: { 'krake-hooks/hook': 'complete', 'krake-hooks/application': 'secondary/nginx-demo' },
    })
  })

  it('a base path on the endpoint is kept and namespace and name are percent-encoded', () => {
    const { manifests } = injectHook(
      input(),
      spec({ apiEndpoint: 'http://gw.example/krake/', app: { name: 'a b/c', namespace: 'ns?x' } }),
    )
    expect(envOf(podSpecOf(manifests[0]!).containers[0], 'KRAKE_COMPLETE_URL')[0]!.value).toBe(
      'http://gw.example/krake/kubernetes/namespaces/ns%3Fx/applications/a%20b%2Fc/complete',
    )
  })

  it('TLS material is stored re-wrapped with a final newline, so the files concatenate', () => {
    const tls = fixtureTls()
    const messy = {
      caBundlePem: tls.caBundlePem.trimEnd(),
      certPem: '# my cert\n' + tls.certPem.trimEnd(),
      keyPem: tls.keyPem.trimEnd(),
    }
    const { manifests } = injectHook(input(), spec({ ...https, tls: messy }))
    const data = (manifests[1] as any).data
    expect(data['ca-bundle.pem']).toBe(tls.caBundlePem)
    expect(data['cert.pem']).toBe(tls.certPem)
    expect(data['key.pem']).toBe(tls.keyPem)
  })
})
