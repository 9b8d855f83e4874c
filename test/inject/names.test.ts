import { describe, expect, it } from 'vitest'
import { injectHook } from '../../src/index.js'
import { DNS1123_LABEL, DNS1123_SUBDOMAIN, hookNames } from '../../src/inject/names.js'
import { deepFreeze, deployment, fixtureTls, podSpecOf, spec } from '../helpers.js'

describe('generated names', () => {
  it('hookNames(app) keeps a short valid application name as it is', () => {
    expect(hookNames('nginx-demo', 'complete')).toEqual({
      volume: 'nginx-demo-krake-volume',
      configMap: 'nginx-demo-krake-configmap',
      certSecret: 'nginx-demo-krake-cert',
      tokenSecret: 'nginx-demo-krake-token',
    })
  })

  it('a long application name is cut and suffixed with a stable hash: volume <= 63, objects <= 253', () => {
    const long = 'a'.repeat(300)
    const names = hookNames(long, 'shutdown')
    expect(names.volume.length).toBeLessThanOrEqual(63)
    expect(names.volume).toMatch(/^a+-[0-9a-f]{8}-krake-shutdown-volume$/)
    expect(names.configMap.length).toBeLessThanOrEqual(253)
    expect(names.configMap).toMatch(/^a+-[0-9a-f]{8}-krake-shutdown-configmap$/)
    expect(hookNames(long, 'shutdown')).toEqual(names)
    expect(hookNames('a'.repeat(299) + 'b', 'shutdown').volume).not.toBe(names.volume)
  })

  it.each(['My_App', 'UPPER', 'dots.in.name', '-leading', 'trailing-', 'ünïcode', '___', 'a..b', 'x'.repeat(60)])(
    'names for %j are valid DNS-1123 names',
    (app) => {
      for (const kind of ['complete', 'shutdown'] as const) {
        const n = hookNames(app, kind)
        expect(n.volume).toMatch(DNS1123_LABEL)
        expect(n.volume.length).toBeLessThanOrEqual(63)
        for (const name of [n.configMap, n.certSecret, n.tokenSecret]) {
          expect(name).toMatch(DNS1123_SUBDOMAIN)
          expect(name.length).toBeLessThanOrEqual(253)
        }
      }
    },
  )

  it('two names that clean up alike stay distinct', () => {
    expect(hookNames('My_App', 'complete').configMap).not.toBe(hookNames('my-app', 'complete').configMap)
    expect(hookNames('My_App', 'complete').configMap).not.toBe(hookNames('MY_APP', 'complete').configMap)
  })

  it('a dotted name may keep its dots in object names but not in the volume name', () => {
    const n = hookNames('app.v2', 'complete')
    expect(n.configMap).toBe('app.v2-krake-configmap')
    expect(n.volume).toMatch(/^app-v2-[0-9a-f]{8}-krake-volume$/)
  })

  it('injectHook uses the cut names in the volume, the mount and the ConfigMap', () => {
    const app = { name: 'Very_Long_Application_Name_'.repeat(4), namespace: 'n' }
    const { manifests } = injectHook(
      deepFreeze([deployment('d', 'n')]),
      spec({ app, apiEndpoint: 'https://k', tls: fixtureTls() }),
    )
    const pod = podSpecOf(manifests[0]!)
    const n = hookNames(app.name, 'complete')
    expect(pod.volumes[0]).toEqual({ name: n.volume, configMap: { name: n.configMap } })
    expect(pod.containers[0].volumeMounts[0].name).toBe(n.volume)
    expect((manifests[1] as any).metadata.name).toBe(n.configMap)
  })
})
