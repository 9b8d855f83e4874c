import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { HookError, type HookSpec } from '../src/index.js'

export const root = fileURLToPath(new URL('..', import.meta.url))
export const fixture = (rel: string) => readFileSync(new URL(`./fixtures/${rel}`, import.meta.url), 'utf8')

/** The fixed PKI of test/fixtures/pki, as a hook's TLS material. */
export const fixtureTls = () => ({
  caBundlePem: fixture('pki/root.pem') + fixture('pki/intermediate.pem'),
  certPem: fixture('pki/leaf.pem'),
  keyPem: fixture('pki/leaf-key.pem'),
})

/** Freezes every object reachable from `value`, as the purity tests demand. */
export function deepFreeze<T>(value: T): T {
  // typed arrays cannot be frozen; they are not manifest data anyway
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

/** A JSON snapshot to compare the input against after a call. */
export const snapshot = (v: unknown) =>
  JSON.stringify(v, (_, x) =>
    typeof x === 'bigint' || typeof x === 'function' || typeof x === 'symbol' ? `<${typeof x}:${String(x)}>` : x,
  )

export const TOKEN = 'tok-0123456789abcdefghijklmnopqrstuvwxyzABCDEFG'

export function spec(over: Partial<HookSpec> = {}): HookSpec {
  return {
    kind: 'complete',
    app: { name: 'nginx-demo', namespace: 'secondary' },
    apiEndpoint: 'http://krake-api:8080',
    token: TOKEN,
    ...over,
  }
}

export function container(name: string, extra: Record<string, unknown> = {}) {
  return { name, image: `${name}:1`, ...extra }
}

export function deployment(name: string, namespace: string | undefined, containers: unknown[] = [container('nginx')]) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: namespace === undefined ? { name } : { name, namespace },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers } },
    },
  }
}

type Obj = Record<string, any>

/** The pod spec of a workload, whatever its kind. */
export function podSpecOf(obj: Obj): Obj {
  switch (obj.kind) {
    case 'Pod':
      return obj.spec
    case 'PodTemplate':
      return obj.template.spec
    case 'CronJob':
      return obj.spec.jobTemplate.spec.template.spec
    default:
      return obj.spec.template.spec
  }
}

export const envOf = (c: Obj, name: string) => (c.env as Obj[] | undefined)?.filter((e) => e.name === name) ?? []

/** The HookError `fn` throws; fails the test when it throws something else or nothing. */
export function hookErrorOf(fn: () => unknown): HookError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(HookError)
    return e as HookError
  }
  throw new Error('expected a HookError')
}

/** The HookError `promise` rejects with; fails the test otherwise. */
export async function hookErrorOfAsync(promise: Promise<unknown>): Promise<HookError> {
  try {
    await promise
  } catch (e) {
    expect(e).toBeInstanceOf(HookError)
    return e as HookError
  }
  throw new Error('expected a HookError')
}

/** One of our own Krake controller configuration files in test/fixtures/krake (see its README). */
export const krakeFixture = (name: string) => fixture(`krake/${name}`)

/** The summary result that ends every result list. */
export const SUMMARY =
  /^(complete|shutdown) hook: hooked \d+ workloads? \(\d+ containers?\), added \d+ objects?; left alone \d+ objects?: \d+ not a workload, \d+ opted out, \d+ hooked already/

/** The results before the summary that ends every result list; fails unless the list ends with exactly one. */
export function beforeSummary<R extends { severity: string; message: string }>(
  results: readonly R[],
  summary: RegExp = SUMMARY,
): R[] {
  const last = results.at(-1)
  expect(last?.severity).toBe('info')
  expect(last?.message).toMatch(summary)
  const rest = results.slice(0, -1)
  expect(rest.filter((r) => summary.test(r.message))).toEqual([])
  return rest
}
