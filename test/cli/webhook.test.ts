// `krake-hooks webhook` as a cluster runs it: the built command in child
// processes, called the way the API server calls a webhook (POST
// /mutate?timeout=10s over TLS, trusting the printed caBundle, keep-alive),
// its configuration read by kubectl and openssl, its metrics by a Prometheus
// text-format parser, its files swapped as the kubelet swaps a mounted
// Secret's, and SIGTERM sent while a request is in flight.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import jsonpatch from 'fast-json-patch'
import parsePrometheus from 'parse-prometheus-text-format'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  injectHook,
  issueHookCertificate,
  parseManifests,
  stringifyManifests,
  type AdmissionReview,
} from '../../src/index.js'
import { fixture, fixtureTls, root, TOKEN } from '../helpers.js'
import { makePki, openssl, type Pki } from '../pki.js'
import { podFromReplicaSet, review } from '../admission/reviews.js'

type Obj = Record<string, any>
const MAIN = join(root, 'dist/cli/main.js')
const SHUTDOWN_TOKEN = 'shutdown-token-0123456789abcdefghijklmnopqrs'
let pki: Pki
let dir: string
let ca: string

const hookConfig = (kind: 'complete' | 'shutdown', token: string, tls: boolean, options?: Record<string, unknown>) =>
  stringifyManifests([
    {
      apiVersion: 'krake-hooks/v1alpha1',
      kind: 'HookConfig',
      metadata: { name: `report-${kind}` },
      spec: {
        kind,
        app: { name: 'report', namespace: 'batch' },
        apiEndpoint: tls ? 'https://krake-api:8443' : 'http://krake-api:8080',
        token,
        ...(tls ? { tls: { caBundleFile: 'ca-bundle.pem', certFile: 'cert.pem', keyFile: 'key.pem' } } : {}),
      },
      ...(options === undefined ? {} : { options }),
    },
  ])

/** A directory laid out as the kubelet mounts a Secret: each key a symlink into ..data, itself a symlink swapped whole. */
function mountedSecret(path: string, files: Record<string, string>, generation: number): void {
  mkdirSync(path, { recursive: true })
  const data = `..2026_12_03_${generation}`
  mkdirSync(join(path, data))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(path, data, name), content)
  symlinkSync(data, join(path, '..data_tmp'))
  renameSync(join(path, '..data_tmp'), join(path, '..data')) // the atomic swap
  for (const name of Object.keys(files)) {
    try {
      symlinkSync(join('..data', name), join(path, name))
    } catch {
      // exists already: it points into ..data, which moved
    }
  }
}

const tls = fixtureTls()
const hookFiles = (completeToken = TOKEN, completeOptions?: Record<string, unknown>) => ({
  'complete.yaml': hookConfig('complete', completeToken, true, completeOptions),
  'shutdown.yaml': hookConfig('shutdown', SHUTDOWN_TOKEN, false),
  'ca-bundle.pem': tls.caBundlePem,
  'cert.pem': tls.certPem,
  'key.pem': tls.keyPem,
})

interface Replica {
  child: ChildProcess
  port: number
  metrics: number
  stderr: () => string
  exited: Promise<number | null>
}

async function startReplica(name: string, extra: string[] = []): Promise<Replica> {
  const child = spawn(
    process.execPath,
    [
      MAIN,
      'webhook',
      'serve',
      '--tls-cert',
      join(dir, 'tls', 'tls.crt'),
      '--tls-key',
      join(dir, 'tls', 'tls.key'),
      '--hooks',
      join(dir, name),
      '--address',
      '127.0.0.1:0',
      '--metrics-address',
      '127.0.0.1:0',
      '--reload-interval',
      '0.1',
      ...extra,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let err = ''
  child.stderr.on('data', (c: Buffer) => (err += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const first = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString()
      if (out.includes('\n')) resolve(out.split('\n')[0]!)
    })
    child.on('exit', () => reject(new Error(`webhook exited: ${err}`)))
  })
  const { address, metrics } = JSON.parse(first) as { address: number; metrics: number }
  return { child, port: address, metrics, stderr: () => err, exited }
}

