// mangleApplication in the current layout: Krake's own current hook tests
// (complete and shutdown: on, disabled, TLS, default namespace, external
// endpoint, sending, sending with TLS and RBAC, reschedule) ported to our
// public API, and the observer schema in Krake's format.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type ApiServer } from '../../examples/api-server.js'
import {
  mangleApplication,
  parseKrakeHooksConfig,
  signalHook,
  stringifyManifests,
  type KrakeApplication,
  type KrakeHooksContext,
} from '../../src/index.js'
import { deepFreeze, deployment, hookErrorOfAsync, krakeFixture, podSpecOf } from '../helpers.js'
import { containerEnv, mountedFiles } from '../kubelet.js'
import { makePki, type Pki } from '../pki.js'

type Obj = Record<string, any>
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
const unb64 = (s: string) => Buffer.from(s, 'base64').toString('utf8')
const PKI = { intermediate_src: 'inter-ec-sec1.pem', intermediate_key_src: 'inter-ec-sec1-key.pem' }
// Krake's current hooks_config fixture: both hooks, current names
const hooks = parseKrakeHooksConfig({
  hooks: {
    complete: { ...PKI, env_url: 'KRAKE_COMPLETE_URL' },
    shutdown: { intermediate_src: 'inter-rsa-pkcs8.pem', intermediate_key_src: 'inter-rsa-pkcs8-key.pem' },
  },
})
const nginx = (namespace: string | null = 'secondary') =>
  deployment('nginx-demo', namespace ?? undefined, [
    { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
  ])
const app = (hookNames: string[], manifest: object[] = [nginx()], status?: Obj, spec: Obj = {}): KrakeApplication =>
  deepFreeze({
    metadata: { name: 'nginx-demo', namespace: 'secondary', uid: 'u-1' },
    spec: { manifest, hooks: hookNames, ...spec },
    ...(status ? { status } : {}),
  })
const noTls: KrakeHooksContext = { apiEndpoint: 'http://krake-api:8080' }

describe("mangleApplication in the current layout (Krake's current test_hook.py, ported)", () => {
  it('the configuration is read in the current layout', () => {
    expect(hooks.layout).toBe('current')
  })

  it("a current controller configuration file (the template, filled) and an Application as Krake's API stores it run through unchanged", async () => {
    const text = krakeFixture('controller-current.yaml')
    const stored = deepFreeze({
      api: 'kubernetes',
      kind: 'Application',
      metadata: {
        name: 'nginx-demo',
        namespace: 'secondary',
        uid: 'a3b1',
        created: '2026-12-01T10:00:00+00:00',
        modified: '2026-12-01T10:00:00+00:00',
        deleted: null,
        finalizers: [],
        labels: {},
        owners: [],
      },
      spec: {
        manifest: [nginx()],
        observer_schema: [],
        hooks: ['complete', 'shutdown'],
        constraints: { cluster: { labels: [], custom_resources: [] } },
        shutdown_grace_time: null,
      },
      status: {
        state: 'PENDING',
        reason: null,
        services: {},
        scheduled_to: null,
        running_on: null,
        last_applied_manifest: null,
        last_observed_manifest: [],
        mangled_observer_schema: [],
        complete_token: null,
        complete_cert: null,
        complete_key: null,
        shutdown_token: null,
        shutdown_cert: null,
        shutdown_key: null,
      },
    })
    const r = await mangleApplication(stored, parseKrakeHooksConfig(text), noTls)
    expect(r.manifests.map((m: Obj) => m.kind)).toEqual(['Deployment', 'Secret', 'Secret'])
    expect(r.status).toMatchObject({
      state: 'PENDING',
      services: {},
      complete_token: expect.any(String),
      shutdown_token: expect.any(String),
      complete_cert: null,
      last_observed_manifest: [],
    })
    expect((r.status.mangled_observer_schema as Obj[]).map((s) => s.kind)).toEqual(['Deployment', 'Secret', 'Secret'])
  })

  it('complete hook: token and URL in the Opaque Secret <app>-krake-complete-secret-token, read with secretKeyRef', async () => {
    const r = await mangleApplication(app(['complete']), hooks, noTls)
    expect(r.manifests.map((m: Obj) => `${m.kind}/${m.metadata.name}`)).toEqual([
      'Deployment/nginx-demo',
      'Secret/nginx-demo-krake-complete-secret-token',
    ])
    const secret = r.manifests[1] as Obj
    expect(secret.type).toBe('Opaque')
    expect(secret.metadata.namespace).toBe('secondary')
    expect(secret.data).toEqual({
      krake_complete_token: b64(r.status.complete_token as string),
      krake_complete_url: b64('http://krake-api:8080/kubernetes/namespaces/secondary/applications/nginx-demo/complete'),
    })
    expect(podSpecOf(r.manifests[0] as Obj).containers[0].env).toEqual([
      {
        name: 'KRAKE_COMPLETE_TOKEN',
        valueFrom: { secretKeyRef: { name: 'nginx-demo-krake-complete-secret-token', key: 'krake_complete_token' } },
      },
      {
        name: 'KRAKE_COMPLETE_URL',
        valueFrom: { secretKeyRef: { name: 'nginx-demo-krake-complete-secret-token', key: 'krake_complete_url' } },
      },
    ])
    expect(r.status.complete_token).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('hook disabled by the user: no Secret, no variable; the status still gets the schema Krake makes', async () => {
    const r = await mangleApplication(app([]), hooks, noTls)
    expect(r.manifests).toEqual([nginx()])
    expect(r.status.complete_token).toBeUndefined()
    expect(r.status.last_applied_manifest).toEqual([nginx()])
    expect((r.status.mangled_observer_schema as Obj[]).map((s) => `${s.kind}/${s.metadata.name}`)).toEqual([
      'Deployment/nginx-demo',
    ])
  })

  it('default namespace: a workload without a namespace gets Secrets without one (Krake writes "default"; ours land where the workload lands)', async () => {
    const r = await mangleApplication(app(['complete', 'shutdown'], [nginx(null)]), hooks, noTls)
    for (const m of r.manifests as Obj[]) expect(m.metadata.namespace).toBeUndefined()
    expect(r.manifests).toHaveLength(3)
  })

  it('external endpoint: the URL in the Secret is built on external_endpoint, its scheme following TLS', async () => {
    const cfg = parseKrakeHooksConfig({
      complete: { ...PKI, external_endpoint: 'https://krake.example:8443/base' },
      shutdown: PKI,
    })
    const r = await mangleApplication(app(['complete']), cfg, noTls)
    expect(unb64((r.manifests[1] as Obj).data.krake_complete_url)).toBe(
      'http://krake.example:8443/base/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
    )
  })

  it('reschedule: run again with the returned status, the same manifests, status and schema byte for byte', async () => {
    const first = await mangleApplication(app(['complete', 'shutdown']), hooks, noTls)
    const second = await mangleApplication(app(['complete', 'shutdown'], [nginx()], first.status), hooks, noTls)
    expect(second.status).toEqual(first.status)
    expect(stringifyManifests(second.manifests)).toBe(stringifyManifests(first.manifests))
  })

  it('explicit options still override: tokenFrom "value" writes plain values and no token Secret', async () => {
    const r = await mangleApplication(app(['complete']), hooks, { ...noTls, options: { tokenFrom: 'value' } })
    expect(r.manifests).toHaveLength(1)
    expect(podSpecOf(r.manifests[0] as Obj).containers[0].env[0]).toEqual({
      name: 'KRAKE_COMPLETE_TOKEN',
      value: r.status.complete_token,
    })
  })
})

describe('the current layout with TLS', () => {
  let pki: Pki
  let api: ApiServer
  let tls: NonNullable<KrakeHooksContext['tls']>
  beforeAll(async () => {
    pki = makePki()
    tls = {
      caPems: [pki.read('root.pem')],
      complete: { certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-ec-sec1-key.pem') },
      shutdown: { certPem: pki.read('inter-rsa-pkcs8.pem'), keyPem: pki.read('inter-rsa-pkcs8-key.pem') },
    }
    api = await startApiServer({
      key: pki.read('server-key.pem'),
      cert: pki.read('server.pem'),
      ca: pki.read('root.pem'),
      hookUser: { complete: 'system:complete-hook', shutdown: 'system:shutdown-hook' },
    })
  })
  afterAll(async () => {
    await api?.close()
    pki?.cleanup()
  })
  const ctx = (): KrakeHooksContext => ({ apiEndpoint: api.url, tls, keyAlgorithm: 'ECDSA-P256' })

  it('TLS: the Secret <app>-krake-<hook>-secret-certs, the volume <app>-krake-<hook>-volume at cert_dest, in the namespace of the workload', async () => {
    const r = await mangleApplication(app(['complete', 'shutdown']), hooks, ctx())
    expect(r.manifests.map((m: Obj) => `${m.kind}/${m.metadata.namespace}/${m.metadata.name}`)).toEqual([
      'Deployment/secondary/nginx-demo',
      'Secret/secondary/nginx-demo-krake-complete-secret-certs',
      'Secret/secondary/nginx-demo-krake-complete-secret-token',
      'Secret/secondary/nginx-demo-krake-shutdown-secret-certs',
      'Secret/secondary/nginx-demo-krake-shutdown-secret-token',
    ])
    const certs = r.manifests[1] as Obj
    expect(certs.type).toBe('Opaque')
    expect(unb64(certs.data['ca-bundle.pem'])).toBe(pki.read('root.pem') + pki.read('inter-ec-sec1.pem'))
    expect(unb64(certs.data['key.pem'])).toBe(r.status.complete_key)
    const pod = podSpecOf(r.manifests[0] as Obj)
    expect(pod.volumes).toEqual([
      { name: 'nginx-demo-krake-complete-volume', secret: { secretName: 'nginx-demo-krake-complete-secret-certs' } },
      { name: 'nginx-demo-krake-shutdown-volume', secret: { secretName: 'nginx-demo-krake-shutdown-secret-certs' } },
    ])
    expect(pod.containers[0].volumeMounts).toEqual([
      { name: 'nginx-demo-krake-complete-volume', mountPath: '/etc/krake_complete_certs', readOnly: true },
      { name: 'nginx-demo-krake-shutdown-volume', mountPath: '/etc/krake_shutdown_certs', readOnly: true },
    ])
  })

  it('sending: with only what the deployed objects give the container, the complete call is accepted and the application deleted', async () => {
    const r = await mangleApplication(app(['complete'], [deployment('sender', 'secondary')], undefined), hooks, ctx())
    const manifests = r.manifests as Obj[]
    await api.addApp('secondary', 'nginx-demo', { complete: r.status.complete_token as string })
    const env = containerEnv(manifests, manifests[0]!)
    const certDir = mountedFiles(manifests, manifests[0]!, '/etc/krake_complete_certs', pki.path('sending-certs'))
    expect(await signalHook('complete', { env, certDir, retries: 0 })).toEqual({ ok: true, status: 200, attempts: 1 })
    expect(api.apps.get('secondary/nginx-demo')!.application).toMatchObject({
      status: { state: 'READY_FOR_ACTION' },
      metadata: { deleted: expect.any(String) },
    })
  })

  it('sending with TLS and RBAC: the API checks the CN per hook, so the shutdown certificate cannot call complete', async () => {
    const r = await mangleApplication(app(['complete', 'shutdown']), hooks, ctx())
    const manifests = r.manifests as Obj[]
    await api.addApp(
      'secondary',
      'nginx-demo',
      { complete: r.status.complete_token as string, shutdown: r.status.shutdown_token as string },
      'RUNNING',
    )
    const env = containerEnv(manifests, manifests[0]!)
    const shutdownCerts = mountedFiles(
      manifests,
      manifests[0]!,
      '/etc/krake_shutdown_certs',
      pki.path('rbac-shutdown-certs'),
    )
    const completeCerts = mountedFiles(
      manifests,
      manifests[0]!,
      '/etc/krake_complete_certs',
      pki.path('rbac-complete-certs'),
    )
    expect(await signalHook('complete', { env, certDir: shutdownCerts, retries: 0 })).toMatchObject({
      ok: false,
      status: 403,
    })
    // shutdown of a RUNNING application: accepted, and nothing changes (as Krake)
    expect(await signalHook('shutdown', { env, certDir: shutdownCerts, retries: 0 })).toMatchObject({
      ok: true,
      status: 200,
    })
    expect(api.apps.get('secondary/nginx-demo')!.application.status.state).toBe('RUNNING')
    expect(await signalHook('complete', { env, certDir: completeCerts, retries: 0 })).toMatchObject({
      ok: true,
      status: 200,
    })
  })

  it("the observer schema, in Krake's format, on a Deployment with TLS and both hooks", async () => {
    const r = await mangleApplication(app(['complete', 'shutdown']), hooks, ctx())
    const control = (n: number) => ({ observer_schema_list_min_length: n, observer_schema_list_max_length: n })
    const secretSchema = (name: string, keys: string[]) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace: null,
        labels: { 'app.kubernetes.io/managed-by': null },
        annotations: { 'krake-hooks/hook': null, 'krake-hooks/application': null },
      },
      type: null,
      data: Object.fromEntries(keys.map((k) => [k, null])),
    })
    const envSchema = { name: null, valueFrom: { secretKeyRef: { name: null, key: null } } }
    const mountSchema = { name: null, mountPath: null, readOnly: null }
    expect(r.status.mangled_observer_schema).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'nginx-demo', namespace: null },
        spec: {
          selector: { matchLabels: { app: null } },
          template: {
            metadata: { labels: { app: null } },
            spec: {
              containers: [
                {
                  name: null,
                  image: null,
                  ports: [{ containerPort: null }, control(1)],
                  volumeMounts: [mountSchema, mountSchema, control(2)],
                  env: [envSchema, envSchema, envSchema, envSchema, control(4)],
                },
                control(1),
              ],
              volumes: [
                { name: null, secret: { secretName: null } },
                { name: null, secret: { secretName: null } },
                control(2),
              ],
            },
          },
        },
      },
      secretSchema('nginx-demo-krake-complete-secret-certs', ['ca-bundle.pem', 'cert.pem', 'key.pem']),
      secretSchema('nginx-demo-krake-complete-secret-token', ['krake_complete_token', 'krake_complete_url']),
      secretSchema('nginx-demo-krake-shutdown-secret-certs', ['ca-bundle.pem', 'cert.pem', 'key.pem']),
      secretSchema('nginx-demo-krake-shutdown-secret-token', ['krake_shutdown_token', 'krake_shutdown_url']),
    ])
    expect(r.status.last_applied_manifest).toEqual(r.manifests)
  })

  it("a custom spec.observer_schema is kept, and what the hooks add is observed in it (Krake's _inject)", async () => {
    const custom = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'nginx-demo' },
      spec: { replicas: null },
    }
    const r = await mangleApplication(app(['complete'], [nginx()], undefined, { observer_schema: [custom] }), hooks, {
      apiEndpoint: 'http://k:8080',
    })
    const deploymentSchema = (r.status.mangled_observer_schema as Obj[])[0]!
    expect(deploymentSchema.spec.replicas).toBeNull()
    // the containers were not observed (Krake itself raises a TypeError on such a schema, issue 33):
    // {} for the container, then its env, and the list's limits as long as the Deployment's, so the
    // observer sees no drift
    expect(deploymentSchema.spec.template.spec.containers).toEqual([
      {
        env: [
          { name: null, valueFrom: { secretKeyRef: { name: null, key: null } } },
          { name: null, valueFrom: { secretKeyRef: { name: null, key: null } } },
          { observer_schema_list_min_length: 2, observer_schema_list_max_length: 2 },
        ],
      },
      { observer_schema_list_min_length: 1, observer_schema_list_max_length: 1 },
    ])
  })
})

