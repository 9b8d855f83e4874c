import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HookError, injectHook, stringifyManifests } from '../../src/index.js'
import { hookNames } from '../../src/inject/names.js'
import { hookArb, manifestsArb, numRuns, optionsArb } from '../arbitraries.js'
import { deepFreeze, podSpecOf, snapshot } from '../helpers.js'

type Obj = Record<string, any>

const CERT_DEST = { complete: '/etc/krake_cert', shutdown: '/etc/krake_shutdown_cert' }
const ENV = {
  complete: ['KRAKE_TOKEN', 'KRAKE_COMPLETE_URL'],
  shutdown: ['KRAKE_SHUTDOWN_TOKEN', 'KRAKE_SHUTDOWN_URL'],
}
const WORKLOAD_KINDS = new Set([
  'Pod',
  'Deployment',
  'ReplicaSet',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'ReplicationController',
  'PodTemplate',
  'CronJob',
])

function workloads(manifests: readonly Obj[]): Obj[] {
  return manifests.flatMap((m) => (m.kind === 'List' ? workloads(m.items) : WORKLOAD_KINDS.has(m.kind) ? [m] : []))
}

function objectsOf(v: unknown, into = new Set<unknown>()): Set<unknown> {
  if (typeof v === 'object' && v !== null) {
    into.add(v)
    for (const child of Object.values(v)) objectsOf(child, into)
  }
  return into
}

/** The YAML of `manifests`, or the refusal stringifyManifests answers with (a "<<" key the junk generator may make). */
function yamlOrRefusal(manifests: readonly object[]): string {
  try {
    return stringifyManifests(manifests)
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    return `refused: ${e.code} at ${e.path ?? ''}`
  }
}

describe('injectHook: properties (fast-check)', () => {
  it('only HookError escapes, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(manifestsArb, fc.anything()),
        fc.oneof(hookArb, fc.anything()),
        fc.oneof(optionsArb, fc.anything()),
        (m, h, o) => {
          try {
            injectHook(m as never, h as never, o as never)
          } catch (e) {
            if (!(e instanceof HookError)) throw e
          }
        },
      ),
      { numRuns },
    )
  })

  it('the input is unchanged (deep-frozen) and the output shares no object with it', () => {
    fc.assert(
      fc.property(manifestsArb, hookArb, optionsArb, (m, hook, options) => {
        const input = deepFreeze(m)
        const before = snapshot(input)
        const { manifests } = injectHook(input, hook, options)
        expect(snapshot(input)).toBe(before)
        const inputs = objectsOf(input)
        for (const o of objectsOf(manifests)) expect(inputs.has(o)).toBe(false)
      }),
      { numRuns },
    )
  })

  it('injection is idempotent: injecting into the output gives deep-equal manifests and the same YAML bytes', () => {
    fc.assert(
      fc.property(manifestsArb, hookArb, optionsArb, (m, hook, options) => {
        const once = injectHook(deepFreeze(m), hook, options)
        const twice = injectHook(deepFreeze(once.manifests), hook, options)
        expect(twice.manifests).toEqual(once.manifests)
        // a key no YAML can carry to both Go readers ("<<") is refused alike for both
        expect(yamlOrRefusal(twice.manifests)).toBe(yamlOrRefusal(once.manifests))
      }),
      { numRuns },
    )
  })

  it("every container of every workload ends with exactly one token and one URL variable (and, with TLS, one mount) under 'replace'", () => {
    fc.assert(
      fc.property(manifestsArb, hookArb, fc.boolean(), (m, hook, initContainers) => {
        const { manifests } = injectHook(deepFreeze(m), hook, { initContainers })
        const [tokenName, urlName] = ENV[hook.kind]
        const volume = hookNames(hook.app.name, hook.kind).volume
        for (const w of workloads(manifests)) {
          const pod = podSpecOf(w)
          const hooked = [...pod.containers, ...(initContainers ? (pod.initContainers ?? []) : [])]
          for (const c of hooked) {
            expect(c.env.filter((e: Obj) => e.name === tokenName)).toHaveLength(1)
            expect(c.env.filter((e: Obj) => e.name === urlName)).toHaveLength(1)
            if (hook.tls) {
              expect(
                c.volumeMounts.filter((v: Obj) => v.name === volume || v.mountPath === CERT_DEST[hook.kind]),
              ).toHaveLength(1)
            }
          }
          if (hook.tls) expect(pod.volumes.filter((v: Obj) => v.name === volume)).toHaveLength(1)
        }
      }),
      { numRuns },
    )
  })
})

