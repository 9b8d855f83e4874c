import type { IncomingMessage } from 'node:http'

/**
 * What ends a request before its body is read whole: a refusal of the same
 * shape as every other of the package (`verifyHookRequest`'s, `signalHook`'s),
 * with the status to answer and the reason to send.
 */
export interface BodyRefusal {
  /** The body was not read. */
  ok: false
  /** 413 too large, 408 too slow, 400 broken off or read by someone else. */
  status: 413 | 408 | 400
  /** The reason to send back. */
  reason: string
}

const REFUSALS: Readonly<Record<BodyRefusal['status'], BodyRefusal>> = {
  413: Object.freeze({ ok: false, status: 413, reason: 'The request body is too large.' }),
  408: Object.freeze({ ok: false, status: 408, reason: 'The request body came too slowly.' }),
  400: Object.freeze({ ok: false, status: 400, reason: 'The request body could not be read.' }),
}

/**
 * The raw body of a request, or the refusal that ends it: 413 for a larger
 * Content-Length (not one byte read) or at the first byte past `maxBytes`,
 * 408 when it comes slower than `timeoutMs`, 400 when it breaks off or was
 * read by someone else. On 413 and 408 the request is paused and read no
 * further: answer, then close the connection.
 *
 * @example
 * ```ts
 * const body = await readRequestBody(req, { maxBytes: 3 * 1024 * 1024, timeoutMs: 10_000 })
 * if (!Buffer.isBuffer(body))
 *   return res.writeHead(body.status, { connection: 'close' }).end(JSON.stringify({ reason: body.reason }))
 * ```
 */
export function readRequestBody(
  req: IncomingMessage,
  options: { maxBytes: number; timeoutMs: number },
): Promise<Buffer | BodyRefusal> {
  const { maxBytes, timeoutMs } = options
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) return resolve(REFUSALS[413])
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (result: Buffer | BodyRefusal['status']) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.removeListener('data', onData)
      if (result === 413 || result === 408) req.pause() // read on no further
      resolve(typeof result === 'number' ? REFUSALS[result] : result)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) finish(413)
      else chunks.push(chunk)
    }
    const timer = setTimeout(() => finish(408), timeoutMs)
    if (req.readableEnded) return finish(400)
    req.on('data', onData)
    req.on('end', () => finish(Buffer.concat(chunks)))
    req.on('error', () => finish(400))
    req.on('aborted', () => finish(400))
    req.resume()
  })
}

/** Whether `value` is one of readRequestBody's refusals (a framework may have parsed the body into anything else). */
export const isBodyRefusal = (value: unknown): value is BodyRefusal =>
  value === REFUSALS[413] || value === REFUSALS[408] || value === REFUSALS[400]
