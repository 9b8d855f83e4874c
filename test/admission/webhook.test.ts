// examples/webhook: the admission webhook answering POSTs over real TLS on
// loopback, and its MutatingWebhookConfiguration read by kubectl with a
// caBundle that openssl accepts for the server's certificate.
import { execFileSync } from 'node:child_process'
import { request } from 'node:https'
import { writeFileSync } from 'node:fs'
import jsonpatch from 'fast-json-patch'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWebhook, webhookConfiguration, type Webhook } from '../../examples/webhook/server.js'
import { injectHook, parseManifests, type AdmissionReview } from '../../src/index.js'
import { spec, TOKEN } from '../helpers.js'
import { makePki, openssl, type Pki } from '../pki.js'

let pki: Pki
let webhook: Webhook

beforeAll(async () => {
  pki = makePki()
  webhook = await startWebhook({
    key: pki.read('server-key.pem'),
    cert: pki.read('server.pem'),
    hook: spec(),
    maxBodyBytes: 64 * 1024,
  })
})
afterAll(async () => {
  await webhook?.close()
  pki?.cleanup()
})

/** One HTTPS call to the webhook, trusting only the test CA, as the API server does with the caBundle. */
function call(method: string, body: string | Buffer, path = '/mutate'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, webhook.url),
      { method, ca: pki.read('root.pem'), headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'report-28u3k-', labels: { 'krake-hooks/inject': 'true', 'job-name': 'report-28u3k' } },
  spec: { containers: [{ name: 'report', image: 'busybox' }], restartPolicy: 'Never' },
}
const review = (object: unknown): AdmissionReview => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  request: {
    uid: 'e911857d-c318-11e8-bbad-025000000001',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    namespace: 'batch',
    operation: 'CREATE',
    object,
  },
})

describe('examples/webhook/server.ts', () => {
  it('answers a POSTed AdmissionReview over TLS with the hook as a base64 JSON Patch', async () => {
    const res = await call('POST', JSON.stringify(review(pod)))
    expect(res.status).toBe(200)
    const answer = JSON.parse(res.body) as AdmissionReview
    expect(answer.response).toMatchObject({
      uid: 'e911857d-c318-11e8-bbad-025000000001',
      allowed: true,
      patchType: 'JSONPatch',
    })
    const ops = JSON.parse(Buffer.from(answer.response!.patch!, 'base64').toString('utf8'))
    const patched = jsonpatch.applyPatch(structuredClone(pod), ops, true, false).newDocument
    const expected = injectHook(
      [{ ...pod, metadata: { ...pod.metadata, name: 'report-28u3k-', namespace: 'batch' } }],
      spec(),
    ).manifests[0]
    expect(patched).toEqual({
      ...expected,
      metadata: { ...pod.metadata, annotations: { 'krake-hooks/injected': 'complete' } },
    })
  })

  it('answers a malformed Pod with allowed: false and no token, a non-JSON body with 400, GET with 405, another path with 404', async () => {
    const bad = await call('POST', JSON.stringify(review({ ...pod, spec: { containers: 'x' } })))
    expect(bad.status).toBe(200)
    expect(JSON.parse(bad.body).response).toMatchObject({ allowed: false, status: { code: 400 } })
    expect(bad.body.includes(TOKEN)).toBe(false)
    expect((await call('POST', '{not json')).status).toBe(400)
    expect((await call('GET', '')).status).toBe(405)
    expect((await call('POST', '{}', '/validate')).status).toBe(404)
  })

  it('answers 413 to a body over its limit', async () => {
    const res = await call('POST', Buffer.alloc(200 * 1024, 0x20))
    expect(res.status).toBe(413)
  })

  it('webhookConfiguration(ca) is read by kubectl, and its caBundle is the CA that openssl verifies the server certificate with', () => {
    const yaml = webhookConfiguration(pki.read('root.pem'))
    const [config] = parseManifests(yaml) as Array<Record<string, any>>
    const viaKubectl = JSON.parse(
      execFileSync('kubectl', ['annotate', '--local', '-f', '-', '-o', 'json', 'x=y'], {
        input: yaml,
        encoding: 'utf8',
      }),
    )
    expect(viaKubectl.kind).toBe('MutatingWebhookConfiguration')
    expect(viaKubectl.webhooks[0].clientConfig.caBundle).toBe(config!.webhooks[0].clientConfig.caBundle)
    expect(viaKubectl.webhooks[0].rules).toEqual([
      { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' },
    ])
    const caFile = pki.path('webhook-ca.pem')
    writeFileSync(caFile, Buffer.from(config!.webhooks[0].clientConfig.caBundle, 'base64'))
    expect(openssl(['verify', '-CAfile', caFile, pki.path('server.pem')]).trim()).toBe(`${pki.path('server.pem')}: OK`)
  })
})
