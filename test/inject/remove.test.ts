// removeHook: the exact inverse of injectHook, over generated inputs (every
// kind, option, both hooks stacked in either order) and on the cases where it
// must keep what is not the hook's.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { injectHook, removeHook, type HookSpec, type InjectOptions } from '../../src/index.js'
import { cleanManifestsArb, hookArb, numRuns, optionsArb } from '../arbitraries.js'
import {
  beforeSummary,
  container,
  deepFreeze,
  deployment,
  fixtureTls,
  hookErrorOf,
  podSpecOf,
  snapshot,
  spec,
} from '../helpers.js'

/** The names the hook writes (env names, its volume, its objects) and its mount path, read off a probe Pod. */
function hookNames(hook: HookSpec, options?: InjectOptions): string[] {
  const probe = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } }
  const [pod, ...objects] = injectHook([probe], hook, options).manifests as Array<Record<string, any>>
  const c = pod!.spec.containers[0]
  return [
    ...c.env.map((e: { name: string }) => `"name":${JSON.stringify(e.name)}`),
    ...(c.volumeMounts ?? []).flatMap((m: { mountPath: string }) => [
      `"mountPath":${JSON.stringify(m.mountPath)}`,
      `"mountPath":${JSON.stringify(m.mountPath + '/')}`,
    ]),
    ...(pod!.spec.volumes ?? []).map((v: { name: string }) => `"name":${JSON.stringify(v.name)}`),
    ...objects.map((o) => `"name":${JSON.stringify(o.metadata.name)}`),
  ]
}

/** Inputs the inverse is exact for: no entry or object of the hooks' names, no empty list the hook would fill. */
const free = (x: unknown, ...names: string[][]) => {
  const text = JSON.stringify(x)
  return !/"(env|volumes|volumeMounts)":\[\]/.test(text) && names.flat().every((n) => !text.includes(n))
}

/** `x` as JSON.stringify reads it: what injectHook takes its input for (-0 is 0). */
const asJson = (x: unknown): unknown => JSON.parse(JSON.stringify(x))

const other = (hook: HookSpec): HookSpec => ({
  ...hook,
  kind: hook.kind === 'complete' ? 'shutdown' : 'complete',
  token: `${hook.token}-other`,
})

