// checkHookCall: the callback of each container decided offline, each link
// broken on purpose to see the reason named. The certificates of the
// "another CA" case are made by openssl (test/pki.ts), not by us.
import { execFile } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  checkHookCall,
  injectHook,
  peerCertificatePem,
  verifyHookRequest,
  type HookCallApi,
  type HookSpec,
  type InjectOptions,
} from '../../src/index.js'
import { container, deployment, fixtureTls, podSpecOf, spec, TOKEN } from '../helpers.js'
import { listenTls, makePki, type Pki } from '../pki.js'

type Obj = Record<string, any>

const app = { name: 'report', namespace: 'prod' }
const hook: HookSpec = spec({ app, apiEndpoint: 'https://krake-api:8443', tls: fixtureTls() })
// the API trusts the Krake CA and the intermediate that signs hook certificates; the client sends its leaf alone
const caBundlePem = fixtureTls().caBundlePem
const lookup = (a: { namespace: string; name: string }, kind: string) =>
  a.namespace === 'prod' && a.name === 'report' && kind === 'complete' ? TOKEN : undefined
const api = { lookup, caBundlePem, hookUser: 'system:complete-hook', now: new Date('2030-01-01T00:00:00Z') }
const job = () => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'nightly', namespace: 'prod' },
  spec: { template: { spec: { restartPolicy: 'Never', containers: [container('report'), container('upload')] } } },
})
const hooked = (options?: InjectOptions, h: HookSpec = hook) =>
  structuredClone(injectHook([job()], h, options).manifests) as Obj[]
const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'nightly', namespace: 'prod' }

let pki: Pki
beforeAll(() => {
  pki = makePki()
})
afterAll(() => pki?.cleanup())

/** The one answer for container `report`. */
async function reportCall(manifests: Obj[], over: Partial<HookCallApi> = {}) {
  const { calls } = await checkHookCall(manifests, 'complete', { ...api, ...over })
  return calls.find((c) => c.container === 'report')!
}

