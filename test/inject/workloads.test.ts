import { describe, expect, it } from 'vitest'
import { injectHook } from '../../src/index.js'
import { container, deepFreeze, envOf, fixtureTls, podSpecOf, spec, beforeSummary } from '../helpers.js'

const pod = { containers: [container('main'), container('side')] }
const template = { metadata: { labels: { a: 'b' } }, spec: pod }
const WORKLOADS: Array<[string, Record<string, unknown>]> = [
  ['Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w' }, spec: pod }],
  ['Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'w' }, spec: { template } }],
  ['ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'w' }, spec: { template } }],
  ['StatefulSet', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'w' }, spec: { template } }],
  ['DaemonSet', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'w' }, spec: { template } }],
  ['Job', { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'w' }, spec: { template } }],
  [
    'ReplicationController',
    { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'w' }, spec: { template } },
  ],
  ['PodTemplate', { apiVersion: 'v1', kind: 'PodTemplate', metadata: { name: 'w' }, template }],
  [
    'CronJob',
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'w' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } },
    },
  ],
  [
    'CronJob batch/v1beta1',
    {
      apiVersion: 'batch/v1beta1',
      kind: 'CronJob',
      metadata: { name: 'w' },
      spec: { jobTemplate: { spec: { template } } },
    },
  ],
  [
    'Deployment extensions/v1beta1',
    { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'w' }, spec: { template } },
  ],
]

describe('injectHook: every workload kind', () => {
  it.each(WORKLOADS)('injectHook([%s]) hooks every container and mounts the certificates', (_, obj) => {
    const { manifests } = injectHook(deepFreeze([obj]), spec({ tls: fixtureTls() }))
    const p = podSpecOf(manifests[0] as Record<string, unknown>)
    expect(p.containers).toHaveLength(2)
    for (const c of p.containers) {
      expect(envOf(c, 'KRAKE_TOKEN')).toHaveLength(1)
      expect(envOf(c, 'KRAKE_COMPLETE_URL')).toHaveLength(1)
      expect(c.volumeMounts).toEqual([
        { name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_cert', readOnly: true },
      ])
    }
    expect(p.volumes).toEqual([{ name: 'nginx-demo-krake-volume', configMap: { name: 'nginx-demo-krake-configmap' } }])
    expect((manifests[1] as { kind: string }).kind).toBe('ConfigMap')
  })

  it('injectHook([v1 List]) hooks the workloads among the items and leaves the rest', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: '' },
      items: [
        WORKLOADS[1]![1],
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [] } },
        WORKLOADS[5]![1],
      ],
    }
    const { manifests } = injectHook(deepFreeze([list]), spec())
    const items = (manifests[0] as { items: Array<Record<string, any>> }).items
    expect(envOf(podSpecOf(items[0]!).containers[0], 'KRAKE_TOKEN')).toHaveLength(1)
    expect(items[1]).toEqual(list.items[1])
    expect(envOf(podSpecOf(items[2]!).containers[1], 'KRAKE_COMPLETE_URL')).toHaveLength(1)
  })

  it('every other object is returned unchanged, a CRD named Deployment included', () => {
    const others = [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } },
      {
        apiVersion: 'example.com/v1',
        kind: 'Deployment',
        metadata: { name: 'crd' },
        spec: { template: { spec: { containers: [] } } },
      },
      // groups that begin or end like ours are other groups (the group is read without cutting the string)
      ...['apps.example.com/v1', 'appsx/v1', 'app/v1', 'batchx/v1', 'extensions.k8s.io/v1', '/v1', 'apps'].map(
        (apiVersion) => ({
          apiVersion,
          kind: apiVersion.startsWith('batch') ? 'Job' : 'Deployment',
          metadata: { name: 'crd' },
          spec: { template: { spec: { containers: [container('main')] } } },
        }),
      ),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { a: 'b' } },
    ]
    const { manifests, results } = injectHook(
      deepFreeze(others),
      spec({ apiEndpoint: 'https://krake-api:8443', tls: fixtureTls() }),
    )
    expect(manifests).toEqual(others)
    expect(beforeSummary(results)).toEqual([])
  })

  it('initContainers are left alone by default and hooked with options.initContainers', () => {
    const obj = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p' },
      spec: { initContainers: [container('init')], containers: [container('main')] },
    }
    const off = injectHook(deepFreeze([obj]), spec({ tls: fixtureTls() }))
    expect((off.manifests[0] as any).spec.initContainers).toEqual([container('init')])
    const on = injectHook(deepFreeze([obj]), spec({ tls: fixtureTls() }), { initContainers: true })
    const init = (on.manifests[0] as any).spec.initContainers[0]
    expect(envOf(init, 'KRAKE_TOKEN')).toHaveLength(1)
    expect(init.volumeMounts).toHaveLength(1)
  })

  it('a Pod with initContainers: true but no initContainers is fine', () => {
    const obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [container('main')] } }
    const { manifests } = injectHook(deepFreeze([obj]), spec(), { initContainers: true })
    expect('initContainers' in (manifests[0] as any).spec).toBe(false)
  })

  it('one ConfigMap per namespace, in order of first appearance, none for cluster-scoped objects', () => {
    const d = (ns: string | undefined) => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: ns ? { name: 'j', namespace: ns } : { name: 'j' },
      spec: { template: { spec: pod } },
    })
    const input = [
      d('b'),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
      d('a'),
      d('b'),
      d(undefined),
    ]
    const { manifests } = injectHook(deepFreeze(input), spec({ tls: fixtureTls() }))
    const added = manifests.slice(input.length) as Array<{ kind: string; metadata: { namespace?: string } }>
    expect(added.map((o) => [o.kind, o.metadata.namespace])).toEqual([
      ['ConfigMap', 'b'],
      ['ConfigMap', 'a'],
      ['ConfigMap', undefined],
    ])
  })
})