describe('removeHook(manifests, hook, options)', () => {
  it('property: removeHook(injectHook(x)) deep-equals x, for every kind and option; a second removal changes nothing', () => {
    fc.assert(
      fc.property(cleanManifestsArb, hookArb, fc.option(optionsArb, { nil: undefined }), (x, hook, options) => {
        expect(free(x, hookNames(hook, options))).toBe(true) // the generator keeps to the premise
        const input = deepFreeze(x)
        const hooked = injectHook(input, hook, options).manifests
        const removed = removeHook(deepFreeze(hooked), hook, options)
        // x as JSON reads it (-0 is 0), which is what injectHook's output holds
        const json = asJson(x)
        expect(removed.manifests).toEqual(json)
        expect(JSON.stringify(removed.manifests)).toBe(JSON.stringify(x)) // key order too
        expect(beforeSummary(removed.results, /^(complete|shutdown) hook: removed from /)).toEqual([])
        expect(removeHook(removed.manifests, hook, options).manifests).toEqual(json)
      }),
      { numRuns },
    )
  })

  it('property: of two hooks stacked in either order, removing one leaves the other whole', () => {
    fc.assert(
      fc.property(
        cleanManifestsArb,
        hookArb,
        fc.option(optionsArb, { nil: undefined }),
        fc.boolean(),
        (x, hook, options, removeFirst) => {
          const second = other(hook)
          expect(free(x, hookNames(hook, options), hookNames(second, options))).toBe(true)
          const both = injectHook(injectHook(deepFreeze(x), hook, options).manifests, second, options).manifests
          const [gone, stays] = removeFirst ? [hook, second] : [second, hook]
          const left = removeHook(deepFreeze(both), gone, options).manifests
          expect(JSON.stringify(left)).toBe(JSON.stringify(injectHook(x, stays, options).manifests))
          expect(removeHook(left, stays, options).manifests).toEqual(asJson(x))
        },
      ),
      { numRuns },
    )
  })

  it("keeps an entry of the hook's name whose value is not the hook's, with a warning naming it, and the volume and ConfigMap it still names", () => {
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    const [hooked, ...objects] = injectHook([deployment('web', 'prod', [container('a')])], hook).manifests as Array<
      Record<string, any>
    >
    const pod = podSpecOf(hooked!)
    pod.containers[0].env[0].value = 'rotated'
    pod.containers[0].volumeMounts[0].readOnly = false
    const { manifests, results } = removeHook([hooked, ...objects], hook)
    // the edited mount stays, so the volume it names and the ConfigMap that volume names stay too:
    // a Pod is never left mounting a volume that is gone
    expect(manifests).toEqual([expect.anything(), objects[0]])
    expect(podSpecOf(manifests[0] as object)).toEqual({
      containers: [
        {
          ...container('a'),
          env: [{ name: 'KRAKE_TOKEN', value: 'rotated' }],
          volumeMounts: [{ name: 'nginx-demo-krake-volume', mountPath: '/etc/krake_cert', readOnly: false }],
        },
      ],
      volumes: [{ name: 'nginx-demo-krake-volume', configMap: { name: 'nginx-demo-krake-configmap' } }],
    })
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'prod' }
    expect(
      beforeSummary(results, /^complete hook: removed from 1 workload \(1 container\), removed 0 objects/),
    ).toEqual([
      {
        severity: 'warning',
        message: `env var "KRAKE_TOKEN" of container "a" stands where the hook's would and is not the hook's; kept it`,
        resourceRef: ref,
        field: '/spec/template/spec/containers/0/env/0',
      },
      {
        severity: 'warning',
        message: `volumeMount "nginx-demo-krake-volume" of container "a" stands where the hook's would and is not the hook's; kept it`,
        resourceRef: ref,
        field: '/spec/template/spec/containers/0/volumeMounts/0',
      },
      {
        severity: 'warning',
        message: `volume "nginx-demo-krake-volume" is the hook's, but container "a" still mounts it; kept it`,
        resourceRef: ref,
        field: '/spec/template/spec/volumes',
      },
      {
        severity: 'warning',
        message: `ConfigMap "nginx-demo-krake-configmap" is the hook's, but a workload kept still refers to it; kept it`,
        resourceRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'nginx-demo-krake-configmap', namespace: 'prod' },
        field: '/1',
      },
    ])
  })

  it("keeps the hook's volume while a second mount of it (or one with a subPath) stays, and the ConfigMap with it", () => {
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    for (const edit of [
      (c: Record<string, any>) => c.volumeMounts.push({ name: 'nginx-demo-krake-volume', mountPath: '/ca' }),
      (c: Record<string, any>) => (c.volumeMounts[0].subPath = 'ca-bundle.pem'),
    ]) {
      const [hooked, ...objects] = injectHook([deployment('web', 'prod', [container('a'), container('b')])], hook)
        .manifests as Array<Record<string, any>>
      edit(podSpecOf(hooked!).containers[1])
      const input = deepFreeze([hooked, ...objects])
      const { manifests } = removeHook(input, hook)
      const pod = podSpecOf(manifests[0] as object)
      expect(pod.containers[0]).toEqual(container('a'))
      expect(pod.volumes).toEqual([
        { name: 'nginx-demo-krake-volume', configMap: { name: 'nginx-demo-krake-configmap' } },
      ])
      expect(manifests.slice(1)).toEqual(objects)
      // what stays is whole again once the mount goes: a second removal, after the user's edit is undone
      delete pod.containers[1].volumeMounts
      expect(removeHook(manifests, hook).manifests).toEqual([expect.anything()])
    }
  })

  it('keeps the token Secret that env entries still name when removed with other options than injected', () => {
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    const injected = injectHook([deployment('web', 'prod', [container('a')])], hook, {
      tokenFrom: 'secret',
      certStorage: 'Secret',
    }).manifests as Array<Record<string, any>>
    // removed as if injected with values: the env entries (secret references) are not the hook's as
    // now described, so they stay, and so does the token Secret they name; the certs Secret goes,
    // as nothing names it once the volume is gone (its mount equals the hook's and is removed)
    const { manifests, results } = removeHook(deepFreeze(injected), hook, { certStorage: 'Secret' })
    const kinds = manifests.slice(1).map((o: any) => o.metadata.name)
    expect(kinds).toEqual(['nginx-demo-krake-token'])
    const env = podSpecOf(manifests[0] as object).containers[0].env
    expect(env.map((e: any) => e.valueFrom.secretKeyRef.name)).toEqual([
      'nginx-demo-krake-token',
      'nginx-demo-krake-token',
    ])
    expect(
      results.some((r) => /Secret "nginx-demo-krake-token" is the hook's, but a workload kept/.test(r.message)),
    ).toBe(true)
  })

  it("leaves an init container's own KRAKE_TOKEN alone when the hook was not told to write init containers", () => {
    const hook = spec()
    const [probe] = injectHook([deployment('web', 'prod', [container('a')])], hook).manifests as Array<
      Record<string, any>
    >
    const own = podSpecOf(probe!).containers[0].env[0] // equal to the hook's entry, but written by the user
    const d = deployment('web', 'prod', [container('a')]) as Record<string, any>
    podSpecOf(d).initContainers = [container('init', { env: [own] })]
    const hooked = injectHook([d], hook).manifests
    const removed = removeHook(deepFreeze(hooked), hook).manifests
    expect(podSpecOf(removed[0] as object).initContainers).toEqual([container('init', { env: [own] })])
    expect(removed).toEqual([d])
    // told to, it writes there and takes out of there
    const both = injectHook([d], hook, { initContainers: true }).manifests
    expect(podSpecOf(removeHook(both, hook, { initContainers: true }).manifests[0] as object).initContainers).toEqual([
      container('init'),
    ])
  })

  it("finds the hook's objects by their label and annotations, never by name alone", () => {
    const hook = spec({ apiEndpoint: 'https://krake:8443', tls: fixtureTls() })
    const [, ours] = injectHook([deployment('web', 'prod')], hook).manifests as Array<Record<string, any>>
    const renamed = { ...ours, metadata: { ...ours!.metadata, name: 'renamed' } }
    const unmarked = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ours!.metadata.name }, data: {} }
    const otherApp = {
      ...ours,
      metadata: { ...ours!.metadata, annotations: { ...ours!.metadata.annotations, 'krake-hooks/application': 'x/y' } },
    }
    const otherKind = {
      ...ours,
      metadata: { ...ours!.metadata, annotations: { ...ours!.metadata.annotations, 'krake-hooks/hook': 'shutdown' } },
    }
    const list = { apiVersion: 'v1', kind: 'List', items: [ours, unmarked] }
    const input = deepFreeze([ours, renamed, unmarked, otherApp, otherKind, list])
    const before = snapshot(input)
    const { manifests } = removeHook(input, hook)
    expect(manifests).toEqual([unmarked, otherApp, otherKind, { ...list, items: [unmarked] }])
    expect(snapshot(input)).toBe(before)
  })

  it('refuses a bad hook or a malformed manifest as injectHook does', () => {
    expect(hookErrorOf(() => removeHook([], { ...spec(), token: 7 } as never)).code).toBe('ERR_INVALID_HOOK')
    expect(hookErrorOf(() => removeHook('x' as never, spec())).code).toBe('ERR_INVALID_MANIFESTS')
    const e = hookErrorOf(() => removeHook([{ apiVersion: 'v1', kind: 'Pod', metadata: {} }], spec()))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_MANIFEST', '/0/metadata/name'])
  })
})
