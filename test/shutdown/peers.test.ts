// The controller's and the application's calls against peers that misbehave
// as real ones do: an answer that never ends, headers or a body trickled a
// byte at a time, a server that echoes the request (issue 16, items 2, 4, 6).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { HookError, requestShutdown, signalHook } from '../../src/index.js'

let server: Server | undefined
afterEach(async () => {
  server?.closeAllConnections()
  await new Promise((r) => (server ? server.close(r) : r(undefined)))
  server = undefined
})

// The writes the misbehaving peer has made, and who waits for the next one.
let peerWrites = 0
let onPeerWrite: (() => void) | undefined
const wrote = () => {
  peerWrites++
  onPeerWrite?.()
}
/** Resolves once the peer has written `n` times: it has begun to hold the call. */
const peerHasWritten = (n: number) =>
  new Promise<void>((resolve) => {
    onPeerWrite = () => {
      if (peerWrites < n) return
      onPeerWrite = undefined
      resolve()
    }
    onPeerWrite()
  })

/** A loopback server answering every request with `answer`; resolves with its host:port. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  peerWrites = 0
  server = createServer(answer)
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  return `127.0.0.1:${(server.address() as AddressInfo).port}`
}

const endless = (_: IncomingMessage, res: ServerResponse) => {
  res.writeHead(500, { 'content-type': 'text/plain' })
  const chunk = 'x'.repeat(16 * 1024)
  const more = () => {
    while (res.write(chunk)) wrote()
    res.once('drain', more)
  }
  more()
}
const trickle = (what: 'headers' | 'body') => (_: IncomingMessage, res: ServerResponse) => {
  const socket = res.socket
  if (what === 'headers') {
    const head = 'HTTP/1.1 200 OK\r\nx-slow: ' + 'a'.repeat(1000)
    let i = 0
    const t = setInterval(
      () => (socket?.writable ? (socket.write(head[i++ % head.length] ?? 'a'), wrote()) : clearInterval(t)),
      300,
    )
    socket?.on('close', () => clearInterval(t))
  } else {
    res.writeHead(500, { 'content-type': 'text/plain' })
    const t = setInterval(() => (res.writable ? (res.write('.'), wrote()) : clearInterval(t)), 300)
    res.on('close', () => clearInterval(t))
  }
}

/** Peers that hold a call: each must end it within timeoutMs. */
const MISBEHAVING: Array<[string, (req: IncomingMessage, res: ServerResponse) => void]> = [
  ['an answer body that never ends', endless],
  ['headers trickled a byte every 300 ms', trickle('headers')],
  ['a body trickled a byte every 300 ms', trickle('body')],
]

const app = (address: string) => ({ status: { services: { shutdown: address } } })
const env = (address: string) => ({
  KRAKE_TOKEN: 'echo-me-0123456789abcdef',
  KRAKE_COMPLETE_URL: `http://${address}/kubernetes/namespaces/n/applications/a/complete`,
})

/**
 * `call`, with the global setTimeout faked (the call's deadline, lib/http.ts's put, is one; the
 * sockets and the peer's own setInterval stay real): once the peer has begun to hold the call, it
 * is still waiting a millisecond before `timeoutMs`, and it is over at `timeoutMs`. A peer that
 * ends the call itself (an answer cut at 64 KiB) ends it with no deadline passed at all.
 */
async function endsByItsDeadline<T>(call: () => Promise<T>, timeoutMs: number, peerEndsIt: boolean): Promise<T> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  try {
    let over = false
    const result = call().finally(() => (over = true))
    if (peerEndsIt) return await result
    await peerHasWritten(3)
    vi.advanceTimersByTime(timeoutMs - 1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(over).toBe(false)
    vi.advanceTimersByTime(1)
    return await result
  } finally {
    vi.useRealTimers()
  }
}

