// hookStrategicPatch and hookApplyConfiguration with kubectl as the oracle:
// `kubectl patch --local --type strategic` merges each onto the manifest as
// the API server would, and the result must be injectHook's manifest.
import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  hookApplyConfiguration,
  hookStrategicPatch,
  injectHook,
  type HookSpec,
  type InjectOptions,
} from '../../src/index.js'
import { optionsArb } from '../arbitraries.js'
import { beforeSummary, container, deepFreeze, fixtureTls, hookErrorOf, snapshot, spec, TOKEN } from '../helpers.js'

type Obj = Record<string, any>

/** The manifest with `patch` merged by kubectl, as a strategic merge patch. */
function kubectlPatch(manifest: object, patch: object): Obj {
  return JSON.parse(
    execFileSync(
      'kubectl',
      ['patch', '--local', '--type', 'strategic', '-f', '-', '-o', 'json', '-p', JSON.stringify(patch)],
      { input: JSON.stringify(manifest), encoding: 'utf8' },
    ),
  ) as Obj
}

const tls = spec({ apiEndpoint: 'https://krake-api:8443', tls: fixtureTls() })
const shutdown = spec({
  kind: 'shutdown',
  apiEndpoint: 'https://krake-api:8443',
  tls: fixtureTls(),
  token: 'shutdown-token-0123456789abcdefghijklmnopqrs',
})

/** A pod spec with the user's own env, mounts and volumes, and an init container. */
const podSpec = () => ({
  initContainers: [container('init', { env: [{ name: 'MODE', value: 'init' }] })],
  containers: [
    container('app', {
      env: [
        { name: 'A', value: '1' },
        { name: 'B', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
    }),
    container('sidecar'),
  ],
  volumes: [{ name: 'data', emptyDir: {} }],
})
const template = () => ({ metadata: { labels: { app: 'w' } }, spec: podSpec() })
const meta = (kind: string) => ({ name: `w-${kind.toLowerCase()}`, namespace: 'prod' })

const WORKLOADS: Obj[] = [
  { apiVersion: 'v1', kind: 'Pod', metadata: meta('Pod'), spec: podSpec() },
  { apiVersion: 'v1', kind: 'PodTemplate', metadata: meta('PodTemplate'), template: template() },
  {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: meta('RC'),
    spec: { selector: { app: 'w' }, template: template() },
  },
  ...['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].map((kind) => ({
    apiVersion: 'apps/v1',
    kind,
    metadata: meta(kind),
    spec: { selector: { matchLabels: { app: 'w' } }, template: template() },
  })),
  { apiVersion: 'batch/v1', kind: 'Job', metadata: meta('Job'), spec: { template: template() } },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta('CronJob'),
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template() } } },
  },
]

const hookedBy = (manifest: object, hook: HookSpec, options?: InjectOptions) =>
  injectHook([manifest], hook, options).manifests[0] as Obj

/** Keyed lists in the order of their keys: what an apply configuration's merge leaves to the merge. */
function keyedSorted(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => keyedSorted(v) as Obj)
    if (key === 'env' || key === 'volumes') return items.sort((a, b) => String(a.name).localeCompare(String(b.name)))
    if (key === 'volumeMounts') return items.sort((a, b) => String(a.mountPath).localeCompare(String(b.mountPath)))
    return items
  }
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keyedSorted(v, k)]))
  return value
}

