import type { HookSpec } from '../dist/index.js'

/**
 * `n` small Deployments, the shape of Krake's own test manifests: 3
 * containers with a name, an image and one port each. The shape that
 * flatters us least: little to copy, so the per-container work shows.
 */
export function smallDeployments(n: number): object[] {
  const out: object[] = []
  for (let i = 0; i < n; i++) {
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, namespace: `ns-${i % 10}` },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: `app-${i}` } },
        template: {
          metadata: { labels: { app: `app-${i}` } },
          spec: {
            containers: [0, 1, 2].map((c) => ({
              name: `c${c}`,
              image: `nginx:1.${c}`,
              ports: [{ containerPort: 80 }],
            })),
          },
        },
      },
    })
  }
  return out
}

/** `n` Deployments of 3 containers each, shaped like real ones (ports, env, resources, probes). */
export function deployments(n: number): object[] {
  const out: object[] = []
  for (let i = 0; i < n; i++) {
    const containers = [0, 1, 2].map((c) => ({
      name: `c${c}`,
      image: `registry.example/app-${i % 50}:1.${c}`,
      ports: [{ containerPort: 8080 + c, protocol: 'TCP' }],
      env: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      ],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      readinessProbe: { httpGet: { path: '/healthz', port: 8080 + c }, periodSeconds: 10 },
    }))
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, namespace: `ns-${i % 10}`, labels: { app: `app-${i}`, tier: 'backend' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: `app-${i}` } },
        template: {
          metadata: { labels: { app: `app-${i}`, tier: 'backend' } },
          spec: { containers, volumes: [{ name: 'tmp', emptyDir: {} }] },
        },
      },
    })
  }
  return out
}

/** One application as a controller hooks it per call: a realistic Deployment and its Service. */
export function oneApplication(): [object, object] {
  const [deployment = {}] = deployments(1)
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'app-0', namespace: 'ns-0' },
    spec: { ports: [{ port: 80 }] },
  }
  return [deployment, service]
}

/**
 * The floor every injection figure is a ratio against: the plainest deep copy
 * of JSON data, `for...in` over objects and an index loop over arrays, with
 * no checks at all. (Until 2026-12-03 the floor copied with `Object.keys`
 * and `map`, about twice as slow, which made every ratio look twice as good.)
 */
export function deepCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v
  if (Array.isArray(v)) {
    const n = v.length
    const out = new Array<unknown>(n)
    for (let i = 0; i < n; i++) out[i] = deepCopy(v[i])
    return out
  }
  const out: Record<string, unknown> = {}
  for (const k in v) out[k] = deepCopy((v as Record<string, unknown>)[k])
  return out
}

/** The floor the figures used until 2026-12-03 (Object.keys and map): kept to compare with figures of before. */
export function keysCopy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v
  if (Array.isArray(v)) return v.map(keysCopy)
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(v)) out[k] = keysCopy((v as Record<string, unknown>)[k])
  return out
}

export const hook = (tls: HookSpec['tls']): HookSpec => ({
  kind: 'complete',
  app: { name: 'bench', namespace: 'default' },
  apiEndpoint: 'https://krake-api:8443',
  token: 'bench-token-0123456789abcdefghijklmnopqrstuv',
  tls,
})
