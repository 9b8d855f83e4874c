// fast-check generators for manifests, shared by the property tests and `npm run fuzz`.
import fc from 'fast-check'
import type { HookSpec, InjectOptions } from '../src/index.js'
import { fixtureTls } from './helpers.js'

export const numRuns = Number(process.env.FC_NUM_RUNS ?? 200)

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a/b', 'c~d', '']
const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 }))
/** Extra fields anywhere: JSON values with hostile keys. */
export const junk = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })

/** What the generated workloads' lists hold: names and paths, and whether a list may be empty. */
interface ListParts {
  envNames: readonly string[]
  mountNames: readonly string[]
  mountPaths: readonly string[]
  volumeNames: readonly string[]
  /** The smallest env, volumeMounts and volumes list (0: `env: []` may come up). */
  minLength: number
}

const HOSTILE_PARTS: ListParts = {
  envNames: ['KRAKE_TOKEN', 'KRAKE_COMPLETE_URL', 'KRAKE_SHUTDOWN_TOKEN', 'OTHER', 'PATH', '__proto__'],
  mountNames: ['app-krake-volume', 'app-krake-shutdown-volume', 'data', 'cfg'],
  mountPaths: ['/etc/krake_cert', '/etc/krake_shutdown_cert', '/data', '/cfg'],
  volumeNames: ['app-krake-volume', 'app-krake-shutdown-volume', 'data', 'cfg'],
  minLength: 0,
}

/** Workloads of every kind whose containers, env, mounts and volumes are drawn from `parts`. */
export function workloadsOf(parts: ListParts) {
  const envName = fc.constantFrom(...parts.envNames)
  const envEntry = fc.oneof(
    fc.record({ name: envName, value: fc.string({ maxLength: 10 }) }),
    fc.record({
      name: envName,
      valueFrom: fc.record({ secretKeyRef: fc.record({ name: fc.constant('s'), key: fc.constant('k') }) }),
    }),
  )
  const mount = fc.record({
    name: fc.constantFrom(...parts.mountNames),
    mountPath: fc.constantFrom(...parts.mountPaths),
  })
  const volume = fc.record({ name: fc.constantFrom(...parts.volumeNames), emptyDir: fc.constant({}) })
  const list = <T>(arb: fc.Arbitrary<T>, maxLength: number) =>
    fc.option(fc.array(arb, { minLength: parts.minLength, maxLength }), { nil: undefined })

  const containerArb = fc
    .tuple(fc.string({ minLength: 1, maxLength: 6 }), list(envEntry, 4), list(mount, 2), junk)
    .map(([name, env, volumeMounts, extra]) => ({
      ...extra,
      name,
      ...(env ? { env } : {}),
      ...(volumeMounts ? { volumeMounts } : {}),
    }))

  const podSpec = fc
    .tuple(
      fc.array(containerArb, { minLength: 1, maxLength: 3 }),
      fc.option(fc.array(containerArb, { maxLength: 2 }), { nil: undefined }),
      list(volume, 2),
    )
    .map(([containers, initContainers, volumes]) => ({
      containers,
      ...(initContainers ? { initContainers } : {}),
      ...(volumes ? { volumes } : {}),
    }))

  const metadata = fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 6 }),
      fc.option(fc.constantFrom('a', 'b', 'default'), { nil: undefined }),
    )
    .map(([name, namespace]) => (namespace === undefined ? { name } : { name, namespace }))

  const template = podSpec.map((spec) => ({ metadata: { labels: { app: 'x' } }, spec }))

  const workloadArb = fc.oneof(
    fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('Pod'), metadata, spec: podSpec }),
    fc.record({
      apiVersion: fc.constant('apps/v1'),
      kind: fc.constantFrom('Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'),
      metadata,
      spec: template.map((template) => ({ template })),
    }),
    fc.record({
      apiVersion: fc.constant('batch/v1'),
      kind: fc.constant('Job'),
      metadata,
      spec: template.map((template) => ({ template })),
    }),
    fc.record({
      apiVersion: fc.constant('v1'),
      kind: fc.constant('ReplicationController'),
      metadata,
      spec: template.map((template) => ({ template })),
    }),
    fc.record({ apiVersion: fc.constant('v1'), kind: fc.constant('PodTemplate'), metadata, template }),
    fc.record({
      apiVersion: fc.constant('batch/v1'),
      kind: fc.constant('CronJob'),
      metadata,
      spec: template.map((template) => ({ jobTemplate: { spec: { template } } })),
    }),
  )
  return { containerArb, workloadArb, metadata }
}

const hostile = workloadsOf(HOSTILE_PARTS)
export const containerArb = hostile.containerArb
export const workloadArb = hostile.workloadArb
const metadata = hostile.metadata

/**
 * Manifest lists with no entry or object of any hook's names or paths and no
 * empty list: the inputs `removeHook(injectHook(x))` gives back exactly.
 */
export const cleanManifestsArb = fc.array(
  fc.oneof(
    {
      weight: 4,
      arbitrary: workloadsOf({
        envNames: ['OTHER', 'PATH', 'my.var', 'KRAKE-TOKEN'],
        mountNames: ['data', 'cfg'],
        mountPaths: ['/data', '/cfg', '/etc/krake_cert/sub'],
        volumeNames: ['data', 'cfg'],
        minLength: 1,
      }).workloadArb,
    },
    {
      weight: 1,
      arbitrary: fc.record({
        apiVersion: fc.constant('v1'),
        kind: fc.constantFrom('Service', 'ConfigMap', 'Secret'),
        metadata,
        data: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
      }),
    },
  ),
  { maxLength: 5 },
)

const otherArb = fc.oneof(
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constantFrom('Service', 'Namespace', 'ConfigMap', 'Secret'),
    metadata,
    data: junk,
  }),
  fc.record({
    apiVersion: fc.constant('v1'),
    kind: fc.constant('ConfigMap'),
    metadata: fc.constantFrom({ name: 'app-krake-configmap', namespace: 'a' }, { name: 'app-krake-configmap' }),
    data: junk,
  }),
)

export const objectArb: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 4, arbitrary: workloadArb },
  { weight: 2, arbitrary: otherArb },
  {
    weight: 1,
    arbitrary: fc
      .array(fc.oneof(workloadArb, otherArb), { maxLength: 3 })
      .map((items) => ({ apiVersion: 'v1', kind: 'List', metadata: {}, items })),
  },
)

export const manifestsArb = fc.array(objectArb, { maxLength: 6 })

const tls = fixtureTls()
export const hookArb: fc.Arbitrary<HookSpec> = fc.record({
  kind: fc.constantFrom('complete' as const, 'shutdown' as const),
  app: fc.record({
    name: fc.constantFrom('app', 'My_App', 'x'.repeat(80)),
    namespace: fc.constantFrom('default', 'ns/with slash'),
  }),
  apiEndpoint: fc.constantFrom('http://krake:8080', 'https://krake:8443/base/'),
  token: fc.stringMatching(/^[A-Za-z0-9_-]{1,50}$/),
  tls: fc.option(fc.constant(tls), { nil: undefined }),
})

export const optionsArb: fc.Arbitrary<InjectOptions> = fc.record(
  {
    tokenFrom: fc.constantFrom('value' as const, 'secret' as const),
    certStorage: fc.constantFrom('ConfigMap' as const, 'Secret' as const),
    initContainers: fc.boolean(),
    onConflict: fc.constantFrom('replace' as const, 'keep' as const),
  },
  { requiredKeys: [] },
)