/** One call to a replica over TLS, trusting only the printed caBundle, as the API server does. */
function call(
  replica: Replica,
  method: string,
  path: string,
  body?: string,
  agent?: Agent,
): Promise<{ status: number; body: string; serial: string; socket: TLSSocket }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: replica.port,
        servername: 'localhost',
        path,
        method,
        ca,
        agent: agent ?? false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = []
        const socket = res.socket as TLSSocket
        const serial = socket.getPeerCertificate().serialNumber
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), serial, socket }),
        )
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const metricsOf = async (replica: Replica) => {
  const res = await fetch(`http://127.0.0.1:${replica.metrics}/metrics`)
  return parsePrometheus(await res.text())
}
const reviewsCounted = async (replica: Replica, outcome: string, reason = '') => {
  const family = (await metricsOf(replica)).find((f) => f.name === 'krake_hooks_webhook_reviews_total')
  const sample = family?.metrics.find((s) => s.labels?.outcome === outcome && s.labels.reason === reason)
  return Number(sample?.value ?? 0)
}

const labelled = (annotations?: Record<string, string>) =>
  podFromReplicaSet(undefined, { 'krake-hooks/app': 'report' }, annotations)
const mutate = async (replica: Replica, object: unknown, over: Record<string, unknown> = {}, agent?: Agent) => {
  const res = await call(
    replica,
    'POST',
    '/mutate?timeout=10s',
    JSON.stringify(review(object, { namespace: 'batch', ...over })),
    agent,
  )
  expect(res.status).toBe(200)
  return (JSON.parse(res.body) as AdmissionReview).response!
}
const applied = (object: unknown, patch: string) =>
  jsonpatch.applyPatch(structuredClone(object), JSON.parse(Buffer.from(patch, 'base64').toString()), true, false)
    .newDocument as Obj
const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error('never came true')
}

let one: Replica

beforeAll(async () => {
  pki = makePki()
  dir = mkdtempSync(join(tmpdir(), 'krake-hooks-webhook-'))
  mountedSecret(join(dir, 'tls'), { 'tls.crt': pki.read('server.pem'), 'tls.key': pki.read('server-key.pem') }, 1)
  mountedSecret(join(dir, 'hooks'), hookFiles(), 1)
  mountedSecret(join(dir, 'hooks-b'), hookFiles(), 1)
  const printed = execFileSync(
    process.execPath,
    [MAIN, 'webhook', 'config', '--service', 'krake-hooks/webhook', '--ca-file', pki.path('root.pem')],
    { encoding: 'utf8' },
  )
  const [config] = parseManifests(printed) as Obj[]
  ca = Buffer.from(config!.webhooks[0].clientConfig.caBundle, 'base64').toString('utf8')
  one = await startReplica('hooks')
})
afterAll(() => {
  one?.child.kill('SIGKILL')
  rmSync(dir, { recursive: true, force: true })
  pki?.cleanup()
})

