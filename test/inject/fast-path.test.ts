// The fast path (src/inject/fast-path.ts) is a fast path: nothing else would notice
// if every manifest fell back to the checked path, so this test counts which
// way each manifest took (issue 15). Make copyWorkload always bail and it fails.
import { readFileSync } from 'node:fs'
import { loadAllYaml } from '@kubernetes/client-node'
import { describe, expect, it } from 'vitest'
import { deployments, hook as benchHook, smallDeployments } from '../../bench/fixtures.js'
import { injectHook, parseManifests, type HookSpec } from '../../src/index.js'
import { fastPathObserver } from '../../src/inject/fast-path.js'
import { deployment, fixtureTls, spec } from '../helpers.js'

/** How many manifests took each way while `run` ran. */
function waysTaken(run: () => unknown): { taken: number; fellBack: number } {
  const ways = { taken: 0, fellBack: 0 }
  fastPathObserver.onWay = (way) => (way === 'fast' ? ways.taken++ : ways.fellBack++)
  try {
    run()
  } finally {
    fastPathObserver.onWay = undefined
  }
  return ways
}

const golden = (name: string) =>
  parseManifests(readFileSync(new URL(`../golden/${name}.in.yaml`, import.meta.url), 'utf8'))
const goldenHook: HookSpec = { ...spec({ apiEndpoint: 'https://krake-api:8443' }), tls: fixtureTls() }

describe('the fast path is the way the common shapes take', () => {
  it.each(['job', 'deployment', 'unchanged'])('every manifest of the golden %s.in.yaml takes it', (name) => {
    const manifests = golden(name)
    expect(waysTaken(() => injectHook(manifests, goldenHook))).toEqual({ taken: manifests.length, fellBack: 0 })
  })

  it.each([
    ['small', smallDeployments],
    ['realistic', deployments],
  ])('every %s Deployment of the bench takes it, TLS on and off', (_, shape) => {
    const manifests = shape(50)
    expect(waysTaken(() => injectHook(manifests, benchHook(fixtureTls())))).toEqual({ taken: 50, fellBack: 0 })
    expect(waysTaken(() => injectHook(manifests, benchHook(undefined)))).toEqual({ taken: 50, fellBack: 0 })
  })

  it('@kubernetes/client-node models (class instances) take it', () => {
    const models = loadAllYaml(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: web, namespace: prod, creationTimestamp: 2026-01-02T03:04:05Z }',
        'spec:',
        '  selector: { matchLabels: { app: web } }',
        '  template:',
        '    metadata: { labels: { app: web } }',
        '    spec: { containers: [{ name: web, image: "nginx:1.27", env: [{ name: A, value: "1" }] }] }',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata: { name: web, namespace: prod }',
        'spec: { ports: [{ port: 80 }] }',
      ].join('\n'),
    ) as object[]
    expect(models[0]?.constructor.name).toBe('V1Deployment')
    expect(waysTaken(() => injectHook(models, goldenHook))).toEqual({ taken: 2, fellBack: 0 })
  })

  it('a clash with the hook, a List and a bad manifest do fall back (the counter can tell)', () => {
    const clash = deployment('web', 'prod', [
      { name: 'web', image: 'web:1', env: [{ name: 'KRAKE_TOKEN', value: 'x' }] },
    ])
    const list = { apiVersion: 'v1', kind: 'List', metadata: { name: 'l' }, items: [deployment('a', 'prod')] }
    expect(waysTaken(() => injectHook([clash, deployment('ok', 'prod')], spec()))).toEqual({ taken: 1, fellBack: 1 })
    expect(waysTaken(() => injectHook([list], spec()))).toEqual({ taken: 0, fellBack: 1 })
    expect(waysTaken(() => expect(() => injectHook([{ kind: 'Pod' }], spec())).toThrow())).toEqual({
      taken: 0,
      fellBack: 1,
    })
  })
})

describe('keys read with for...in only while Object.prototype carries no enumerable key (issue 20)', () => {
  it('a polluted Object.prototype changes nothing in the output: no inherited key is copied, on either way', () => {
    const manifests = [
      deployment('web', 'prod'),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: {} },
    ]
    const clean = JSON.stringify(injectHook(manifests, spec()).manifests)

    Object.defineProperty(Object.prototype, 'polluted', {
      value: 'x',
      enumerable: true,
      configurable: true,
      writable: true,
    })
    try {
      const out = injectHook(manifests, spec()).manifests
      expect(JSON.stringify(out)).toBe(clean)
      const all = JSON.stringify(out, (_, v: unknown) =>
        typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...v, own: Object.keys(v) } : v,
      )
      expect(all.includes('"polluted"')).toBe(false)
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted
    }
    expect(JSON.stringify(injectHook(manifests, spec()).manifests)).toBe(clean)
  })
})

describe('the fast path counts what it hooked once, even when it gives up half way', () => {
  it('a workload that falls back after its initContainers were copied is counted by the checked path alone', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'prod' },
      spec: {
        initContainers: [{ name: 'init', image: 'init:1' }],
        // the second container's clash makes the fast path give up after the first two were copied
        containers: [
          { name: 'a', image: 'a:1' },
          { name: 'b', image: 'b:1', env: [{ name: 'KRAKE_TOKEN', value: 'theirs' }] },
        ],
      },
    }
    let summary = ''
    expect(
      waysTaken(() => {
        summary = injectHook([pod], spec(), { initContainers: true }).results.at(-1)?.message ?? ''
      }),
    ).toEqual({ taken: 0, fellBack: 1 })
    expect(summary).toMatch(/^complete hook: hooked 1 workload \(3 containers\),/)
  })
})
