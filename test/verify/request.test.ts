import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  hashHookToken,
  HookError,
  INVALID_TOKEN_REASON,
  verifyHookRequest,
  type HookRequest,
  type TokenLookup,
} from '../../src/index.js'
import { makePki, type Pki } from '../pki.js'

const TOKEN = 'the-token-0123456789abcdefghijklmnopqrstuvw'
const PATH = '/kubernetes/namespaces/secondary/applications/nginx-demo/complete'
const store = new Map<string, string>([
  ['secondary/nginx-demo/complete', TOKEN],
  ['secondary/nginx-demo/shutdown', hashHookToken('shutdown-token')],
  ['a/b c/complete', TOKEN],
])
const lookup: TokenLookup = (app, kind) => store.get(`${app.namespace}/${app.name}/${kind}`)
const put = (over: Partial<HookRequest> = {}): HookRequest => ({
  method: 'PUT',
  url: PATH,
  body: JSON.stringify({ token: TOKEN }),
  ...over,
})
const OK = { ok: true, app: { namespace: 'secondary', name: 'nginx-demo' }, kind: 'complete' }
const refused = (status: number, reason: string | RegExp) => ({
  ok: false,
  status,
  reason: typeof reason === 'string' ? reason : expect.stringMatching(reason),
})

describe('verifyHookRequest(request, lookup, options)', () => {
  it('accepts the PUT of the right token, as a string, a Buffer, a Uint8Array or a parsed body', async () => {
    for (const body of [
      JSON.stringify({ token: TOKEN }),
      Buffer.from(JSON.stringify({ token: TOKEN })),
      new TextEncoder().encode(`{"token":"${TOKEN}"}`),
      { token: TOKEN },
    ]) {
      expect(await verifyHookRequest(put({ body }), lookup)).toEqual(OK)
    }
  })

  it.each(['GET', 'POST', 'DELETE', 'PATCH', ''])('answers 405 to %j', async (method) => {
    expect(await verifyHookRequest(put({ method }), lookup)).toEqual(
      refused(405, 'Method not allowed: the hook is called with PUT.'),
    )
  })

  it('answers 405 to a lower-case put: methods are case-sensitive (RFC 9110), and Krake routes PUT (issue 11)', async () => {
    expect(await verifyHookRequest(put({ method: 'put' }), lookup)).toEqual(
      refused(405, 'Method not allowed: the hook is called with PUT.'),
    )
  })

  it.each([
    '/',
    '/kubernetes/namespaces/secondary/applications/nginx-demo',
    '/kubernetes/namespaces/secondary/applications/nginx-demo/finish',
    '/kubernetes/namespaces/secondary/applications/nginx-demo/complete/',
    '/kubernetes/namespaces//applications/nginx-demo/complete',
    '/kubernetes/namespace/secondary/applications/nginx-demo/complete',
    '/kubernetes/namespaces/secondary/applications/%E0%A4%A/complete',
    '/core/namespaces/secondary/applications/nginx-demo/complete',
  ])('answers 404 to %s', async (url) => {
    expect(await verifyHookRequest(put({ url }), lookup)).toEqual(refused(404, 'Not found.'))
  })

  it('finds the hook behind any base path, in an absolute URL, ignoring the query', async () => {
    for (const url of [`/krake${PATH}`, `/a/b/c${PATH}?x=1`, `https://krake.example:8443/api${PATH}#frag`]) {
      expect(await verifyHookRequest(put({ url }), lookup)).toEqual(OK)
    }
  })

  it('percent-decodes namespace and name, but an encoded slash inside a segment is 404 (issue 11)', async () => {
    for (const url of [
      '/kubernetes/namespaces/ns%2Fwith/applications/slash/complete',
      '/kubernetes/namespaces/ns/applications/a%2fb/complete',
    ]) {
      expect(await verifyHookRequest(put({ url }), lookup)).toEqual(refused(404, 'Not found.'))
    }
    expect(
      await verifyHookRequest(put({ url: '/kubernetes/namespaces/a/applications/b%20c/complete' }), lookup),
    ).toMatchObject({ ok: true, app: { name: 'b c' } })
  })

  it('takes a path only in normal form: a proxy filtering on the raw path must see what we decide on (404 otherwise)', async () => {
    for (const url of [
      '/x/../kubernetes/namespaces/secondary/applications/nginx-demo/complete',
      '/kubernetes/namespaces/secondary/applications/nginx-demo/./complete',
      '/kubernetes/namespaces/%2e%2e/applications/nginx-demo/complete',
      '/kubernetes/namespaces/secondary/applications/%2E/complete',
      '/kubernetes/namespaces/second%61ry/applications/nginx-demo/complete',
      '/kubernetes/namespaces/secondary/applications/nginx%2Ddemo/complete',
      '/kubernetes\\namespaces/secondary/applications/nginx-demo/complete',
      '//host/kubernetes/namespaces/secondary/applications/nginx-demo/complete',
      '/kubernetes//namespaces/secondary/applications/nginx-demo/complete',
      '/kubernetes/namespaces/secondary/applications/nginx-demo/complete/',
      '/kubernetes/namespaces/secondary/applications/nginx demo/complete',
      'kubernetes/namespaces/secondary/applications/nginx-demo/complete',
      '/kubernetes/namespaces/secondary/applications/nginx-demo/%63omplete',
    ])
      expect([url, await verifyHookRequest(put({ url }), lookup)]).toEqual([url, refused(404, 'Not found.')])
    // as hookUrl writes a segment, and with RFC 3986 path characters raw (as Krake writes them)
    store.set('system:admin/app@1/complete', TOKEN)
    for (const url of [
      '/kubernetes/namespaces/system%3Aadmin/applications/app%401/complete',
      '/kubernetes/namespaces/system:admin/applications/app@1/complete',
      'https://krake-api:8443/base/kubernetes/namespaces/system:admin/applications/app@1/complete?timeout=1',
    ])
      expect(await verifyHookRequest(put({ url }), lookup)).toMatchObject({
        ok: true,
        app: { namespace: 'system:admin', name: 'app@1' },
      })
  })

  it('handles the shutdown kind, against a stored digest', async () => {
    const url = PATH.replace(/complete$/, 'shutdown')
    expect(await verifyHookRequest(put({ url, body: '{"token":"shutdown-token"}' }), lookup)).toEqual({
      ...OK,
      kind: 'shutdown',
    })
    expect(await verifyHookRequest(put({ url }), lookup)).toEqual(refused(401, INVALID_TOKEN_REASON))
  })

  it("answers 401 with Krake's reason for a wrong, missing or non-string token, and for an unknown application", async () => {
    expect(INVALID_TOKEN_REASON).toBe('No token has been provided or the provided one is invalid.')
    for (const body of [
      '{"token":"wrong"}',
      '{}',
      '{"token":null}',
      '{"token":123}',
      `{"token":["${TOKEN}"]}`,
      `{"Token":"${TOKEN}"}`,
    ]) {
      expect(await verifyHookRequest(put({ body }), lookup)).toEqual(refused(401, INVALID_TOKEN_REASON))
    }
    expect(await verifyHookRequest(put({ url: PATH.replace('nginx-demo', 'other') }), lookup)).toEqual(
      refused(401, INVALID_TOKEN_REASON),
    )
  })

  it('answers 400 to a body that is not a JSON object', async () => {
    for (const body of ['not json', '[1,2]', '"token"', 'null', '', '{"token":', 42, null, undefined, [TOKEN]]) {
      expect(await verifyHookRequest(put({ body }), lookup)).toEqual(
        refused(400, 'The body must be a JSON object: {"token": "..."}.'),
      )
    }
  })

  it('answers 413 over maxBodyBytes (default 16 KiB), counting bytes, not characters', async () => {
    const big = JSON.stringify({ token: TOKEN, pad: 'x'.repeat(16 * 1024) })
    expect(await verifyHookRequest(put({ body: big }), lookup)).toEqual(refused(413, 'The request body is too large.'))
    expect(await verifyHookRequest(put({ body: Buffer.from(big) }), lookup)).toMatchObject({ status: 413 })
    const body = JSON.stringify({ token: TOKEN, pad: 'é'.repeat(40) }) // 40 chars, 80 bytes
    expect(await verifyHookRequest(put({ body }), lookup, { maxBodyBytes: body.length + 10 })).toMatchObject({
      status: 413,
    })
    expect(await verifyHookRequest(put({ body }), lookup, { maxBodyBytes: Buffer.byteLength(body) })).toEqual(OK)
    expect(
      await verifyHookRequest(put({ body: { token: 'x'.repeat(100) } }), lookup, { maxBodyBytes: 50 }),
    ).toMatchObject({ status: 413 })
  })

  it('a __proto__ key in the body pollutes nothing and smuggles no token', async () => {
    const body = `{"__proto__":{"token":"${TOKEN}","polluted":true}}`
    expect(await verifyHookRequest(put({ body }), lookup)).toEqual(refused(401, INVALID_TOKEN_REASON))
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(({} as Record<string, unknown>).token).toBeUndefined()
  })

  it('never throws, never echoes the token, and answers 500 when the lookup fails', async () => {
    const bad: unknown[] = [
      null,
      'PUT /x',
      { method: 42 },
      { method: 'PUT', url: 42 },
      { method: 'PUT', url: PATH },
      { method: 'PUT', url: PATH, body: { token: { toString: () => TOKEN } } },
    ]
    for (const request of bad) {
      const verdict = await verifyHookRequest(request as HookRequest, lookup)
      expect(verdict.ok).toBe(false)
      expect(JSON.stringify(verdict)).not.toContain(TOKEN)
    }
    expect(await verifyHookRequest(put(), () => Promise.reject(new Error(TOKEN)))).toEqual(
      refused(500, 'The application could not be looked up.'),
    )
    expect(
      await verifyHookRequest(put(), () => {
        throw new Error('db down')
      }),
    ).toMatchObject({ status: 500 })
    expect(
      await verifyHookRequest(put({ body: '{"token":"wrong"}' }), lookup).then((v) => JSON.stringify(v)),
    ).not.toMatch(/wrong|the-token/)
  })

  it('answers 400 to hostile parsed bodies (a throwing getter, a revoked Proxy) and never rejects (issue 11)', async () => {
    const getter = Object.defineProperty({}, 'token', {
      enumerable: true,
      get() {
        throw new Error(TOKEN)
      },
    })
    const { proxy, revoke } = Proxy.revocable({ token: TOKEN }, {})
    revoke()
    for (const body of [getter, proxy]) {
      const verdict = await verifyHookRequest(put({ body }), lookup)
      expect(verdict).toEqual(refused(400, 'The body must be a JSON object: {"token": "..."}.'))
    }
  })

  it('awaits an async lookup', async () => {
    expect(await verifyHookRequest(put(), async (app, kind) => lookup(app, kind))).toEqual(OK)
  })
})