describe('krake-hooks webhook serve', () => {
  it('hooks a Pod with only generateName, POSTed to /mutate?timeout=10s: the patch gives injectHook of both hooks', async () => {
    const pod = labelled()
    const response = await mutate(one, pod)
    expect(response).toMatchObject({ allowed: true, patchType: 'JSONPatch' })
    const patched = applied(pod, response.patch!)
    const named = { ...pod, metadata: { ...pod.metadata, name: 'web-7d9c6b8f5-', namespace: 'batch' } }
    const complete = {
      kind: 'complete' as const,
      app: { name: 'report', namespace: 'batch' },
      apiEndpoint: 'https://krake-api:8443',
      token: TOKEN,
      tls,
    }
    const shutdown = {
      kind: 'shutdown' as const,
      app: complete.app,
      apiEndpoint: 'http://krake-api:8080',
      token: SHUTDOWN_TOKEN,
    }
    // served by the webhook, the hook carries references: the token and URL by secretKeyRef, the files from a Secret
    const references = { tokenFrom: 'secret', certStorage: 'Secret' } as const
    const both = injectHook(injectHook([named], complete, references).manifests.slice(0, 1), shutdown, references)
      .manifests[0] as Obj
    expect(patched.spec).toEqual(both.spec)
    expect(patched.spec.containers[0].env[0]).toEqual({
      name: 'KRAKE_TOKEN',
      valueFrom: { secretKeyRef: { name: 'report-krake-token', key: 'token' } },
    })
    expect(patched.spec.volumes.at(-1)).toMatchObject({ secret: { secretName: expect.any(String) } })
    expect(patched.metadata).toEqual({ ...pod.metadata, annotations: { 'krake-hooks/injected': 'complete,shutdown' } })
    const decoded = JSON.stringify(response) + Buffer.from(response.patch!, 'base64').toString('utf8')
    for (const secret of [TOKEN, SHUTDOWN_TOKEN, 'PRIVATE KEY', tls.keyPem.split('\n')[1]!])
      expect(decoded.includes(secret)).toBe(false)
  })

  it('allows UPDATE, DELETE, the status and ephemeralcontainers subresources and a reinvocation with no patch; answers dryRun alike', async () => {
    const pod = labelled()
    for (const over of [
      { operation: 'UPDATE', oldObject: pod },
      { operation: 'DELETE', object: null, oldObject: pod },
      { operation: 'UPDATE', subResource: 'status', oldObject: pod },
      { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: pod },
    ]) {
      expect(await mutate(one, pod, over)).toEqual({ uid: expect.any(String) as string, allowed: true })
    }
    const first = await mutate(one, pod)
    expect(await mutate(one, pod, { dryRun: true })).toEqual(first)
    expect(await mutate(one, applied(pod, first.patch!))).toEqual({ uid: expect.any(String) as string, allowed: true })
  })

  it("denies (403) a Pod of another namespace that names the application's namespace, and one whose own namespace is not the request's", async () => {
    const tenant = await mutate(one, labelled({ 'krake-hooks/app-namespace': 'batch' }), { namespace: 'evil' })
    expect(tenant).toMatchObject({ allowed: false, status: { code: 403 } })
    expect(tenant.status!.message).toContain('a Pod in the namespace "evil" with the service account "default"')
    expect(tenant.patch).toBeUndefined()
    const moved = labelled()
    const own = await mutate(
      one,
      { ...moved, metadata: { ...moved.metadata, namespace: 'batch' } },
      { namespace: 'evil' },
    )
    expect(own).toMatchObject({ allowed: false, status: { code: 403 } })
    for (const answer of [tenant, own])
      expect(JSON.stringify(answer)).not.toMatch(new RegExp(`${TOKEN}|${SHUTDOWN_TOKEN}|PRIVATE KEY`))
  })

  it('denies a Pod that asks for a hook the directory does not hold, naming the label and the missing configuration', async () => {
    const response = await mutate(one, podFromReplicaSet(undefined, { 'krake-hooks/app': 'payroll' }))
    expect(response.allowed).toBe(false)
    expect(response.status).toEqual({
      code: 400,
      message:
        'ERR_HOOK_NOT_CONFIGURED at /metadata/labels/krake-hooks~1app: the Pod\'s label krake-hooks/app="payroll" asks for a hook of the application batch/payroll, and the webhook holds none',
    })
    expect(await mutate(one, podFromReplicaSet())).toEqual({ uid: expect.any(String) as string, allowed: true })
  })

  it('answers /healthz and /readyz, 404 elsewhere, 405 to a GET of /mutate, 400 to a body that is not JSON', async () => {
    expect((await call(one, 'GET', '/healthz')).status).toBe(200)
    expect(JSON.parse((await call(one, 'GET', '/readyz')).body)).toEqual({ status: 'ready' })
    expect((await call(one, 'GET', '/validate')).status).toBe(404)
    expect((await call(one, 'GET', '/mutate')).status).toBe(405)
    expect((await call(one, 'POST', '/mutate', '{not json')).status).toBe(400)
  })

  it('answers 415 to a review that is not application/json; a charset is fine', async () => {
    const body = JSON.stringify(review(labelled(), { namespace: 'batch' }))
    const post = (type: string) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: one.port,
            servername: 'localhost',
            path: '/mutate',
            method: 'POST',
            ca,
            agent: false,
            headers: { 'content-type': type },
          },
          (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
        )
        req.on('error', reject).end(body)
      })
    expect(await post('text/plain')).toBe(415)
    expect(await post('application/x-www-form-urlencoded')).toBe(415)
    expect(await post('application/json; charset=utf-8')).toBe(200)
    expect(await post('Application/JSON')).toBe(200)
  })

  it('keeps the metric samples where they were after 300 reviews naming made-up applications, namespaces and kinds', async () => {
    const samples = async () =>
      (await metricsOf(one)).find((f) => f.name === 'krake_hooks_webhook_reviews_total')!.metrics.length
    const send = (i: number) =>
      mutate(
        one,
        podFromReplicaSet(
          undefined,
          { 'krake-hooks/app': `made-up-${i}` },
          { 'krake-hooks/hooks': i % 3 ? `kind-${i}` : 'complete', 'krake-hooks/app-namespace': `ns-${i}` },
        ),
        { namespace: `tenant-${i}` },
      )
    for (let i = 0; i < 6; i++) await send(i) // every outcome these reviews can have, once
    const before = await samples()
    for (let i = 6; i < 306; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => send(i + j)))
    expect(await samples()).toBe(before)
    expect(JSON.stringify(await metricsOf(one))).not.toMatch(/made-up|tenant-|kind-/)
  })

  it('counts the reviews in /metrics by outcome and reason, with a latency histogram, and no token anywhere', async () => {
    const patchedBefore = await reviewsCounted(one, 'patched')
    const skippedBefore = await reviewsCounted(one, 'allowed', 'operation')
    await mutate(one, labelled())
    await mutate(one, labelled(), { operation: 'UPDATE' })
    expect(await reviewsCounted(one, 'patched')).toBe(patchedBefore + 1)
    expect(await reviewsCounted(one, 'allowed', 'operation')).toBe(skippedBefore + 1)
    const families = await metricsOf(one)
    const histogram = families.find((f) => f.name === 'krake_hooks_webhook_review_duration_seconds')!
    expect(histogram.type).toBe('HISTOGRAM')
    expect(Number(histogram.metrics[0]!.count)).toBeGreaterThanOrEqual(2)
    expect(families.find((f) => f.name === 'krake_hooks_webhook_hook_configs')!.metrics[0]!.value).toBe('2')
    const text = await (await fetch(`http://127.0.0.1:${one.metrics}/metrics`)).text()
    expect(text.includes(TOKEN)).toBe(false)
    expect(one.stderr().includes(TOKEN)).toBe(false)
  })

  it('presents a renewed certificate to the next handshake after a symlink swap, while the open keep-alive connection finishes on the old one', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const before = await call(one, 'GET', '/healthz', undefined, agent)
    mountedSecret(join(dir, 'tls'), { 'tls.crt': pki.read('server-2.pem'), 'tls.key': pki.read('server-2-key.pem') }, 2)
    const renewed = openssl(['x509', '-in', pki.path('server-2.pem'), '-noout', '-serial'])
      .trim()
      .split('=')[1]!
    await until(async () => (await call(one, 'GET', '/healthz')).serial === renewed)
    const same = await call(one, 'GET', '/healthz', undefined, agent)
    expect(same.socket).toBe(before.socket) // the connection held open across the swap
    expect(same.serial).toBe(before.serial)
    expect(same.serial).not.toBe(renewed)
    agent.destroy()
  })

  it('uses a replaced HookConfig for the next review, and keeps the last good set when a file breaks', async () => {
    const token = 'rotated-token-0123456789abcdefghijklmnopqrs'
    const moved = { certDest: '/etc/rotated' }
    mountedSecret(join(dir, 'hooks'), hookFiles(token, moved), 2)
    await until(async () => {
      const r = await mutate(one, labelled())
      return Buffer.from(r.patch!, 'base64').toString().includes('/etc/rotated')
    })
    mountedSecret(join(dir, 'hooks'), { ...hookFiles(token, moved), 'complete.yaml': 'apiVersion: [' }, 3)
    await until(() => Promise.resolve(one.stderr().includes('the last good set stays')))
    expect(one.stderr()).toContain('complete.yaml: ERR_YAML_SYNTAX')
    const r = await mutate(one, labelled())
    expect(Buffer.from(r.patch!, 'base64').toString()).toContain('/etc/rotated')
    mountedSecret(join(dir, 'hooks'), hookFiles(), 4)
  })

  it('refuses a HookConfig that asks for inline values: logged once, its application denied, no answer holds the token', async () => {
    for (const [generation, inline] of [
      [5, { tokenFrom: 'value' }],
      [6, { certStorage: 'ConfigMap' }],
    ] as const) {
      mountedSecret(join(dir, 'hooks'), hookFiles(TOKEN, inline), generation)
      const key = Object.keys(inline)[0]!
      await until(() => Promise.resolve(one.stderr().includes(`options.${key} is`)))
      expect(one.stderr()).toMatch(
        /"msg":"hook configuration refused: its application is denied","file":"complete.yaml","app":"batch\/report"/,
      )
      const denied = await mutate(one, labelled({ 'krake-hooks/hooks': 'complete' }))
      expect(denied).toMatchObject({ allowed: false, status: { code: 500 } })
      expect(JSON.stringify(denied)).not.toContain(TOKEN)
      // the application's other hook is refused with it: a Pod gets all its hooks or none
      expect((await mutate(one, labelled())).allowed).toBe(false)
    }
    mountedSecret(join(dir, 'hooks'), hookFiles(), 7)
    await until(async () => (await mutate(one, labelled())).allowed)
  })
})