describe('checkHookCall(manifests, kind, api)', () => {
  it("accepts every container's call of a hooked Job, with the certificate's remaining validity", async () => {
    const result = await checkHookCall(hooked(), 'complete', api)
    const certificate = { notAfter: '2122-09-22T04:20:34.000Z', daysLeft: expect.any(Number) as number }
    expect(result).toEqual({
      ok: true,
      calls: ['report', 'upload'].map((name) => ({
        resourceRef: ref,
        container: name,
        ok: true,
        status: 200,
        reason: 'accepted',
        certificate,
      })),
    })
    expect(result.calls[0]!.certificate!.daysLeft).toBe(33866)
  })

  it('reads the token from a Secret (base64 data, or stringData) and the files from a Secret volume', async () => {
    expect((await checkHookCall(hooked({ tokenFrom: 'secret', certStorage: 'Secret' }), 'complete', api)).ok).toBe(true)
    const manifests = hooked({ tokenFrom: 'secret' })
    const secret = manifests.find((m) => m.kind === 'Secret')!
    secret.stringData = { token: TOKEN }
    secret.data = { token: Buffer.from('stale').toString('base64'), url: secret.data.url }
    expect((await reportCall(manifests)).ok).toBe(true)
  })

  it('accepts a plain http call without certificates when the API asks for none', async () => {
    const plain = spec({ app, apiEndpoint: 'http://krake-api:8080' })
    expect(await checkHookCall(hooked({}, plain), 'complete', { lookup })).toMatchObject({ ok: true })
  })

  it('names a wrong token: 401, as the API answers it', async () => {
    const manifests = hooked()
    podSpecOf(manifests[0]!).containers[0].env[0].value = 'not-the-token'
    expect(await reportCall(manifests)).toMatchObject({
      ok: false,
      status: 401,
      reason: 'No token has been provided or the provided one is invalid.',
    })
  })

  it('names a URL of another application: 401, the lookup knows no token for it', async () => {
    const manifests = hooked()
    const url = podSpecOf(manifests[0]!).containers[0].env[1]
    url.value = url.value.replace('/applications/report/', '/applications/payroll/')
    expect(await reportCall(manifests)).toMatchObject({ ok: false, status: 401 })
  })

  it('names a missing Secret key, and a missing Secret, as calls that cannot be made', async () => {
    const noKey = hooked({ tokenFrom: 'secret' })
    delete noKey.find((m) => m.kind === 'Secret')!.data.token
    expect(await reportCall(noKey)).toMatchObject({
      ok: false,
      status: 0,
      reason: 'Secret "report-krake-token" has no key "token"',
    })
    const noSecret = hooked({ tokenFrom: 'secret' }).filter((m) => m.kind !== 'Secret')
    expect(await reportCall(noSecret)).toMatchObject({
      status: 0,
      reason: 'Secret "report-krake-token" is not in the manifest list in namespace "prod"',
    })
  })

  it('names an unmounted certificate volume, and a volume that is not in the pod', async () => {
    const unmounted = hooked()
    delete podSpecOf(unmounted[0]!).containers[0].volumeMounts
    expect(await reportCall(unmounted)).toMatchObject({
      status: 0,
      reason:
        'the URL is https and no certificate is mounted at /etc/krake_complete_certs or /etc/krake_certs or /etc/krake_cert',
    })
    const noVolume = hooked()
    delete podSpecOf(noVolume[0]!).volumes
    expect(await reportCall(noVolume)).toMatchObject({
      status: 0,
      reason: 'the volume "report-krake-volume" mounted at /etc/krake_cert is not in the pod',
    })
  })

  it('names a certificate from another CA (403), an expired one (403), another CN (403) and a key that is not its own', async () => {
    const foreign = hooked()
    const cm = foreign.find((m) => m.kind === 'ConfigMap')!
    cm.data['cert.pem'] = pki.read('foreign-client.pem')
    cm.data['key.pem'] = pki.read('foreign-client-key.pem')
    expect(await reportCall(foreign)).toMatchObject({
      status: 403,
      reason: 'A client certificate signed by the Krake CA is required.',
    })
    expect(await reportCall(hooked(), { now: new Date('2123-01-01T00:00:00Z') })).toMatchObject({
      status: 403,
      reason:
        '/etc/krake_cert/cert.pem expired on 2122-09-22T04:20:34.000Z: A client certificate signed by the Krake CA is required.',
      certificate: { notAfter: '2122-09-22T04:20:34.000Z', daysLeft: -101 },
    })
    expect(await reportCall(hooked(), { hookUser: 'system:shutdown-hook' })).toMatchObject({
      status: 403,
      reason: "The client certificate is not the hook user's.",
    })
    const mismatched = hooked()
    mismatched.find((m) => m.kind === 'ConfigMap')!.data['key.pem'] = pki.read('leaf-key.pem')
    expect(await reportCall(mismatched)).toMatchObject({
      status: 0,
      reason: '/etc/krake_cert/key.pem is not the key of /etc/krake_cert/cert.pem: the TLS handshake would fail',
    })
  })

  it('names a container without the hook, and is not ok for a list with no container at all', async () => {
    const manifests = hooked()
    podSpecOf(manifests[0]!).containers.push(container('late'))
    const result = await checkHookCall(manifests, 'complete', api)
    expect(result.ok).toBe(false)
    expect(result.calls.at(-1)).toEqual({
      resourceRef: ref,
      container: 'late',
      ok: false,
      status: 0,
      reason: "no KRAKE_COMPLETE_TOKEN or KRAKE_TOKEN in the container's environment",
    })
    expect(await checkHookCall([], 'complete', api)).toEqual({ ok: false, calls: [] })
  })

  it('reads envFrom, $(VAR) references and init containers that carry the hook, as the kubelet does', async () => {
    const d = deployment('web', 'prod', [
      container('app', {
        envFrom: [{ secretRef: { name: 'hook-env' } }],
        env: [{ name: 'KRAKE_COMPLETE_URL', value: '$(BASE)/kubernetes/namespaces/prod/applications/report/complete' }],
      }),
    ])
    podSpecOf(d).initContainers = [
      container('init', { env: [{ name: 'KRAKE_TOKEN', value: 'wrong' }] }),
      container('plain'),
    ]
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'hook-env', namespace: 'prod' },
      stringData: { KRAKE_TOKEN: TOKEN, BASE: 'http://krake-api:8080' },
    }
    const result = await checkHookCall([d, secret], 'complete', { lookup })
    expect(result.calls.map((c) => [c.container, c.status, c.reason])).toEqual([
      ['init', 0, "no KRAKE_COMPLETE_URL in the container's environment"],
      ['app', 200, 'accepted'],
    ])
  })

  it('refuses a kind that is not a hook kind, a list that is not an array, and an api without lookup', async () => {
    await expect(checkHookCall([], 'finish' as never, api)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
    await expect(checkHookCall('x' as never, 'complete', api)).rejects.toMatchObject({ code: 'ERR_INVALID_MANIFESTS' })
    await expect(checkHookCall([], 'complete', {} as never)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' })
  })
})

