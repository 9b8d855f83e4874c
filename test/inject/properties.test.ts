import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HookError, injectHook, stringifyManifests } from '../../src/index.js'
import { hookNames } from '../../src/inject/names.js'
import { hookArb, manifestsArb, numRuns, optionsArb } from '../arbitraries.js'
import { deepFreeze, podSpecOf, snapshot } from '../helpers.js'

type Obj = Record<string, any>

const CERT_DEST = { complete: '/etc/krake_cert', shutdown: '/etc/krake_shutdown_cert' }
const ENV = { complete: ['KRAKE_TOKEN', 'KRAKE_COMPLETE_URL'], shutdown: ['KRAKE_SHUTDOWN_TOKEN', 'KRAKE_SHUTDOWN_URL'] }
const WORKLOAD_KINDS = new Set(['Pod', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicationController', 'PodTemplate', 'CronJob'])

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

describe('injectHook: properties (fast-check)', () => {
  it('only HookError escapes, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(manifestsArb, fc.anything()), fc.oneof(hookArb, fc.anything()), fc.oneof(optionsArb, fc.anything()), (m, h, o) => {
        try {
          injectHook(m as never, h as never, o as never)
        } catch (e) {
          if (!(e instanceof HookError)) throw e
        }
      }),
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
        expect(stringifyManifests(twice.manifests)).toBe(stringifyManifests(once.manifests))
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
        for (const w of workloads(manifests as Obj[])) {
          const pod = podSpecOf(w)
          const hooked = [...pod.containers, ...(initContainers ? (pod.initContainers ?? []) : [])]
          for (const c of hooked) {
            expect(c.env.filter((e: Obj) => e.name === tokenName)).toHaveLength(1)
            expect(c.env.filter((e: Obj) => e.name === urlName)).toHaveLength(1)
            if (hook.tls) {
              expect(c.volumeMounts.filter((v: Obj) => v.name === volume || v.mountPath === CERT_DEST[hook.kind])).toHaveLength(1)
            }
          }
          if (hook.tls) expect(pod.volumes.filter((v: Obj) => v.name === volume)).toHaveLength(1)
        }
      }),
      { numRuns },
    )
  })
})