/** The hooks' own names, taken out of generated manifests so that only the two hooks can meet. */
const HOOK_ENV = new Set([...ENV.complete, ...ENV.shutdown])
const HOOK_PATHS = new Set(Object.values(CERT_DEST))
function withoutHookNames(manifests: readonly Obj[], app: string): Obj[] {
  const volumes = new Set([hookNames(app, 'complete').volume, hookNames(app, 'shutdown').volume])
  const clean = (c: Obj) => ({
    ...c,
    ...(c.env ? { env: c.env.filter((e: Obj) => !HOOK_ENV.has(e.name)) } : {}),
    ...(c.volumeMounts
      ? { volumeMounts: c.volumeMounts.filter((v: Obj) => !volumes.has(v.name) && !HOOK_PATHS.has(v.mountPath)) }
      : {}),
  })
  const cleanObject = (m: Obj): Obj | undefined => {
    if (m.kind === 'List') return { ...m, items: m.items.map(cleanObject).filter(Boolean) }
    if ((m.kind === 'ConfigMap' || m.kind === 'Secret') && String(m.metadata.name).includes('-krake')) return undefined
    if (!WORKLOAD_KINDS.has(m.kind)) return m
    const copy = structuredClone(m)
    const pod = podSpecOf(copy)
    pod.containers = pod.containers.map(clean)
    if (pod.initContainers) pod.initContainers = pod.initContainers.map(clean)
    if (pod.volumes) pod.volumes = pod.volumes.filter((v: Obj) => !volumes.has(v.name))
    return copy
  }
  return manifests.map(cleanObject).filter((m): m is Obj => m !== undefined)
}

describe('injectHook: complete and shutdown stack (issue 10)', () => {
  it('either order, default options: both variable pairs, both volumes mounted at their own paths, both object sets, no result about the other hook', () => {
    fc.assert(
      fc.property(manifestsArb, hookArb, fc.boolean(), fc.boolean(), (m, base, tls, completeFirst) => {
        const app = base.app.name
        const input = withoutHookNames(m, app)
        const hookOf = (kind: 'complete' | 'shutdown') => ({
          ...base,
          kind,
          token: `${base.token}-${kind}`,
          apiEndpoint: tls ? 'https://krake:8443' : 'http://krake:8080',
          tls: tls ? (base.tls ?? undefined) : undefined,
        })
        const order = completeFirst ? (['complete', 'shutdown'] as const) : (['shutdown', 'complete'] as const)
        const first = injectHook(deepFreeze(input), hookOf(order[0]))
        const second = injectHook(deepFreeze(first.manifests), hookOf(order[1]))
        const located = [...first.results, ...second.results].filter(
          (r) => r.resourceRef !== undefined || r.field !== undefined,
        )
        expect(located).toEqual([])

        const withTls = hookOf('complete').tls !== undefined
        for (const w of workloads(second.manifests)) {
          const pod = podSpecOf(w)
          for (const c of pod.containers) {
            for (const name of HOOK_ENV) expect(c.env.filter((e: Obj) => e.name === name)).toHaveLength(1)
            if (withTls) {
              for (const kind of ['complete', 'shutdown'] as const) {
                expect(c.volumeMounts.filter((v: Obj) => v.mountPath === CERT_DEST[kind])).toEqual([
                  { name: hookNames(app, kind).volume, mountPath: CERT_DEST[kind], readOnly: true },
                ])
              }
            }
          }
          if (withTls)
            for (const kind of ['complete', 'shutdown'] as const)
              expect(pod.volumes.filter((v: Obj) => v.name === hookNames(app, kind).volume)).toHaveLength(1)
        }
        if (withTls && workloads(input).length > 0) {
          const configMaps = (second.manifests as Obj[])
            .filter((o) => o.kind === 'ConfigMap')
            .map((o) => o.metadata.name)
          expect(configMaps).toContain(hookNames(app, 'complete').configMap)
          expect(configMaps).toContain(hookNames(app, 'shutdown').configMap)
        }
        // each hook again on the stacked output changes nothing
        for (const kind of order)
          expect(injectHook(deepFreeze(second.manifests), hookOf(kind)).manifests).toEqual(second.manifests)
      }),
      { numRuns },
    )
  })
})