const collisions: Array<[string, (c: Obj, pod: Obj) => void, InjectOptions['onConflict']]> = [
  [
    'an env entry of the hook name that reads a Secret',
    (c) => c.env.push({ name: 'KRAKE_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } }),
    'replace',
  ],
  [
    'a mount at the hook path under another name',
    (c) => c.volumeMounts.push({ name: 'old', mountPath: '/etc/krake_cert' }),
    'replace',
  ],
  [
    'a volume of the hook name',
    (_, pod) => pod.volumes.unshift({ name: 'nginx-demo-krake-volume', emptyDir: {} }),
    'replace',
  ],
  [
    'two entries of the hook name (one is removed)',
    (c) => c.env.push({ name: 'KRAKE_TOKEN', value: 'x' }, { name: 'KRAKE_TOKEN', value: 'y' }),
    'replace',
  ],
  ['an entry of the hook name, kept', (c) => c.env.unshift({ name: 'KRAKE_TOKEN', value: 'mine' }), 'keep'],
]

describe('hookStrategicPatch(manifest, hook, options)', () => {
  it.each(WORKLOADS.map((w) => [w.kind, w]))(
    '%s: kubectl patch --type strategic gives exactly injectHook, entry order included',
    (_, workload) => {
      for (const options of [{}, { initContainers: true, tokenFrom: 'secret', certStorage: 'Secret' }] as const) {
        const input = deepFreeze(structuredClone(workload))
        const { patch, objects, results } = hookStrategicPatch(input, tls, options)
        const [expected, ...expectedObjects] = injectHook([input], tls, options).manifests
        expect(kubectlPatch(input, patch)).toEqual(expected)
        expect(objects).toEqual(expectedObjects)
        expect(beforeSummary(results)).toEqual([])
      }
    },
  )

  it.each(collisions)('a collision, %s (onConflict %s): kubectl gives injectHook', (_, edit, onConflict) => {
    const d = structuredClone(WORKLOADS.find((w) => w.kind === 'Deployment')!)
    edit(d.spec.template.spec.containers[0], d.spec.template.spec)
    const { patch } = hookStrategicPatch(d, tls, { onConflict })
    expect(kubectlPatch(d, patch)).toEqual(hookedBy(d, tls, { onConflict }))
  })

  it('refuses a collision under onConflict "error" as injectHook does', () => {
    const d = structuredClone(WORKLOADS.find((w) => w.kind === 'Job')!)
    d.spec.template.spec.containers[0].env.push({ name: 'KRAKE_TOKEN', value: 'mine' })
    const e = hookErrorOf(() => hookStrategicPatch(d, tls, { onConflict: 'error' }))
    expect([e.code, e.path]).toEqual(['ERR_CONFLICT', '/spec/template/spec/containers/0/env/2'])
  })

  // Env names may repeat (`B=$(A)` reads the A before it); kubectl merges a list of repeated keys
  // by key even under `$patch: replace`, which would move the second A up and make B read 2.
  const repeated: Array<[string, (c: Obj, pod: Obj) => void, InjectOptions]> = [
    [
      'A=1, B=$(A), A=2',
      (c) => c.env.splice(0, 2, { name: 'A', value: '1' }, { name: 'B', value: '$(A)' }, { name: 'A', value: '2' }),
      {},
    ],
    [
      'a repeated name in an init container, hooked',
      (_, pod) => pod.initContainers[0].env.push({ name: 'X', value: '1' }, { name: 'MODE', value: 'again' }),
      { initContainers: true },
    ],
    [
      'a repeated name and the hook name twice',
      (c) => c.env.push({ name: 'KRAKE_TOKEN', value: 'x' }, { name: 'A', value: '3' }),
      { onConflict: 'replace' },
    ],
    [
      'a repeated mountPath',
      (c) => c.volumeMounts.push({ name: 'other', mountPath: '/x' }, { name: 'data', mountPath: '/x' }),
      {},
    ],
    [
      'a repeated volume name',
      (_, pod) =>
        pod.volumes.push(
          { name: 'v', emptyDir: {} },
          { name: 'w', emptyDir: {} },
          { name: 'v', configMap: { name: 'v' } },
        ),
      {},
    ],
    [
      'a repeated name beside secrets',
      (c) => c.env.push({ name: 'A', value: '9' }),
      { tokenFrom: 'secret', certStorage: 'Secret' },
    ],
  ]
  it.each(repeated)('a list with a repeated key, %s: kubectl gives injectHook, in order', (_, edit, options) => {
    for (const kind of ['Pod', 'Deployment']) {
      const d = structuredClone(WORKLOADS.find((w) => w.kind === kind)!)
      const pod = kind === 'Pod' ? d.spec : d.spec.template.spec
      edit(pod.containers[0], pod)
      const input = deepFreeze(d)
      expect(kubectlPatch(input, hookStrategicPatch(input, tls, options).patch)).toEqual(hookedBy(input, tls, options))
    }
  })

  it('over generated env lists whose names repeat (one kubectl run each): kubectl gives injectHook', () => {
    const env = fc.array(
      fc.record({
        name: fc.constantFrom('A', 'B', 'KRAKE_TOKEN', 'KRAKE_COMPLETE_URL'),
        value: fc.constantFrom('1', '2', '$(A)'),
      }),
      { maxLength: 5 },
    )
    const deployment = fc.array(env, { minLength: 1, maxLength: 3 }).map((envs) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd', namespace: 'prod' },
      spec: { template: { spec: { containers: envs.map((e, i) => ({ name: `c${i}`, image: 'x', env: e })) } } },
    }))
    fc.assert(
      fc.property(deployment, optionsArb, (d, options) => {
        const { patch } = hookStrategicPatch(d, tls, options)
        expect(kubectlPatch(d, patch)).toEqual(hookedBy(d, tls, options))
      }),
      { numRuns: 25 },
    )
  })

  it.each([
    [
      '$patch',
      (c: Obj) => c.env.push({ name: 'Z', value: '1', $patch: 'delete' }),
      '/spec/template/spec/containers/0/env/2/$patch',
    ],
    ['$retainKeys', (c: Obj) => (c.$retainKeys = ['name']), '/spec/template/spec/containers/0/$retainKeys'],
    [
      '$setElementOrder/env',
      (c: Obj) => (c['$setElementOrder/env'] = []),
      '/spec/template/spec/containers/0/$setElementOrder~1env',
    ],
    [
      '$deleteFromPrimitiveList/args',
      (c: Obj) => (c['$deleteFromPrimitiveList/args'] = ['a']),
      '/spec/template/spec/containers/0/$deleteFromPrimitiveList~1args',
    ],
  ])('refuses a manifest holding a patch directive, %s, at its path (kubectl would act on it)', (_, edit, path) => {
    const d = structuredClone(WORKLOADS.find((w) => w.kind === 'Deployment')!)
    edit(d.spec.template.spec.containers[0])
    const input = deepFreeze(d)
    const before = snapshot(input)
    const e = hookErrorOf(() => hookStrategicPatch(input, tls))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_MANIFEST', path])
    expect(e.message).toMatch(/strategic merge patch directive/)
    expect(snapshot(input)).toBe(before)
  })

  it('stacks both hooks: each patch on the output of the last gives injectHook of both', () => {
    const job = WORKLOADS.find((w) => w.kind === 'Job')!
    const once = kubectlPatch(job, hookStrategicPatch(job, tls).patch)
    const twice = kubectlPatch(once, hookStrategicPatch(once, shutdown).patch)
    expect(twice).toEqual(hookedBy(hookedBy(job, tls), shutdown))
  })

  it('is {} for a manifest hooked already and for a Service, and leaves its input as it was', () => {
    const job = deepFreeze(
      hookedBy(
        WORKLOADS.find((w) => w.kind === 'Job')!,
        tls,
      ),
    )
    const before = snapshot(job)
    expect(hookStrategicPatch(job, tls).patch).toEqual({})
    expect(snapshot(job)).toBe(before)
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } }
    expect(hookStrategicPatch(svc, tls).patch).toEqual({})
  })

  it('says the order of each list it touches, and names only what changes', () => {
    const pod = WORKLOADS[0]!
    const { patch } = hookStrategicPatch(pod, spec())
    expect(patch).toEqual({
      spec: {
        '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
        containers: [
          {
            name: 'app',
            '$setElementOrder/env': [
              { name: 'A' },
              { name: 'B' },
              { name: 'KRAKE_TOKEN' },
              { name: 'KRAKE_COMPLETE_URL' },
            ],
            env: [
              { name: 'KRAKE_TOKEN', value: TOKEN },
              {
                name: 'KRAKE_COMPLETE_URL',
                value: 'http://krake-api:8080/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
              },
            ],
          },
          {
            name: 'sidecar',
            env: [
              { name: 'KRAKE_TOKEN', value: TOKEN },
              {
                name: 'KRAKE_COMPLETE_URL',
                value: 'http://krake-api:8080/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
              },
            ],
          },
        ],
      },
    })
  })
})

