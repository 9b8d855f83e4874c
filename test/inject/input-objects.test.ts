// Issue 10: injectHook reads its input as JSON.stringify does, so the objects
// controllers hold (@kubernetes/client-node models with Date fields, class
// instances) go in as they are, and what JSON cannot hold stays a HookError.
import {
  loadAllYaml,
  V1Container,
  V1Deployment,
  V1DeploymentSpec,
  V1ObjectMeta,
  V1PodSpec,
  V1PodTemplateSpec,
} from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { injectHook, stringifyManifests } from '../../src/index.js'
import { deployment, hookErrorOf, podSpecOf, spec } from '../helpers.js'

const DEPLOYMENT_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
`

/** Every object below `value`, to prove the output shares none with the input. */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null && !into.has(value)) {
    into.add(value)
    for (const child of Object.values(value)) objectsOf(child, into)
  }
  return into
}

/** True when `value` holds only plain objects, arrays and JSON primitives. */
function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isPlainJson)
  if (typeof value !== 'object') return false
  return Object.getPrototypeOf(value) === Object.prototype && Object.values(value).every(isPlainJson)
}

describe('injectHook: input read as JSON.stringify reads it', () => {
  it('injectHook(loadAllYaml(...)) hooks client-node models and writes their Dates as RFC 3339 strings', () => {
    const models = loadAllYaml(DEPLOYMENT_YAML) as V1Deployment[]
    expect(models[0]).toBeInstanceOf(V1Deployment)
    expect(models[0]!.metadata!.creationTimestamp).toBeInstanceOf(Date)

    const { manifests } = injectHook(models, spec())
    const out = manifests[0]!
    expect(isPlainJson(manifests)).toBe(true)
    expect(out.metadata?.creationTimestamp).toBe('2024-05-01T10:00:00.000Z')
    expect(podSpecOf(out).containers[0].env.map((e: { name: string }) => e.name)).toEqual([
      'KRAKE_TOKEN',
      'KRAKE_COMPLETE_URL',
    ])
    // Everything else is what JSON.stringify makes of the model
    const expected = JSON.parse(JSON.stringify(models[0]))
    delete expected.spec.template.spec.containers[0].env
    const got = structuredClone(out) as Record<string, any>
    delete got.spec.template.spec.containers[0].env
    expect(got).toEqual(expected)
  })

  it('injectHook(models) leaves the models untouched and shares no object with them', () => {
    const models = loadAllYaml(DEPLOYMENT_YAML) as V1Deployment[]
    const before = JSON.stringify(models)
    const { manifests } = injectHook(models, spec())
    expect(JSON.stringify(models)).toBe(before)
    expect(models[0]!.spec!.template.spec!.containers[0]!.env).toBeUndefined()
    const theirs = objectsOf(models)
    for (const o of objectsOf(manifests)) expect(theirs.has(o)).toBe(false)
  })

  it('injectHook takes models built in code, whose unset fields are undefined own properties', () => {
    const container = Object.assign(new V1Container(), { name: 'app', image: 'app:1' })
    const podSpec = Object.assign(new V1PodSpec(), { containers: [container] })
    const template = Object.assign(new V1PodTemplateSpec(), { spec: podSpec })
    const depSpec = Object.assign(new V1DeploymentSpec(), { selector: { matchLabels: { app: 'app' } }, template })
    const dep = Object.assign(new V1Deployment(), {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: Object.assign(new V1ObjectMeta(), { name: 'app', namespace: 'prod', creationTimestamp: undefined }),
      spec: depSpec,
    })

    const { manifests } = injectHook([dep], spec())
    expect(manifests[0]!.metadata).toEqual({ name: 'app', namespace: 'prod' })
    expect(Object.hasOwn(manifests[0]!.metadata!, 'creationTimestamp')).toBe(false)
    expect(podSpecOf(manifests[0]!).containers[0]).toEqual({
      name: 'app',
      image: 'app:1',
      env: [
        { name: 'KRAKE_TOKEN', value: spec().token },
        { name: 'KRAKE_COMPLETE_URL', value: expect.any(String) },
      ],
    })
  })

  it('injectHook honours toJSON on class instances and on plain objects, and unwraps boxed primitives', () => {
    class Quantity {
      constructor(readonly text: string) {}
      toJSON() {
        return this.text
      }
    }
    const d = deployment('web', 'prod') as Record<string, any>
    d.spec.replicas = new Number(3)
    d.metadata.labels = { tier: new String('front') }
    d.spec.template.spec.containers[0].resources = { limits: { memory: new Quantity('64Mi') } }
    d.spec.paused = { toJSON: () => false }
    const out = injectHook([d], spec()).manifests[0] as Record<string, any>
    expect(out.spec.replicas).toBe(3)
    expect(out.metadata.labels).toEqual({ tier: 'front' })
    expect(out.spec.template.spec.containers[0].resources).toEqual({ limits: { memory: '64Mi' } })
    expect(out.spec.paused).toBe(false)
    expect(JSON.parse(JSON.stringify(d)).spec.template.spec.containers[0].resources).toEqual(
      out.spec.template.spec.containers[0].resources,
    )
  })

  it('injectHook writes -0 as 0, as JSON.stringify does (found by the hookPatch property)', () => {
    const d = deployment('web', 'prod') as Record<string, any>
    d.spec.minReadySeconds = -0
    expect(Object.is((injectHook([d], spec()).manifests[0] as Record<string, any>).spec.minReadySeconds, 0)).toBe(true)
  })

  it('stringifyManifests writes a model with a Date as the Go tools expect: the timestamp as a quoted string', () => {
    const models = loadAllYaml(DEPLOYMENT_YAML) as V1Deployment[]
    expect(stringifyManifests(models)).toContain("creationTimestamp: '2024-05-01T10:00:00.000Z'")
  })
})

describe('injectHook: what JSON cannot hold is a HookError with a path, even when reading it throws', () => {
  it('a getter that throws is ERR_INVALID_VALUE at its field, and its message is not repeated', () => {
    const d = deployment('web', 'prod') as Record<string, any>
    Object.defineProperty(d.spec.template.spec.containers[0], 'image', {
      enumerable: true,
      get() {
        throw new Error('token=hunter2')
      },
    })
    const err = hookErrorOf(() => injectHook([d], spec()))
    expect(err.code).toBe('ERR_INVALID_VALUE')
    expect(err.path).toBe('/0/spec/template/spec/containers/0/image')
    expect(err.message).toBe('reading this field threw Error') // the path says where; the message never repeats it
  })

  it("a class instance's toJSON that throws is ERR_INVALID_VALUE at the instance", () => {
    class Stamp {
      toJSON(): string {
        throw new TypeError('no')
      }
    }
    const d = deployment('web', 'prod') as Record<string, any>
    d.metadata.when = new Stamp()
    const err = hookErrorOf(() => injectHook([d], spec()))
    expect([err.code, err.path, err.message]).toEqual([
      'ERR_INVALID_VALUE',
      '/0/metadata/when',
      "the Stamp's toJSON() threw TypeError",
    ])
  })

  it('a toJSON that returns a function or undefined (which JSON.stringify would drop) is ERR_INVALID_VALUE at the object', () => {
    for (const [value, what] of [
      [() => 1, 'a function'],
      [undefined, 'undefined'],
    ] as const) {
      const d = deployment('web', 'prod') as Record<string, any>
      d.metadata.when = { toJSON: () => value }
      const err = hookErrorOf(() => injectHook([d], spec()))
      expect([err.code, err.path, err.message]).toEqual([
        'ERR_INVALID_VALUE',
        '/0/metadata/when',
        `the Object's toJSON() returned ${what}, which JSON.stringify would drop`,
      ])
    }
  })

  it('a toJSON result is not read for toJSON again (as JSON.stringify), so a self-returning toJSON cannot loop', () => {
    const d = deployment('web', 'prod') as Record<string, any>
    const self: Record<string, unknown> = { toJSON: () => self }
    d.metadata.when = self
    const err = hookErrorOf(() => injectHook([d], spec()))
    expect([err.code, err.path]).toEqual(['ERR_INVALID_VALUE', '/0/metadata/when/toJSON'])
  })

  it('a Proxy whose ownKeys trap throws is ERR_INVALID_VALUE at the Proxy', () => {
    const d = deployment('web', 'prod') as Record<string, any>
    d.metadata.labels = new Proxy(
      {},
      {
        ownKeys() {
          throw new RangeError('trap')
        },
      },
    )
    const err = hookErrorOf(() => injectHook([d], spec()))
    expect([err.code, err.path]).toEqual(['ERR_INVALID_VALUE', '/0/metadata/labels'])
  })

  it.each([
    ['a Set', new Set([1]), 'Set'],
    ['a RegExp', /x/, 'RegExp'],
    ['a DataView', new DataView(new ArrayBuffer(2)), 'DataView'],
    ['a Promise', Promise.resolve(1), 'Promise'],
  ])('%s (which JSON.stringify would write as {}) is refused', (_, value, name) => {
    const d = deployment('web', 'prod') as Record<string, any>
    d.metadata.x = value
    const err = hookErrorOf(() => injectHook([d], spec()))
    expect([err.code, err.path, err.message]).toEqual([
      'ERR_INVALID_VALUE',
      '/0/metadata/x',
      `a ${name} is not a JSON value (JSON.stringify would lose its content)`,
    ])
  })
})