describe('krake-hooks webhook serve --client-ca', () => {
  it('requires a client certificate from that CA for /mutate, and none for /healthz and /readyz', async () => {
    const guarded = await startReplica('hooks', ['--client-ca', pki.path('root.pem')])
    try {
      const client = await issueHookCertificate({
        issuerCertPem: pki.read('inter-ec-sec1.pem'),
        issuerKeyPem: pki.read('inter-ec-sec1-key.pem'),
        hookUser: 'kube-apiserver',
        keyAlgorithm: 'ECDSA-P256',
      })
      const foreign = await issueHookCertificate({
        issuerCertPem: pki.read('foreign-inter.pem'),
        issuerKeyPem: pki.read('foreign-inter-key.pem'),
        hookUser: 'kube-apiserver',
        keyAlgorithm: 'ECDSA-P256',
      })
      const post = (path: string, cert?: { certPem: string; keyPem: string }) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const req = request(
            {
              host: '127.0.0.1',
              port: guarded.port,
              servername: 'localhost',
              path,
              method: path === '/mutate' ? 'POST' : 'GET',
              ca,
              agent: false,
              headers: { 'content-type': 'application/json' },
              ...(cert === undefined ? {} : { cert: cert.certPem, key: cert.keyPem }),
            },
            (res) => {
              let body = ''
              res.on('data', (c: Buffer) => (body += c.toString()))
              res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
            },
          )
          req
            .on('error', reject)
            .end(path === '/mutate' ? JSON.stringify(review(labelled(), { namespace: 'batch' })) : undefined)
        })
      expect((await post('/healthz')).status).toBe(200)
      expect((await post('/readyz')).status).toBe(200)
      const stranger = await post('/mutate')
      expect(stranger.status).toBe(403)
      expect(stranger.body).not.toContain('patch')
      expect((await post('/mutate', foreign)).status).toBe(403)
      const apiServer = await post('/mutate', client)
      expect(apiServer.status).toBe(200)
      expect((JSON.parse(apiServer.body) as AdmissionReview).response!.allowed).toBe(true)
    } finally {
      guarded.child.kill('SIGKILL')
    }
  })
})

