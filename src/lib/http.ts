import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'

/** An HTTP answer, its body as text (cut at 64 KiB: it is only ever shown in a message). */
interface HttpAnswer {
  status: number
  body: string
}

interface PutOptions {
  body?: string | undefined
  /** Client TLS: the CAs to trust, the client certificate (chain) and key. */
  tls?: { ca: string; cert: string; key: string } | undefined
  /** The whole call's deadline: connecting, the headers and the body of the answer. */
  timeoutMs: number
}

const MAX_ANSWER = 64 * 1024

/**
 * One PUT. Rejects on a network error, and when the whole call (connect,
 * headers, body) has not ended within `timeoutMs`: a peer that trickles its
 * answer or never stops sending cannot hold it. The answer's body is read up
 * to 64 KiB; past that the connection is closed and the answer is what came.
 */
export function put(url: URL, options: PutOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? ''
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) }
    if (body !== '') headers['content-type'] = 'application/json'
    let settled = false
    const settle = (fn: () => void) => {
      if (settled) return
      settled = true
      clearTimeout(deadline)
      fn()
    }
    // One connection per call (agent: false): a hook call is rare, and a pooled socket the peer has closed only fails later
    const req = send(url, { method: 'PUT', headers, agent: false, ...(options.tls ?? {}) }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      const done = () => settle(() => resolve({ status: res.statusCode ?? 0, body: text.slice(0, MAX_ANSWER) }))
      res.on('data', (c: string) => {
        text += c
        if (text.length >= MAX_ANSWER) {
          done()
          req.destroy() // read no further: the answer is long enough to say what it is
        }
      })
      res.on('end', done)
      res.on('error', (e) => settle(() => reject(e)))
    })
    const deadline = setTimeout(() => {
      const error = new Error(`no whole answer within ${options.timeoutMs} ms`)
      settle(() => reject(error))
      req.destroy(error)
    }, options.timeoutMs)
    req.on('error', (e) => settle(() => reject(e)))
    req.end(body)
  })
}

/**
 * `body` fit to quote in a message about a call that sent `secret`: cut to
 * 200 characters, and left out whole when the secret is in it in a form a
 * server could echo it: as it is, JSON- or URL-escaped, or inside any run of
 * base64 or base64url (decoded at each of its four alignments, so an echo of
 * the whole request encoded is found too).
 */
export function quotable(body: string, secret: string): string {
  const hidden = '(the answer is not shown: it holds the token)'
  if (secret === '') return body.slice(0, 200)
  for (const form of [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]) {
    if (body.includes(form)) return hidden
  }
  for (const run of body.match(/[A-Za-z0-9+/_-]{8,}/g) ?? []) {
    for (let skip = 0; skip < 4; skip++) {
      // Node's base64 decoder reads the url-safe alphabet too
      if (Buffer.from(run.slice(skip), 'base64').toString('latin1').includes(secret)) return hidden
    }
  }
  return body.slice(0, 200)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
