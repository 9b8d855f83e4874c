// The cases of Krake's own hook tests (krake/tests/controller/kubernetes/test_hooks.py),
// on the nginx Deployment in namespace "secondary".
import { describe, expect, it } from 'vitest'
import { injectHook, parseManifests, stringifyManifests } from '../../src/index.js'
import {
  deepFreeze,
  deployment,
  envOf,
  fixtureTls,
  podSpecOf,
  snapshot,
  spec,
  TOKEN,
  beforeSummary,
} from '../helpers.js'

const nginx = () =>
  deepFreeze([
    deployment('nginx-demo', 'secondary', [{ name: 'nginx', image: 'nginx:1.7.9', ports: [{ containerPort: 80 }] }]),
  ])

describe('injectHook: Krake parity', () => {
  it('injectHook(nginx, complete) sets KRAKE_TOKEN then KRAKE_COMPLETE_URL in every container', () => {
    const input = deepFreeze([
      deployment('nginx-demo', 'secondary', [{ name: 'a' }, { name: 'b', env: [{ name: 'X', value: '1' }] }]),
    ])
    const { manifests, results } = injectHook(input, spec())
    for (const c of podSpecOf(manifests[0]!).containers) {
      const names = c.env.map((e: { name: string }) => e.name)
      expect(names.slice(-2)).toEqual(['KRAKE_TOKEN', 'KRAKE_COMPLETE_URL'])
      expect(envOf(c, 'KRAKE_TOKEN')).toEqual([{ name: 'KRAKE_TOKEN', value: TOKEN }])
      expect(envOf(c, 'KRAKE_COMPLETE_URL')).toEqual([
        {
          name: 'KRAKE_COMPLETE_URL',
          value: 'http://krake-api:8080/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
        },
      ])
    }
    expect(podSpecOf(manifests[0]!).containers[1].env[0]).toEqual({ name: 'X', value: '1' })
    expect(beforeSummary(results)).toEqual([])
  })

  it('an application without the hook is left unchanged (the controller does not call injectHook)', () => {
    const input = nginx()
    const yaml = stringifyManifests(input)
    expect(stringifyManifests(parseManifests(yaml))).toBe(yaml)
  })

  it('injectHook(nginx, complete with tls) adds the ConfigMap in the same namespace, its volume and a read-only mount', () => {
    const tls = fixtureTls()
    const { manifests } = injectHook(nginx(), spec({ apiEndpoint: 'https://krake-api:8443', tls }))
    expect(manifests).toHaveLength(2)
    const cm = manifests[1] as Record<string, any>
    expect(cm.apiVersion).toBe('v1')
    expect(cm.kind).toBe('ConfigMap')
    expect(cm.metadata.name).toBe('nginx-demo-krake-configmap')
    expect(cm.metadata.namespace).toBe('secondary')
    expect(Object.keys(cm.data)).toEqual(['ca-bundle.pem', 'cert.pem', 'key.pem'])
    expect(cm.data['ca-bundle.pem']).toBe(tls.caBundlePem)
    expect(cm.data['cert.pem']).toBe(tls.certPem)
    expect(cm.data['key.pem']).toBe(tls.keyPem)
    const pod = podSpecOf(manifests[0]!)
    expect(pod.volumes).toEqual([
      { name: 'nginx-demo-krake-volume', configMap: { name: 'nginx-demo-krake-configmap' } },
    ])
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_cert', readOnly: true },
    ])
    expect(envOf(pod.containers[0], 'KRAKE_COMPLETE_URL')[0]!.value).toBe(
      'https://krake-api:8443/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
    )
  })

  it('resources without a namespace get a ConfigMap without a namespace', () => {
    const { manifests } = injectHook(
      deepFreeze([deployment('nginx-demo', undefined)]),
      spec({ apiEndpoint: 'https://krake-api:8443', tls: fixtureTls() }),
    )
    const cm = manifests[1] as Record<string, any>
    expect(cm.kind).toBe('ConfigMap')
    expect('namespace' in cm.metadata).toBe(false)
  })

  it('an external https endpoint is forced to http when TLS is off, with a warning', () => {
    const { manifests, results } = injectHook(
      nginx(),
      spec({ apiEndpoint: 'http://internal:8080', externalEndpoint: 'https://krake.example:1234' }),
    )
    expect(envOf(podSpecOf(manifests[0]!).containers[0], 'KRAKE_COMPLETE_URL')[0]!.value).toBe(
      'http://krake.example:1234/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
    )
    expect(beforeSummary(results)).toEqual([
      { severity: 'warning', message: "the endpoint's scheme https was changed to http because TLS is off" },
    ])
  })

  it('an external http endpoint is forced to https when TLS is on, with a warning', () => {
    const { manifests, results } = injectHook(
      nginx(),
      spec({ externalEndpoint: 'http://krake.example:1234', tls: fixtureTls() }),
    )
    expect(envOf(podSpecOf(manifests[0]!).containers[0], 'KRAKE_COMPLETE_URL')[0]!.value).toBe(
      'https://krake.example:1234/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
    )
    expect(beforeSummary(results)).toEqual([
      { severity: 'warning', message: "the endpoint's scheme http was changed to https because TLS is on" },
    ])
  })

  it('a rescheduled application (injected twice) stays byte-identical, TLS on and off', () => {
    for (const tls of [undefined, fixtureTls()]) {
      const hook = spec({ apiEndpoint: 'https://krake-api:8443', tls })
      const once = injectHook(nginx(), hook)
      const twice = injectHook(deepFreeze(once.manifests), hook)
      expect(twice.manifests).toEqual(once.manifests)
      expect(stringifyManifests(twice.manifests)).toBe(stringifyManifests(once.manifests))
      expect(stringifyManifests(injectHook(nginx(), hook).manifests)).toBe(stringifyManifests(once.manifests))
    }
  })

  it('the input is never changed and the output shares no object with it', () => {
    const input = nginx()
    const before = snapshot(input)
    const { manifests } = injectHook(input, spec({ tls: fixtureTls() }))
    expect(snapshot(input)).toBe(before)
    const seen = new Set<unknown>()
    const collect = (v: unknown) => {
      if (typeof v === 'object' && v !== null) {
        seen.add(v)
        Object.values(v).forEach(collect)
      }
    }
    collect(input)
    const walk = (v: unknown) => {
      if (typeof v === 'object' && v !== null) {
        expect(seen.has(v)).toBe(false)
        Object.values(v).forEach(walk)
      }
    }
    walk(manifests)
  })
})