describe("checkHookCall reads ca-bundle.pem as the application's TLS client will (issue 33)", () => {
  const tlsWith = (caBundlePem: string) => ({ ...fixtureTls(), caBundlePem })
  const toLocalhost = (caBundlePem: string) =>
    hooked(undefined, spec({ app, apiEndpoint: 'https://localhost:8443', tls: tlsWith(caBundlePem) }))

  it('a ca-bundle.pem that is empty or not PEM is a call that cannot be made', async () => {
    for (const bundle of ['', 'not a certificate\n']) {
      // the hook's ConfigMap as someone edited it afterwards
      const manifests = toLocalhost(fixtureTls().caBundlePem)
      manifests.find((m) => m.kind === 'ConfigMap')!.data['ca-bundle.pem'] = bundle
      expect(await reportCall(manifests)).toMatchObject({
        ok: false,
        status: 0,
        reason: '/etc/krake_cert/ca-bundle.pem holds no PEM certificate: the application cannot verify the API server',
      })
    }
  })

  it("given the API server's certificate, the bundle must verify it: another CA's bundle fails, as curl fails (exit 60)", async () => {
    const serverCertPem = pki.read('server.pem')
    // the fixture PKI's bundle does not hold the CA that signed the server's certificate
    expect(await reportCall(toLocalhost(fixtureTls().caBundlePem), { serverCertPem })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /ca-bundle\.pem does not verify the API server: no certificate of the bundle signed/,
      ),
    })
    expect(await reportCall(toLocalhost(pki.read('root.pem')), { serverCertPem })).toMatchObject({
      ok: true,
      status: 200,
    })
    // the real client agrees: curl trusting each bundle against a server presenting that certificate
    const { server, port } = await listenTls(pki, (_req, res) => res.end('{}'), false)
    try {
      // the server runs in this process: curl runs beside it, not in a call that would block it
      const curl = (bundle: string, name: string) => {
        writeFileSync(pki.path(name), bundle)
        return new Promise<number | null>((resolve) =>
          execFile(
            'curl',
            ['-sS', '--max-time', '20', '-o', '/dev/null', '--cacert', pki.path(name), `https://localhost:${port}/`],
            (e) => resolve(e === null ? 0 : typeof e.code === 'number' ? e.code : null),
          ),
        )
      }
      expect(await curl(fixtureTls().caBundlePem, 'other-ca-bundle.pem')).toBe(60)
      expect(await curl(pki.read('root.pem'), 'right-bundle.pem')).toBe(0)
    } finally {
      server.close()
    }
  })

  it("refuses a server certificate that does not name the URL's host", async () => {
    const hookedElsewhere = hooked(
      undefined,
      spec({ app, apiEndpoint: 'https://krake-api:8443', tls: tlsWith(pki.read('root.pem')) }),
    )
    expect(await reportCall(hookedElsewhere, { serverCertPem: pki.read('server.pem') })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('the server certificate is not for krake-api'),
    })
  })
})

describe('checkHookCall with cert.pem holding the leaf alone decides as the API server does (issue 33)', () => {
  it("accepts when the API's bundle holds the intermediate, as a real mTLS server and curl do; refuses when it does not", async () => {
    const apiBundle = pki.read('root.pem') + pki.read('inter-ec-sec1.pem')
    // a real node:https server asking for client certificates of the same bundle, deciding with verifyHookRequest
    const server = createServer(
      {
        key: pki.read('server-key.pem'),
        cert: pki.read('server.pem'),
        ca: apiBundle,
        requestCert: true,
        rejectUnauthorized: false,
      },
      (req, res) => {
        let body = ''
        req.on('data', (d: Buffer) => (body += d.toString()))
        req.on('end', () => {
          const clientCertPem = peerCertificatePem(req.socket as TLSSocket)
          void verifyHookRequest(
            { method: req.method ?? '', url: req.url ?? '', body: JSON.parse(body) as unknown, clientCertPem },
            lookup,
            { caBundlePem: apiBundle, hookUser: 'system:complete-hook' },
          ).then((v) => res.writeHead(v.ok ? 200 : v.status).end())
        })
      },
    )
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const port = (server.address() as AddressInfo).port
    try {
      const tls = {
        caBundlePem: pki.read('root.pem'),
        certPem: pki.read('hook-client.pem'),
        keyPem: pki.read('hook-client-key.pem'),
      }
      const manifests = hooked(undefined, spec({ app, apiEndpoint: `https://localhost:${port}`, tls }))
      const offline = await reportCall(manifests, { caBundlePem: apiBundle, now: new Date() })
      expect(offline).toMatchObject({ ok: true, status: 200, reason: 'accepted' })
      const curl = await new Promise<string>((resolve) =>
        execFile(
          'curl',
          [
            '-sS',
            '--max-time',
            '20',
            '-o',
            '/dev/null',
            '-w',
            '%{http_code}',
            '-X',
            'PUT',
            '--cacert',
            pki.path('root.pem'),
            '--cert',
            pki.path('hook-client.pem'),
            '--key',
            pki.path('hook-client-key.pem'),
            '-H',
            'content-type: application/json',
            '--data',
            JSON.stringify({ token: TOKEN }),
            `https://localhost:${port}/kubernetes/namespaces/prod/applications/report/complete`,
          ],
          (_e, stdout) => resolve(stdout),
        ),
      )
      expect(curl).toBe('200')
      // the API's bundle without the intermediate: the leaf alone leads nowhere, offline as on the wire
      const without = await reportCall(manifests, { caBundlePem: pki.read('root.pem'), now: new Date() })
      expect(without).toMatchObject({ ok: false, status: 403 })
    } finally {
      server.close()
    }
  })
})
