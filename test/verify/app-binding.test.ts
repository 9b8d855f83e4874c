// A client certificate names its application (issue 30): the URI SAN
// krake://<namespace>/<name>/<kind> beside Krake's CN, and the API side that
// refuses it for any other application's call, so that a tenant's own valid
// certificate cannot carry another application's token.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createHookHandler,
  createHookToken,
  createMemoryHookStore,
  issueHookCertificate,
  verifyHookRequest,
  type IssuedCertificate,
} from '../../src/index.js'
import { hookErrorOfAsync } from '../helpers.js'
import { listenTls, makePki, openssl, opensslVerify, type Pki } from '../pki.js'

const run = promisify(execFile)
const batchReport = { namespace: 'batch', name: 'report' }
const batchOther = { namespace: 'batch', name: 'other' }
let pki: Pki
let reportCert: IssuedCertificate
let plainCert: IssuedCertificate

const issue = (extra: Record<string, unknown>) =>
  issueHookCertificate({
    issuerCertPem: pki.read('inter-ec-sec1.pem'),
    issuerKeyPem: pki.read('inter-ec-sec1-key.pem'),
    hookUser: 'system:complete-hook',
    keyAlgorithm: 'ECDSA-P256',
    ...extra,
  })

beforeAll(async () => {
  pki = makePki()
  reportCert = await issue({ app: batchReport, kind: 'complete' })
  plainCert = await issue({})
})
afterAll(() => pki?.cleanup())

const path = (app: { namespace: string; name: string }, kind = 'complete') =>
  `/kubernetes/namespaces/${app.namespace}/applications/${app.name}/${kind}`

describe('issueHookCertificate with app and kind', () => {
  it('writes the URI SAN beside the CN, and openssl still verifies it for sslclient', () => {
    writeFileSync(pki.path('report-leaf.pem'), reportCert.certPem)
    expect(
      openssl(['x509', '-in', pki.path('report-leaf.pem'), '-noout', '-ext', 'subjectAltName', '-subject']),
    ).toMatch(/URI:krake:\/\/batch\/report\/complete[\s\S]*CN ?= ?system:complete-hook/)
    expect(opensslVerify(pki, 'inter-ec-sec1.pem', reportCert.certPem)).toMatch(/: OK$/)
  })

  it('percent-encodes the parts, and writes no SAN without app and kind', async () => {
    const odd = await issue({ app: { namespace: 'team:a', name: 'r/1' }, kind: 'shutdown' })
    writeFileSync(pki.path('odd-leaf.pem'), odd.certPem)
    expect(openssl(['x509', '-in', pki.path('odd-leaf.pem'), '-noout', '-ext', 'subjectAltName'])).toContain(
      'URI:krake://team%3Aa/r%2F1/shutdown',
    )
    writeFileSync(pki.path('plain-leaf.pem'), plainCert.certPem)
    expect(openssl(['x509', '-in', pki.path('plain-leaf.pem'), '-noout', '-text'])).not.toContain('URI:')
  })

  it('refuses app without kind, kind without app, and an app that is not { name, namespace }', async () => {
    expect(await hookErrorOfAsync(issue({ app: batchReport }))).toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      path: '/kind',
    })
    expect(await hookErrorOfAsync(issue({ kind: 'complete' }))).toMatchObject({ path: '/app' })
    expect(await hookErrorOfAsync(issue({ app: { name: 'x' }, kind: 'complete' }))).toMatchObject({ path: '/app' })
    expect(await hookErrorOfAsync(issue({ app: batchReport, kind: 'other' }))).toMatchObject({ path: '/kind' })
  })
})

describe('verifyHookRequest against the certificate that names its application', () => {
  const token = createHookToken()
  const lookup = () => token
  const call = (p: string, cert: IssuedCertificate, options: object = {}) =>
    verifyHookRequest({ method: 'PUT', url: p, body: JSON.stringify({ token }), clientCertPem: cert.certPem }, lookup, {
      caBundlePem: pki.read('root.pem'),
      ...options,
    })

  it("accepts the certificate for its own application's hook", async () => {
    expect(await call(path(batchReport), reportCert)).toMatchObject({ ok: true, app: batchReport })
  })

  it("refuses it (403) for another application's call, and for the other hook of its own", async () => {
    const refused = { ok: false, status: 403, reason: "The client certificate is not this application's hook's." }
    expect(await call(path(batchOther), reportCert)).toEqual(refused)
    expect(await call(path(batchReport, 'shutdown'), reportCert)).toEqual(refused)
    expect(await call(path({ namespace: 'evil', name: 'report' }), reportCert)).toEqual(refused)
  })

  it("accepts a certificate that names none (Krake's own) unless certificateApp is 'required'; 'ignore' does not look", async () => {
    expect(await call(path(batchOther), plainCert)).toMatchObject({ ok: true })
    expect(await call(path(batchOther), plainCert, { certificateApp: 'required' })).toMatchObject({ status: 403 })
    expect(await call(path(batchReport), reportCert, { certificateApp: 'required' })).toMatchObject({ ok: true })
    expect(await call(path(batchOther), reportCert, { certificateApp: 'ignore' })).toMatchObject({ ok: true })
  })
})

describe("a tenant's own valid certificate with another application's token, over real mTLS (curl)", () => {
  let server: Server
  let port = 0
  let dir: string
  const applied: string[] = []
  const otherToken = createHookToken()
  beforeAll(async () => {
    const store = createMemoryHookStore({
      apply: ({ app }) => {
        applied.push(app.name)
        return { deleted: app.name }
      },
    })
    await store.setToken(batchOther, 'complete', otherToken)
    const handler = createHookHandler({
      lookup: store.lookup,
      onVerified: store.onVerified,
      caBundlePem: pki.read('root.pem'),
    })
    ;({ server, port } = await listenTls(pki, (req, res) => void handler(req, res)))
    dir = mkdtempSync(join(tmpdir(), 'krake-hooks-tenant-'))
    writeFileSync(join(dir, 'cert.pem'), reportCert.certPem)
    writeFileSync(join(dir, 'key.pem'), reportCert.keyPem)
    const own = await issue({ app: batchOther, kind: 'complete' })
    writeFileSync(join(dir, 'other-cert.pem'), own.certPem)
    writeFileSync(join(dir, 'other-key.pem'), own.keyPem)
  })
  afterAll(() => {
    server?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const curl = (cert: string, key: string) =>
    run('curl', [
      '-sS',
      '-o',
      '-',
      '-w',
      '\\n%{http_code}',
      '-X',
      'PUT',
      '-d',
      JSON.stringify({ token: otherToken }),
      `https://127.0.0.1:${port}${path(batchOther)}`,
      '--cacert',
      pki.path('root.pem'),
      '--cert',
      cert,
      '--key',
      key,
    ]).then((r) => r.stdout.split('\n'))

  it('is refused with 403 and applies nothing', async () => {
    const [body, status] = await curl(join(dir, 'cert.pem'), join(dir, 'key.pem'))
    expect(status).toBe('403')
    expect(body).not.toContain(otherToken)
    expect(applied).toEqual([])
    // the same token with the application's own certificate: taken
    const [taken, ok] = await curl(join(dir, 'other-cert.pem'), join(dir, 'other-key.pem'))
    expect([ok, taken]).toEqual(['200', '{"deleted":"other"}'])
    expect(applied).toEqual(['other'])
  })
})
