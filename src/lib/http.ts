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
  timeoutMs: number
}

const MAX_ANSWER = 64 * 1024

/** One PUT; rejects on a network error or when no answer comes within `timeoutMs`. */
export function put(url: URL, options: PutOptions): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? ''
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) }
    if (body !== '') headers['content-type'] = 'application/json'
    // One connection per call (agent: false): a hook call is rare, and a pooled socket the peer has closed only fails later
    const req = send(
      url,
      { method: 'PUT', headers, agent: false, timeout: options.timeoutMs, ...(options.tls ?? {}) },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => {
          if (text.length < MAX_ANSWER) text += c
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.slice(0, MAX_ANSWER) }))
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