describe('krake-hooks webhook config and objects', () => {
  it('prints a MutatingWebhookConfiguration that kubectl reads, whose caBundle openssl verifies the serving certificate with', () => {
    const yaml = execFileSync(
      process.execPath,
      [
        MAIN,
        'webhook',
        'config',
        '--service',
        'krake-hooks/webhook',
        '--ca-file',
        pki.path('root.pem'),
        '--failure-policy',
        'Ignore',
      ],
      { encoding: 'utf8' },
    )
    const viaKubectl = JSON.parse(
      // create --dry-run=client needs a server's discovery; annotate --local reads the object offline, as Go does
      execFileSync('kubectl', ['annotate', '--local', '-f', '-', '-o', 'json', 'checked=true'], {
        input: yaml,
        encoding: 'utf8',
      }),
    ) as Obj
    expect(viaKubectl.kind).toBe('MutatingWebhookConfiguration')
    const [hook] = viaKubectl.webhooks as Obj[]
    expect(hook).toMatchObject({
      admissionReviewVersions: ['v1'],
      sideEffects: 'None',
      timeoutSeconds: 10,
      failurePolicy: 'Ignore',
      reinvocationPolicy: 'IfNeeded',
      clientConfig: { service: { namespace: 'krake-hooks', name: 'webhook', path: '/mutate', port: 443 } },
      rules: [
        { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Namespaced' },
      ],
      objectSelector: { matchExpressions: [{ key: 'krake-hooks/app', operator: 'Exists' }] },
      namespaceSelector: {
        matchExpressions: [
          {
            key: 'kubernetes.io/metadata.name',
            operator: 'NotIn',
            values: ['kube-system', 'kube-public', 'kube-node-lease', 'krake-hooks'],
          },
        ],
      },
    })
    const caFile = join(dir, 'printed-ca.pem')
    writeFileSync(caFile, Buffer.from(hook!.clientConfig.caBundle, 'base64'))
    expect(openssl(['verify', '-CAfile', caFile, pki.path('server.pem')]).trim()).toBe(`${pki.path('server.pem')}: OK`)
  })

  it('refuses a bad --service, a --ca-file that is not PEM, and prints the objects a hooked Pod mounts', () => {
    const bad = spawnSync(process.execPath, [MAIN, 'webhook', 'config', '--service', 'x', '--ca-file', 'y'], {
      encoding: 'utf8',
    })
    expect(bad.status).toBe(2)
    writeFileSync(join(dir, 'not.pem'), 'hello')
    const notPem = spawnSync(
      process.execPath,
      [MAIN, 'webhook', 'config', '--service', 'a/b', '--ca-file', join(dir, 'not.pem')],
      { encoding: 'utf8' },
    )
    expect([notPem.status, notPem.stderr.startsWith('krake-hooks webhook config: ')]).toEqual([1, true])
    const objects = execFileSync(
      process.execPath,
      [MAIN, 'webhook', 'objects', '--config', 'complete.yaml', '--namespace', 'batch'],
      { encoding: 'utf8', cwd: join(dir, 'hooks') },
    )
    // the Secrets the webhook's references point at: the token and URL, and the certificate files
    const printed = parseManifests(objects) as Obj[]
    expect(printed.map((o) => [o.kind, o.metadata.name, o.metadata.namespace])).toEqual([
      ['Secret', 'report-krake-cert', 'batch'],
      ['Secret', 'report-krake-token', 'batch'],
    ])
    expect(Buffer.from(printed[1]!.data.token, 'base64').toString()).toBe(TOKEN)
    expect(Object.keys(printed[0]!.data as object).sort()).toEqual(['ca-bundle.pem', 'cert.pem', 'key.pem'])
  })
})

describe('krake-hooks webhook serve, two replicas and SIGTERM', () => {
  // a bounded count that a loaded machine answers well within the timeout: the load itself is bench/webhook.ts's (2,000 at 50)
  it('answers 300 reviews at 20 concurrent across two replicas alike, every answer correct', async () => {
    const two = await startReplica('hooks-b')
    const replicas = [one, two]
    const pod = labelled()
    const expected = applied(pod, (await mutate(one, pod)).patch!)
    const agents = replicas.map(() => new Agent({ keepAlive: true, maxSockets: 10 }))
    let next = 0
    const worker = async () => {
      while (next < 300) {
        const i = next++
        const r = i % 2
        const res = await call(
          replicas[r]!,
          'POST',
          '/mutate?timeout=10s',
          JSON.stringify(review(pod, { namespace: 'batch', uid: `u-${i}` })),
          agents[r],
        )
        const answer = (JSON.parse(res.body) as AdmissionReview).response!
        expect(answer.uid).toBe(`u-${i}`)
        expect(applied(pod, answer.patch!)).toEqual(expected)
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    for (const a of agents) a.destroy()
    two.child.kill('SIGTERM')
    expect(await two.exited).toBe(0)
  })

  it('on SIGTERM finishes the request in flight, refuses new connections after its grace period, and exits 0', async () => {
    const replica = await startReplica('hooks-b', ['--grace-period', '0.3'])
    const body = JSON.stringify(review(labelled(), { namespace: 'batch' }))
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: replica.port,
          servername: 'localhost',
          path: '/mutate',
          method: 'POST',
          ca,
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          let text = ''
          res.on('data', (c: Buffer) => (text += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        },
      )
      req.on('error', reject)
      req.write(body.slice(0, 100)) // the request is in flight: half its body sent
      setTimeout(() => {
        replica.child.kill('SIGTERM')
        setTimeout(() => req.end(body.slice(100)), 300)
      }, 200)
    })
    const res = await answer
    expect(res.status).toBe(200)
    expect((JSON.parse(res.body) as AdmissionReview).response!.allowed).toBe(true)
    expect(await replica.exited).toBe(0)
    await expect(call(replica, 'GET', '/healthz')).rejects.toThrow(/ECONNREFUSED/)
    expect(replica.stderr()).toContain('"msg":"drained"')
  })
})

describe('krake-hooks webhook serve, SIGTERM under keep-alive load', () => {
  it('40 keep-alive clients: every request is answered, /readyz says 503 during the grace period, answers close their connections, exit 0', async () => {
    const replica = await startReplica('hooks-b', ['--grace-period', '1'])
    const body = JSON.stringify(review(labelled(), { namespace: 'batch' }))
    const agent = new Agent({ keepAlive: true, maxSockets: 40 })
    let answered = 0
    const failures: string[] = []
    const post = () =>
      new Promise<{ status: number; close: boolean }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: replica.port,
            servername: 'localhost',
            path: '/mutate?timeout=10s',
            method: 'POST',
            ca,
            agent,
            headers: { 'content-type': 'application/json' },
          },
          (res) =>
            res
              .resume()
              .on('end', () => resolve({ status: res.statusCode ?? 0, close: res.headers.connection === 'close' })),
        )
        req.on('error', reject).end(body)
      })
    // each client sends until an answer closes its connection: as the API server stops once the endpoints drop the Pod
    const client = async () => {
      for (let i = 0; i < 400; i++) {
        try {
          const r = await post()
          answered++
          if (r.status !== 200) failures.push(`status ${r.status}`)
          if (r.close) return
        } catch (e) {
          failures.push((e as Error).message)
          return
        }
      }
    }
    const clients = Array.from({ length: 40 }, client)
    await until(() => Promise.resolve(answered >= 80))
    replica.child.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 200))
    const ready = await call(replica, 'GET', '/readyz')
    expect([ready.status, JSON.parse(ready.body)]).toEqual([503, { status: 'draining' }])
    await Promise.all(clients)
    agent.destroy()
    expect(failures).toEqual([])
    expect(await replica.exited).toBe(0)
  })
})

