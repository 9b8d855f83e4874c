// createHookHandler over real TLS on loopback (issue 11): the body limit on a
// chunked body, a slow body, concurrent calls with one token, a replay, a
// foreign certificate and none at all.
import { request, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHookHandler, hashHookToken, HookError, type AcceptedCall } from '../../src/index.js'
import { listenTls, makePki, type Pki } from '../pki.js'

const TOKEN = 'handler-token-0123456789abcdefghijklmnopq'
const PATH = '/kubernetes/namespaces/ns/applications/app/complete'
let pki: Pki
let server: Server
let port = 0
let tokens: Map<string, string>
let bytesSeen = 0
const accepted: AcceptedCall[] = []

beforeAll(async () => {
  pki = makePki()
  tokens = new Map([['ns/app/complete', hashHookToken(TOKEN)]])
  const handler = createHookHandler({
    lookup: (app, kind) => tokens.get(`${app.namespace}/${app.name}/${kind}`),
    onVerified: (call) => {
      const key = `${call.app.namespace}/${call.app.name}/${call.kind}`
      if (!tokens.has(key)) return false // spent by a call verified at the same time
      tokens.delete(key)
      accepted.push(call)
      return { done: true }
    },
    caBundlePem: pki.read('root.pem'),
    hookUser: { complete: 'system:complete-hook' },
    maxBodyBytes: 1024,
    bodyTimeoutMs: 300,
  })
  // rejectUnauthorized false: the handler, not the TLS layer, must refuse strangers here
  ;({ server, port } = await listenTls(pki, (req, res) => {
    req.on('data', (c: Buffer) => (bytesSeen += c.length))
    void handler(req, res)
  }))
})
afterAll(async () => {
  await new Promise((r) => server?.close(r))
  pki?.cleanup()
})

interface Call {
  method?: string
  path?: string
  client?: 'hook' | 'foreign' | 'none'
  /** The body at once, or a function that writes it (chunked) and returns when done. */
  body?: string | ((write: (chunk: Buffer) => boolean) => Promise<void>)
}

function call({
  method = 'PUT',
  path = PATH,
  client = 'hook',
  body = JSON.stringify({ token: TOKEN }),
}: Call): Promise<{ status: number; body: string }> {
  const identity =
    client === 'hook'
      ? { key: pki.read('hook-client-key.pem'), cert: pki.read('hook-client.pem') + pki.read('inter-ec-sec1.pem') }
      : client === 'foreign'
        ? {
            key: pki.read('foreign-client-key.pem'),
            cert: pki.read('foreign-client.pem') + pki.read('foreign-inter.pem'),
          }
        : {}
  return new Promise((resolve, reject) => {
    let answered = false
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        path,
        method,
        ca: pki.read('root.pem'),
        agent: false,
        ...identity,
      },
      (res) => {
        answered = true
        let text = ''
        res.on('data', (c: Buffer) => (text += c.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', (e) => (answered ? undefined : reject(e)))
    if (typeof body === 'string') req.end(body)
    else
      void body((chunk) => !answered && req.write(chunk)).then(
        () => !answered && req.end(),
        () => undefined,
      )
  })
}

describe('createHookHandler({ lookup, onVerified, ... }) over TLS', () => {
  it('three concurrent calls with the one valid token: exactly one 200, the others 401; a replay 401', async () => {
    const answers = await Promise.all([call({}), call({}), call({})])
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401])
    expect(answers.find((a) => a.status === 200)!.body).toBe('{"done":true}')
    expect(accepted).toEqual([{ ok: true, app: { namespace: 'ns', name: 'app' }, kind: 'complete' }])
    expect((await call({})).status).toBe(401)
    for (const a of answers) expect(a.body).not.toContain(TOKEN)
  })

  it('a chunked body past maxBodyBytes is answered 413 at once, and the rest is never read', async () => {
    tokens.set('ns/app/complete', hashHookToken(TOKEN))
    bytesSeen = 0
    let written = 0
    const answer = await call({
      body: async (write) => {
        for (let i = 0; i < 4096 && written < 64 * 1024 * 1024; i++) {
          if (!write(Buffer.alloc(16 * 1024, 0x20))) return
          written += 16 * 1024
          await new Promise((r) => setImmediate(r))
        }
      },
    })
    expect(answer).toEqual({ status: 413, body: '{"reason":"The request body is too large."}' })
    expect(bytesSeen).toBeLessThan(256 * 1024)
  })

  it('a declared Content-Length past the limit is 413 without reading a byte', async () => {
    bytesSeen = 0
    const answer = await call({ body: 'x'.repeat(5000) })
    expect(answer.status).toBe(413)
  })

  it('a body that comes too slowly is 408', async () => {
    const answer = await call({
      body: async (write) => {
        write(Buffer.from('{"tok'))
        await new Promise((r) => setTimeout(r, 1500))
      },
    })
    expect(answer).toEqual({ status: 408, body: '{"reason":"The request body came too slowly."}' })
  })

  it('a foreign certificate, and none at all, are 403 before the body is read', async () => {
    expect((await call({ client: 'foreign' })).status).toBe(403)
    expect(await call({ client: 'none' })).toEqual({
      status: 403,
      body: '{"reason":"A client certificate signed by the Krake CA is required."}',
    })
  })

  it('GET is 405 with Allow: PUT, another path 404, a body that is not JSON 400', async () => {
    expect((await call({ method: 'GET', body: '' })).status).toBe(405)
    expect((await call({ path: '/kubernetes/namespaces/ns/applications/app/finish' })).status).toBe(404)
    expect((await call({ body: '{"token":' })).status).toBe(400)
  })

  it('onVerified that throws answers 500 without details', async () => {
    const handler = createHookHandler({
      lookup: () => hashHookToken(TOKEN),
      onVerified: () => {
        throw new Error(`db down ${TOKEN}`)
      },
    })
    const plain = await import('node:http')
    const srv = plain.createServer((req, res) => void handler(req, res))
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
    const res = await fetch(`http://127.0.0.1:${(srv.address() as AddressInfo).port}${PATH}`, {
      method: 'PUT',
      body: JSON.stringify({ token: TOKEN }),
    })
    expect([res.status, await res.text()]).toEqual([500, '{"reason":"The hook call could not be recorded."}'])
    await new Promise((r) => srv.close(r))
  })

  it('refuses to be made without lookup and onVerified', () => {
    expect(() => createHookHandler({} as never)).toThrow(HookError)
  })
})

describe('createHookHandler in Express', () => {
  it('works as Express middleware, behind express.json() (the parsed req.body) and without it', async () => {
    const express = (await import('express')).default
    const handler = createHookHandler({ lookup: () => hashHookToken(TOKEN), onVerified: ({ kind }) => ({ kind }) })
    const app = express()
    app.put('/parsed/*rest', express.json(), (req, res) => void handler(req, res))
    app.put('/raw/*rest', (req, res) => void handler(req, res))
    const srv = app.listen(0, '127.0.0.1')
    await new Promise((r) => srv.once('listening', r))
    const base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
    for (const prefix of ['/parsed', '/raw']) {
      const res = await fetch(`${base}${prefix}${PATH}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: TOKEN }),
      })
      expect([prefix, res.status, await res.text()]).toEqual([prefix, 200, '{"kind":"complete"}'])
      const wrong = await fetch(`${base}${prefix}${PATH}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: '{"token":"nope"}',
      })
      expect(wrong.status).toBe(401)
    }
    await new Promise((r) => srv.close(r))
  })
})