describe('hookApplyConfiguration(manifest, hook, options)', () => {
  it.each(WORKLOADS.map((w) => [w.kind, w]))(
    '%s: identity and only what the hook owns; merged by kubectl, it gives injectHook',
    (_, workload) => {
      for (const options of [{}, { initContainers: true, tokenFrom: 'secret', certStorage: 'Secret' }] as const) {
        const { applyConfiguration, objects } = hookApplyConfiguration(workload, tls, options)
        expect(applyConfiguration.apiVersion).toBe(workload.apiVersion)
        expect(applyConfiguration.kind).toBe(workload.kind)
        expect(applyConfiguration.metadata).toEqual({ name: workload.metadata.name, namespace: 'prod' })
        const text = JSON.stringify(applyConfiguration)
        for (const own of [
          '"A"',
          '"B"',
          '"MODE"',
          '"/data"',
          '"data"',
          '"image"',
          '"labels"',
          '"selector"',
          '"schedule"',
        ])
          expect(text.includes(own), own).toBe(false)
        const [expected, ...expectedObjects] = injectHook([workload], tls, options).manifests
        expect(keyedSorted(kubectlPatch(workload, applyConfiguration))).toEqual(keyedSorted(expected))
        expect(objects).toEqual(expectedObjects)
      }
    },
  )

  it('lists every hooked container by name, in order, with the hook entries alone', () => {
    const pod = WORKLOADS[0]!
    expect(hookApplyConfiguration(pod, tls).applyConfiguration.spec).toEqual({
      containers: ['app', 'sidecar'].map((name) => ({
        name,
        env: [
          { name: 'KRAKE_TOKEN', value: TOKEN },
          {
            name: 'KRAKE_COMPLETE_URL',
            value: 'https://krake-api:8443/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
          },
        ],
        volumeMounts: [{ name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_cert', readOnly: true }],
      })),
      volumes: [{ name: 'nginx-demo-krake-volume', configMap: { name: 'nginx-demo-krake-configmap' } }],
    })
  })

  it.each(collisions.filter(([what]) => !what.startsWith('two')))(
    'a collision, %s (onConflict %s): merged by kubectl, it gives injectHook',
    (_, edit, onConflict) => {
      const d = structuredClone(WORKLOADS.find((w) => w.kind === 'Deployment')!)
      edit(d.spec.template.spec.containers[0], d.spec.template.spec)
      const { applyConfiguration } = hookApplyConfiguration(d, tls, { onConflict })
      expect(keyedSorted(kubectlPatch(d, applyConfiguration))).toEqual(keyedSorted(hookedBy(d, tls, { onConflict })))
    },
  )
})