describe('examples/webhook: the manifests to deploy it', () => {
  const example = (name: string) => fixture(`../../examples/webhook/${name}`)

  it('are read by kubectl, every document of them', () => {
    for (const name of ['webhook.yaml', 'hooks.yaml', 'mutating-webhook.yaml']) {
      const docs = parseManifests(example(name)) as Obj[]
      const out = execFileSync('kubectl', ['annotate', '--local', '-f', '-', '-o', 'json', 'checked=true'], {
        input: example(name),
        encoding: 'utf8',
      })
      // one JSON object per document, one after the other
      const items = JSON.parse(`[${out.trim().replace(/\n}\n{/g, '\n},\n{')}]`) as Obj[]
      expect(
        items.map((i) => i.kind),
        name,
      ).toEqual(docs.map((d) => d.kind))
    }
  })

  it('hold the configuration the command prints, and a Deployment of two replicas whose flags the command takes', () => {
    const printed = execFileSync(
      process.execPath,
      [MAIN, 'webhook', 'config', '--service', 'krake-hooks/krake-hooks-webhook', '--ca-file', pki.path('root.pem')],
      { encoding: 'utf8' },
    )
    const [config] = parseManifests(printed) as Obj[]
    config!.webhooks[0].clientConfig.caBundle = 'CA_BUNDLE'
    expect(parseManifests(example('mutating-webhook.yaml'))).toEqual([config])
    const deployment = (parseManifests(example('webhook.yaml')) as Obj[]).find((d) => d.kind === 'Deployment')!
    expect(deployment.spec.replicas).toBe(2)
    const args = deployment.spec.template.spec.containers[0].args as string[]
    // the flags parse: the command gets as far as reading the (absent) certificate, exit 1, not the usage's 2
    const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' })
    expect(r.status).toBe(1)
    expect(r.stderr).toContain('"msg":"cannot start"')
  })

  it('hold a HookConfig Secret whose files, the placeholders filled in, are a directory the webhook serves', () => {
    const [secret] = parseManifests(example('hooks.yaml')) as Obj[]
    const hooks = join(dir, 'example-hooks')
    mkdirSync(hooks)
    const fill: Record<string, string> = {
      // a token file holds one token as `krake-hooks token` writes it (43 characters; TOKEN is longer)
      'report-complete.token': TOKEN.slice(0, 43),
      'report-shutdown.token': SHUTDOWN_TOKEN,
      'ca-bundle.pem': tls.caBundlePem,
      'report-cert.pem': tls.certPem,
      'report-key.pem': tls.keyPem,
    }
    for (const [name, value] of Object.entries(secret!.stringData as Record<string, string>))
      writeFileSync(join(hooks, name), fill[name] ?? value)
    const objects = execFileSync(
      process.execPath,
      [MAIN, 'webhook', 'objects', '--config', 'report-complete.yaml', '-n', 'batch'],
      {
        encoding: 'utf8',
        cwd: hooks,
      },
    )
    expect((parseManifests(objects) as Obj[]).map((o) => o.metadata.name)).toEqual([
      'report-krake-cert',
      'report-krake-token',
    ])
  })
})
