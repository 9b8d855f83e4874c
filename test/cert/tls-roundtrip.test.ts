// The seed's TLS path end to end, with real peers: the ConfigMap files as the
// mount would hold them, the seed's exact curl, and Node's https server
// requiring client certificates from the Krake CA.
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, request, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { TLSSocket } from 'node:tls'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  buildCaBundle,
  createCertificateIssuer,
  createHookToken,
  injectHook,
  issueHookCertificate,
} from '../../src/index.js'
import { deployment, podSpecOf } from '../helpers.js'
import { makePki, type Pki } from '../pki.js'

const run = promisify(execFile)

interface Seen {
  method: string
  url: string
  body: string
  cn: string | undefined
}

let pki: Pki
let server: Server
let port: number
const seen: Seen[] = []

beforeAll(async () => {
  pki = makePki()
  server = createServer(
    {
      key: pki.read('server-key.pem'),
      cert: pki.read('server.pem'),
      ca: pki.read('root.pem'),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate()
        seen.push({ method: req.method ?? '', url: req.url ?? '', body, cn: peer.subject?.CN as string | undefined })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    },
  )
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  pki?.cleanup()
})

/** Injects into the nginx Deployment and writes the ConfigMap's files where the mount would put them. */
function hookedContainer(leaf: { certPem: string; keyPem: string }, dirName: string) {
  const token = createHookToken()
  const tls = { caBundlePem: buildCaBundle([pki.read('root.pem'), pki.read('inter-rsa-pkcs1.pem')]), ...leaf }
  const { manifests } = injectHook([deployment('nginx-demo', 'secondary')], {
    kind: 'complete',
    app: { name: 'nginx-demo', namespace: 'secondary' },
    apiEndpoint: `https://localhost:${port}`,
    token,
    tls,
  })
  const configMap = { data: manifests[1]!.data as Record<string, string> }
  const dir = pki.path(dirName)
  mkdirSync(dir)
  for (const [file, content] of Object.entries(configMap.data)) writeFileSync(`${dir}/${file}`, content)
  const env = Object.fromEntries(
    podSpecOf(manifests[0] as never).containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
  )
  return { token, dir, env: env as { KRAKE_TOKEN: string; KRAKE_COMPLETE_URL: string } }
}

/** The seed's command, word for word, in a shell with the container's environment. */
const SEED_CURL =
  'curl -sS -X PUT -d "{\\"token\\":\\"$KRAKE_TOKEN\\"}" $KRAKE_COMPLETE_URL --cacert $CERT_DIR/ca-bundle.pem --cert $CERT_DIR/cert.pem --key $CERT_DIR/key.pem'

describe('TLS round trip with real peers', () => {
  it("the curl PUT of Krake's docs reaches a server that requires client certificates from the Krake CA", async () => {
    const issuer = await createCertificateIssuer({
      certPem: pki.read('inter-rsa-pkcs1.pem'),
      keyPem: pki.read('inter-rsa-pkcs1-key.pem'),
    })
    const { token, dir, env } = hookedContainer(await issuer.issue(), 'krake_cert')
    seen.length = 0
    await run('bash', ['-c', SEED_CURL], { env: { ...process.env, ...env, CERT_DIR: dir } })
    expect(seen).toEqual([
      {
        method: 'PUT',
        url: '/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
        body: JSON.stringify({ token }),
        cn: 'system:complete-hook',
      },
    ])
  })

  it('a client certificate from a foreign CA is refused and never reaches the handler', async () => {
    const foreign = await issueHookCertificate({
      issuerCertPem: pki.read('foreign-inter.pem'),
      issuerKeyPem: pki.read('foreign-inter-key.pem'),
      hookUser: 'system:complete-hook',
      keyAlgorithm: 'ECDSA-P256',
    })
    const { dir, env } = hookedContainer(foreign, 'foreign_cert')
    seen.length = 0
    const failure = await run('bash', ['-c', SEED_CURL], { env: { ...process.env, ...env, CERT_DIR: dir } }).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    )
    // TLS 1.3 refuses the client certificate after the handshake, so curl sees, depending on timing,
    // the alert (35: SSL connect error), an empty reply (52) or a reset (56): never an HTTP answer.
    expect([35, 52, 56]).toContain(failure?.code)
    expect(seen).toEqual([])
  })

  async function nodePut(cert: string, key: string): Promise<number | Error> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: '127.0.0.1',
          servername: 'localhost',
          port,
          method: 'PUT',
          path: '/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
          cert,
          key,
          ca: pki.read('root.pem'),
          agent: false,
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', resolve)
      req.end('{"token":"x"}')
    })
  }

  it('a TLS client that does not build chains (node:https, ca = the root only) gets through because cert.pem carries the intermediate', async () => {
    const issuer = await createCertificateIssuer({
      certPem: pki.read('inter-ec-sec1.pem'),
      keyPem: pki.read('inter-ec-sec1-key.pem'),
    })
    const leaf = await issuer.issue({ keyAlgorithm: 'ECDSA-P256' })
    seen.length = 0
    expect(await nodePut(leaf.certPem, leaf.keyPem)).toBe(200)
    expect(seen.map((s) => s.cn)).toEqual(['system:complete-hook'])
  })

  it('the same client with the leaf alone (chain: false) is refused: the reason cert.pem carries the chain', async () => {
    const issuer = await createCertificateIssuer({
      certPem: pki.read('inter-ec-sec1.pem'),
      keyPem: pki.read('inter-ec-sec1-key.pem'),
    })
    const leaf = await issuer.issue({ keyAlgorithm: 'ECDSA-P256', chain: false })
    seen.length = 0
    expect(await nodePut(leaf.certPem, leaf.keyPem)).toBeInstanceOf(Error)
    expect(seen).toEqual([])
  })
})
