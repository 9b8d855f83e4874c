// A client that sends `Expect: 100-continue` and waits for `100 Continue`
// before its body (curl does so for large bodies, many HTTP clients on
// request): refused calls get their refusal instead, never an invitation to
// send a body that will not be read (issue 16).
import { request, type Server } from 'node:https'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHookHandler, hashHookToken } from '../../src/index.js'
import { listenTls, makePki, type Pki } from '../pki.js'

const TOKEN = 'continue-token-0123456789abcdefghijklmnop'
const PATH = '/kubernetes/namespaces/ns/applications/app/complete'
let pki: Pki
let server: Server
let port = 0
let bodyBytesSeen = 0

beforeAll(async () => {
  pki = makePki()
  const handler = createHookHandler({
    lookup: () => hashHookToken(TOKEN),
    onVerified: () => ({ done: true }),
    caBundlePem: pki.read('root.pem'),
    hookUser: 'system:complete-hook',
    maxBodyBytes: 1024,
  })
  ;({ server, port } = await listenTls(pki, (req, res) => void handler(req, res)))
  server.on('checkContinue', (req, res) => {
    req.on('data', (c: Buffer) => (bodyBytesSeen += c.length))
    void handler.checkContinue(req, res)
  })
})
afterAll(async () => {
  await new Promise((r) => server?.close(r))
  pki?.cleanup()
})

interface Waiting {
  method?: string
  path?: string
  client?: 'hook-client' | 'foreign-client' | 'none'
  declaredLength?: number
}

/** A call that waits for 100 Continue before sending its body; what came back, and whether it was invited. */
function waitingCall(opts: Waiting = {}): Promise<{ status: number; invited: boolean }> {
  const body = JSON.stringify({ token: TOKEN })
  const client = opts.client ?? 'hook-client'
  const certs =
    client === 'none'
      ? {}
      : {
          cert:
            pki.read(`${client}.pem`) + pki.read(client === 'hook-client' ? 'inter-ec-sec1.pem' : 'foreign-inter.pem'),
          key: pki.read(`${client}-key.pem`),
        }
  return new Promise((resolve, reject) => {
    let invited = false
    const req = request({
      host: '127.0.0.1',
      port,
      path: opts.path ?? PATH,
      method: opts.method ?? 'PUT',
      ca: pki.read('root.pem'),
      agent: false,
      ...certs,
      headers: {
        expect: '100-continue',
        'content-type': 'application/json',
        'content-length': opts.declaredLength ?? Buffer.byteLength(body),
      },
    })
    req.on('continue', () => {
      invited = true
      req.end(body)
    })
    req.on('response', (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, invited }))
      if (!invited) req.destroy() // refused: the body is never sent
    })
    req.on('error', (e) => (invited ? reject(e) : undefined))
    req.flushHeaders()
  })
}

describe("createHookHandler's checkContinue with clients that wait for 100 Continue (issue 16)", () => {
  it.each([
    ['a POST', { method: 'POST' }, 405],
    ['another path', { path: '/kubernetes/namespaces/ns/applications/app/finish' }, 404],
    ['no client certificate', { client: 'none' as const }, 403],
    ["a foreign CA's client", { client: 'foreign-client' as const }, 403],
    ['a declared body over maxBodyBytes', { declaredLength: 1_000_000 }, 413],
  ])('%s: %s, and no 100 Continue, and no byte of the body read', async (_, opts, status) => {
    bodyBytesSeen = 0
    expect(await waitingCall(opts)).toEqual({ status, invited: false })
    expect(bodyBytesSeen).toBe(0)
  })

  it('a call that passes the early checks gets 100 Continue, sends its body and is accepted', async () => {
    expect(await waitingCall()).toEqual({ status: 200, invited: true })
  })
})
