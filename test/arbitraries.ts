// fast-check generators for manifests, shared by the property tests and `npm run fuzz`.
import fc from 'fast-check'
import type { HookSpec, InjectOptions } from '../src/index.js'
import { fixtureTls } from './helpers.js'

export const numRuns = Number(process.env.FC_NUM_RUNS ?? 200)

const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'a/b', 'c~d', '']
const key = fc.oneof(fc.constantFrom(...HOSTILE_KEYS), fc.string({ maxLength: 8 }))
/** Extra fields anywhere: JSON values with hostile keys. */
export const junk = fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })

const envName = fc.constantFrom(
  'KRAKE_TOKEN',
  'KRAKE_COMPLETE_URL',
  'KRAKE_SHUTDOWN_TOKEN',
  'OTHER',
  'PATH',
  '__proto__',
)
const envEntry = fc.oneof(
  fc.record({ name: envName, value: fc.string({ maxLength: 10 }) }),
  fc.record({
    name: envName,
    valueFrom: fc.record({ secretKeyRef: fc.record({ name: fc.constant('s'), key: fc.constant('k') }) }),
  }),
)
const mount = fc.record({
  name: fc.constantFrom('app-krake-volume', 'app-krake-shutdown-volume', 'data', 'cfg'),
  mountPath: fc.constantFrom('/etc/krake_cert', '/etc/krake_shutdown_cert', '/data', '/cfg'),
})
const volume = fc.record({
  name: fc.constantFrom('app-krake-volume', 'app-krake-shutdown-volume', 'data', 'cfg'),
  emptyDir: fc.constant({}),
})

export const containerArb = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 6 }),
    fc.option(fc.array(envEntry, { maxLength: 4 }), { nil: undefined }),
    fc.option(fc.array(mount, { maxLength: 2 }), { nil: undefined }),
    junk,
  )
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
    fc.option(fc.array(volume, { maxLength: 2 }), { nil: undefined }),
  )
  .map(([containers, initContainers, volumes]) => ({
    containers,
    ...(initContainers ? { initContainers } : {}),
    ...(volumes ? { volumes } : {}),
  }))

const metadata = fc
  .tuple(fc.string({ minLength: 1, maxLength: 6 }), fc.option(fc.constantFrom('a', 'b', 'default'), { nil: undefined }))
  .map(([name, namespace]) => (namespace === undefined ? { name } : { name, namespace }))

const template = podSpec.map((spec) => ({ metadata: { labels: { app: 'x' } }, spec }))

export const workloadArb = fc.oneof(
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