describe('mangleApplication: errors point at the configuration key the caller wrote (issue 12), and the message does not repeat it (issue 15)', () => {
  it.each([
    [
      { complete: { ...PKI, cert_dest: '/etc/./x' } },
      '/hooks/complete/cert_dest',
      /^certDest must be a clean absolute path/,
    ],
  ])('%j is refused at %s', async (config, path, message) => {
    const kinds = Object.keys(config)
    // current Krake needs both hooks configured; the application asks for the one under test
    const both = parseKrakeHooksConfig({ shutdown: PKI, ...config })
    const e = await hookErrorOfAsync(mangleApplication(app(kinds), both, noTls))
    expect([e.code, e.path]).toEqual([expect.stringMatching(/^ERR_INVALID_OPTION$/), path])
    expect(e.message).toMatch(message)
  })
})

describe('mangleApplication runs complete, then shutdown, as Krake does (issue 17)', () => {
  it('spec.hooks [shutdown, complete] gives what [complete, shutdown] gives: env entries, objects and observer schema in that order', async () => {
    const status = {
      complete_token: 'complete-token-0123456789abcdef',
      shutdown_token: 'shutdown-token-0123456789abcdef',
    }
    const forward = await mangleApplication(app(['complete', 'shutdown'], [nginx()], status), hooks, noTls)
    const backward = await mangleApplication(app(['shutdown', 'complete'], [nginx()], status), hooks, noTls)
    expect(backward.manifests).toEqual(forward.manifests)
    expect(backward.status.mangled_observer_schema).toEqual(forward.status.mangled_observer_schema)
    const env = (podSpecOf(backward.manifests[0] as Obj).containers[0].env as Obj[]).map((e) => e.name)
    expect(env).toEqual(['KRAKE_COMPLETE_TOKEN', 'KRAKE_COMPLETE_URL', 'KRAKE_SHUTDOWN_TOKEN', 'KRAKE_SHUTDOWN_URL'])
    expect((backward.manifests as Obj[]).slice(1).map((m) => m.metadata.name)).toEqual([
      'nginx-demo-krake-complete-secret-token',
      'nginx-demo-krake-shutdown-secret-token',
    ])
  })
})