describe('verifyHookRequest: mTLS identity (certificates made by the openssl CLI)', () => {
  let pki: Pki
  beforeAll(() => {
    pki = makePki()
  })
  afterAll(() => pki?.cleanup())
  const chain = (leaf: string, inter: string) => pki.read(`${leaf}.pem`) + pki.read(`${inter}.pem`)
  const options = () => ({ caBundlePem: pki.read('root.pem'), hookUser: 'system:complete-hook' })

  it('accepts a hook certificate that chains to the bundle through the intermediate it sent', async () => {
    expect(
      await verifyHookRequest(put({ clientCertPem: chain('hook-client', 'inter-ec-sec1') }), lookup, options()),
    ).toEqual(OK)
  })

  it('accepts the leaf alone when the bundle holds the intermediate (Krake CA + intermediate, as ca-bundle.pem)', async () => {
    const caBundlePem = pki.read('root.pem') + pki.read('inter-ec-sec1.pem')
    expect(
      await verifyHookRequest(put({ clientCertPem: pki.read('hook-client.pem') }), lookup, { caBundlePem }),
    ).toEqual(OK)
  })

  it('answers 403 without a client certificate, or with garbage', async () => {
    const reason = 'A client certificate signed by the Krake CA is required.'
    expect(await verifyHookRequest(put(), lookup, options())).toEqual(refused(403, reason))
    expect(await verifyHookRequest(put({ clientCertPem: 'garbage' }), lookup, options())).toEqual(refused(403, reason))
  })

  it('answers 403 to a certificate from a foreign CA, even with the right CN and token', async () => {
    expect(
      await verifyHookRequest(put({ clientCertPem: chain('foreign-client', 'foreign-inter') }), lookup, options()),
    ).toMatchObject({ status: 403 })
  })

  it('answers 403 when the chain is missing its intermediate', async () => {
    expect(
      await verifyHookRequest(put({ clientCertPem: pki.read('hook-client.pem') }), lookup, options()),
    ).toMatchObject({ status: 403 })
  })

  it("answers 403 when the CN is not hookUser's, but accepts any CN without hookUser", async () => {
    const clientCertPem = pki.read('leaf.pem') // CN "just a leaf", issued by the root
    expect(await verifyHookRequest(put({ clientCertPem }), lookup, options())).toEqual(
      refused(403, "The client certificate is not the hook user's."),
    )
    expect(await verifyHookRequest(put({ clientCertPem }), lookup, { caBundlePem: pki.read('root.pem') })).toEqual(OK)
  })

  it('takes hookUser per kind, as Krake has a hook_user per hook (issue 9)', async () => {
    const clientCertPem = chain('hook-client', 'inter-ec-sec1') // CN system:complete-hook
    const perKind = {
      caBundlePem: pki.read('root.pem'),
      hookUser: { complete: 'system:complete-hook', shutdown: 'system:shutdown-hook' },
    }
    expect(await verifyHookRequest(put({ clientCertPem }), lookup, perKind)).toEqual(OK)
    const shutdownUrl = '/kubernetes/namespaces/secondary/applications/nginx-demo/shutdown'
    expect(await verifyHookRequest(put({ clientCertPem, url: shutdownUrl }), lookup, perKind)).toEqual(
      refused(403, "The client certificate is not the hook user's."),
    )
    // a hook left out of the map takes any CN that chains
    expect(
      await verifyHookRequest(put({ clientCertPem, url: shutdownUrl, body: '{"token":"shutdown-token"}' }), lookup, {
        ...perKind,
        hookUser: { complete: 'system:complete-hook' },
      }),
    ).toMatchObject({ ok: true, kind: 'shutdown' })
  })

  it('answers 403 to a certificate without clientAuth (a server certificate), a CA certificate, or an expired chain', async () => {
    const caBundlePem = pki.read('root.pem')
    expect(
      await verifyHookRequest(put({ clientCertPem: pki.read('server.pem') }), lookup, { caBundlePem }),
    ).toMatchObject({ status: 403 })
    expect(
      await verifyHookRequest(put({ clientCertPem: pki.read('inter-ec-sec1.pem') }), lookup, { caBundlePem }),
    ).toMatchObject({ status: 403 })
    const later = new Date(Date.now() + 20 * 365 * 24 * 3600 * 1000)
    expect(
      await verifyHookRequest(put({ clientCertPem: chain('hook-client', 'inter-ec-sec1') }), lookup, {
        caBundlePem,
        now: later,
      }),
    ).toMatchObject({ status: 403 })
  })

  it('checks identity before the token: a foreign certificate gets 403 even with a wrong token', async () => {
    expect(
      await verifyHookRequest(
        put({ body: '{"token":"wrong"}', clientCertPem: chain('foreign-client', 'foreign-inter') }),
        lookup,
        options(),
      ),
    ).toMatchObject({ status: 403 })
  })

  it("a caBundlePem that is not PEM is the server's mistake: it throws ERR_INVALID_PEM", async () => {
    await expect(verifyHookRequest(put(), lookup, { caBundlePem: 'nope' })).rejects.toThrow(HookError)
    await expect(verifyHookRequest(put(), lookup, { caBundlePem: 'nope' })).rejects.toMatchObject({
      code: 'ERR_INVALID_PEM',
    })
  })
})
