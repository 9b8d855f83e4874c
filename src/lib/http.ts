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

/** How many of the token's letters and digits in a row hide an answer: 10 base64url characters are 60 bits. */
const WINDOW = 10

/** Letters and digits only, lower case: the form every view of an answer is compared in. */
const bare = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')

/** `%XX` escapes decoded, each on its own (an answer need not be valid UTF-8 or a valid URI). */
const percentDecoded = (s: string) =>
  s.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/** The text behind every run of hex digits and of base64 (either alphabet, wrapped lines joined), at every offset. */
function decodedRuns(body: string): string[] {
  const out: string[] = []
  for (const run of body.match(/[0-9a-fA-F]{16,}/g) ?? [])
    for (let skip = 0; skip < 2; skip++) out.push(Buffer.from(run.slice(skip), 'hex').toString('latin1'))
  const joined = body.replace(/\s+/g, '')
  for (const run of joined.match(/[A-Za-z0-9+/_-]{8,}/g) ?? [])
    for (let skip = 0; skip < 4; skip++) out.push(Buffer.from(run.slice(skip), 'base64').toString('latin1'))
  return out
}

/**
 * The answer of a server, cut at 200 characters, to quote in a reason; or a
 * sentence saying it is not shown when it holds the token in any form a
 * server may echo it in: as sent, JSON-escaped, percent-encoded (partly or
 * fully), in another case, split into parts, in hex or in base64 (wrapped or
 * not). Compared as letters and digits only, any run of the token's that long
 * (`WINDOW` characters, never met by chance in a 43-character random token)
 * hides the answer.
 */
export function quotable(body: string, secret: string): string {
  const hidden = '(the answer is not shown: it holds the token)'
  const token = bare(secret)
  if (token === '') return body.slice(0, 200)
  const window = Math.min(WINDOW, token.length)
  const runs = new Set<string>()
  for (let i = 0; i + window <= token.length; i++) runs.add(token.slice(i, i + window))
  const decoded = percentDecoded(body)
  // an answer with no %XX escape is its own percent-decoding: read once, not twice
  const views =
    decoded === body ? [body, ...decodedRuns(body)] : [body, decoded, ...decodedRuns(body), ...decodedRuns(decoded)]
  for (const view of views) {
    const text = bare(view)
    for (const run of runs) if (text.includes(run)) return hidden
  }
  return body.slice(0, 200)
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