describe('variable names as the API server takes them (issue 17)', () => {
  it('env_token KRAKE-TOKEN and env_url my.url are read and injected, as Krake and Kubernetes take them', async () => {
    const named = parseKrakeHooksConfig({
      hooks: { complete: { ...PKI, env_token: 'KRAKE-TOKEN', env_url: 'my.url' }, shutdown: PKI },
    })
    expect([named.complete?.envToken, named.complete?.envUrl]).toEqual(['KRAKE-TOKEN', 'my.url'])
    const r = await mangleApplication(app(['complete']), named, noTls)
    expect((podSpecOf(r.manifests[0] as Obj).containers[0].env as Obj[]).map((e) => e.name)).toEqual([
      'KRAKE-TOKEN',
      'my.url',
    ])
    expect(Object.keys((r.manifests[1] as Obj).data as Obj)).toEqual(['krake-token', 'my.url'])
  })
})

describe('the observer schema observes what is applied (issue 17)', () => {
  it("a Secret of the hook's name in spec.manifest, replaced by the hook's: its schema observes the hook's keys, not the user's", async () => {
    const users = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'nginx-demo-krake-complete-secret-token', namespace: 'secondary' },
      data: { user: 'eA==' },
    }
    const r = await mangleApplication(app(['complete'], [nginx(), users]), hooks, noTls)
    const secret = (r.manifests as Obj[]).find((m) => m.kind === 'Secret')!
    expect(Object.keys(secret.data as Obj)).toEqual(['krake_complete_token', 'krake_complete_url'])
    const schemas = (r.status.mangled_observer_schema as Obj[]).filter((s) => s.kind === 'Secret')
    expect(schemas).toHaveLength(1)
    expect(schemas[0]!.data).toEqual({ krake_complete_token: null, krake_complete_url: null })
  })
})