describe('requestShutdown and signalHook end within timeoutMs whatever the peer does (issue 16)', () => {
  it.each(MISBEHAVING)('requestShutdown: %s', async (_, answer) => {
    const address = await serve(answer)
    const r = await endsByItsDeadline(
      () => requestShutdown(app(address), { timeoutMs: 1500 }),
      1500,
      answer === endless,
    )
    if (answer === endless)
      expect(r).toMatchObject({ ok: false, status: 500 }) // cut at 64 KiB, not read forever
    else expect(r).toMatchObject({ ok: false, reason: 'no whole answer within 1500 ms' })
  })

  it.each(MISBEHAVING)('signalHook: %s', async (_, answer) => {
    const address = await serve(answer)
    const r = await endsByItsDeadline(
      () => signalHook('complete', { env: env(address), retries: 0, timeoutMs: 1500 }),
      1500,
      answer === endless,
    )
    expect(r.ok).toBe(false)
  })

  it.each([0, Number.POSITIVE_INFINITY, Number.NaN, -1])(
    'timeoutMs %s is ERR_INVALID_ARGUMENT, never a wait forever',
    async (t) => {
      const e1 = await requestShutdown(app('127.0.0.1:9'), { timeoutMs: t }).catch((x: unknown) => x)
      expect([(e1 as HookError).code, (e1 as HookError).path]).toEqual(['ERR_INVALID_ARGUMENT', '/timeoutMs'])
      const e2 = await signalHook('complete', { env: env('127.0.0.1:9'), timeoutMs: t }).catch((x: unknown) => x)
      expect([(e2 as HookError).code, (e2 as HookError).path]).toEqual(['ERR_INVALID_ARGUMENT', '/timeoutMs'])
    },
  )
})

describe('no result, error or log carries the token, whatever the server answers (issue 16)', () => {
  it.each([
    ['as it is', (body: string) => body],
    ['JSON-escaped', (body: string) => JSON.stringify({ echo: body })],
    ['base64', (body: string) => Buffer.from(body).toString('base64')],
    // issue 33: the forms that got through before
    ['split in halves', (body: string) => `${body.slice(0, 20)} ... ${body.slice(20)}`],
    ['in hex', (body: string) => Buffer.from(body).toString('hex')],
    ['upper case', (body: string) => body.toUpperCase()],
    [
      'fully percent-encoded',
      (body: string) => [...Buffer.from(body)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
    ],
    [
      'in wrapped base64',
      (body: string) =>
        Buffer.from(body)
          .toString('base64')
          .replace(/(.{8})/g, '$1\n'),
    ],
  ])('a server that echoes the request %s: the reason leaves the answer out', async (_, echo) => {
    const address = await serve((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => res.writeHead(401).end(echo(body)))
    })
    const logged: string[] = []
    const r = await signalHook('complete', { env: env(address), onRetry: (...a) => logged.push(a.join(' ')) })
    expect(r).toMatchObject({ ok: false, status: 401 })
    expect(JSON.stringify(r)).not.toContain('echo-me')
    expect(JSON.stringify(r)).not.toContain(Buffer.from('echo-me-0123456789abcdef').toString('base64').slice(0, 20))
    expect(r.ok ? '' : r.reason).toBe('the Krake API answered 401: (the answer is not shown: it holds the token)')
  })

  it('an answer that does not hold the token is quoted, cut at 200 characters', async () => {
    const address = await serve((req, res) => {
      req.resume()
      res.writeHead(401).end('no such token ' + 'y'.repeat(300))
    })
    const r = await signalHook('complete', { env: env(address) })
    expect(r.ok ? '' : r.reason).toBe(`the Krake API answered 401: no such token ${'y'.repeat(186)}`)
  })
})

describe('requestShutdown takes an address as host:port or [v6]:port, nothing else (issue 16)', () => {
  it.each([
    'user@host:80',
    ':password@host:80',
    'u:p@host:80',
    'host',
    'host:0',
    'host:65536',
    'host:80/x',
    'host:80?a',
    '[::1]',
    'a b:80',
  ])('%j is ERR_INVALID_APPLICATION, and a password is never echoed', async (address) => {
    const e = await requestShutdown(app(address)).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(HookError)
    expect([(e as HookError).code, (e as HookError).path]).toEqual([
      'ERR_INVALID_APPLICATION',
      '/status/services/shutdown',
    ])
    expect((e as HookError).message).not.toContain('password')
    expect((e as HookError).message).not.toMatch(/u:p/)
  })

  it('[::1]:port and a DNS name with a port are taken', async () => {
    server = createServer((req, res) => {
      req.resume()
      res.writeHead(202).end()
    })
    await new Promise<void>((r) => server?.listen(0, '::1', r))
    const port = (server.address() as AddressInfo).port
    expect(await requestShutdown(app(`[::1]:${port}`))).toEqual({
      ok: true,
      status: 202,
      url: `http://[::1]:${port}/shutdown`,
    })
    const r = await requestShutdown(app(`localhost:${port}`), { timeoutMs: 2000 })
    expect(r.url).toBe(`http://localhost:${port}/shutdown`)
  })
})