describe("the observer schema observes exactly the entries the manifest holds, in Krake's order (issue 33)", () => {
  let pki: Pki
  beforeAll(() => {
    pki = makePki()
  })
  afterAll(() => pki?.cleanup())
  const withTls = (): KrakeHooksContext => ({
    apiEndpoint: 'https://krake-api:8443',
    keyAlgorithm: 'ECDSA-P256',
    tls: {
      caPems: [pki.read('root.pem')],
      complete: { certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-ec-sec1-key.pem') },
      shutdown: { certPem: pki.read('inter-rsa-pkcs8.pem'), keyPem: pki.read('inter-rsa-pkcs8-key.pem') },
    },
  })
  /** A schema list's element entries and its limits. */
  const observed = (list: Obj[]) => ({
    entries: list.slice(0, -1),
    min: list.at(-1)!.observer_schema_list_min_length as number,
    max: list.at(-1)!.observer_schema_list_max_length as number,
  })

  it("a Pod with its own KRAKE_COMPLETE_TOKEN, replaced in place: the env schema is as long as the env list, the hook's entry observed where it stands", async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'secondary' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'x',
            env: [
              { name: 'A', value: '1' },
              { name: 'KRAKE_COMPLETE_TOKEN', value: 'mine' },
            ],
          },
        ],
      },
    }
    const r = await mangleApplication(app(['complete'], [pod]), hooks, noTls)
    const env = (r.manifests[0] as Obj).spec.containers[0].env as Obj[]
    expect(env.map((e) => e.name)).toEqual(['A', 'KRAKE_COMPLETE_TOKEN', 'KRAKE_COMPLETE_URL'])
    const schema = (r.status.mangled_observer_schema as Obj[]).find((s) => s.kind === 'Pod')!
    const { entries, min, max } = observed(schema.spec.containers[0].env as Obj[])
    expect([entries.length, min, max]).toEqual([3, 3, 3])
    // the hook's entry, observed as Krake observes what it adds (its default schema), in the place it took
    expect(entries[1]).toEqual({ name: null, valueFrom: { secretKeyRef: { name: null, key: null } } })
    expect(entries[0]).toEqual({ name: null, value: null }) // the user's own, observed as Krake's default schema
  })

  it('a StatefulSet with a volume of the hook name: one volume observed, not two', async () => {
    const tlsCtx = withTls()
    const sts = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'secondary' },
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'db',
                image: 'x',
                volumeMounts: [{ name: 'nginx-demo-krake-shutdown-volume', mountPath: '/old' }],
              },
            ],
            volumes: [{ name: 'nginx-demo-krake-shutdown-volume', emptyDir: {} }],
          },
        },
      },
    }
    const r = await mangleApplication(app(['shutdown'], [sts]), hooks, tlsCtx)
    const pod = (r.manifests[0] as Obj).spec.template.spec
    const schema = (r.status.mangled_observer_schema as Obj[]).find((s) => s.kind === 'StatefulSet')!
    const volumes = observed(schema.spec.template.spec.volumes as Obj[])
    expect([volumes.entries.length, volumes.min, volumes.max]).toEqual([
      pod.volumes.length,
      pod.volumes.length,
      pod.volumes.length,
    ])
    const mounts = observed(schema.spec.template.spec.containers[0].volumeMounts as Obj[])
    const held = pod.containers[0].volumeMounts.length
    expect([mounts.entries.length, mounts.min, mounts.max]).toEqual([held, held, held])
  })

  it("an application in two namespaces: each hook's certs Secrets of every namespace, then its token Secrets, as Krake lists them", async () => {
    const tlsCtx = withTls()
    const r = await mangleApplication(app(['complete'], [nginx('a'), nginx('b')]), hooks, tlsCtx)
    const added = (r.status.mangled_observer_schema as Obj[])
      .filter((s) => s.kind === 'Secret')
      .map((s) => s.metadata.name)
    expect(added).toEqual([
      'nginx-demo-krake-complete-secret-certs',
      'nginx-demo-krake-complete-secret-certs',
      'nginx-demo-krake-complete-secret-token',
      'nginx-demo-krake-complete-secret-token',
    ])
    // the manifests keep one namespace's objects together
    const secrets = (r.manifests as Obj[])
      .filter((m) => m.kind === 'Secret')
      .map((m) => `${m.metadata.namespace}/${m.metadata.name}`)
    expect(secrets).toEqual([
      'a/nginx-demo-krake-complete-secret-certs',
      'a/nginx-demo-krake-complete-secret-token',
      'b/nginx-demo-krake-complete-secret-certs',
      'b/nginx-demo-krake-complete-secret-token',
    ])
  })
})
