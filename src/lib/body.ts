import type { IncomingMessage } from 'node:http'

/** What ends a request before its body is read whole. */
export type BodyRefusal = 413 | 408 | 400

/**
 * The raw body of a request, or the status that ends it: 413 for a larger
 * Content-Length (not one byte read) or at the first byte past `maxBytes`,
 * 408 when it comes slower than `timeoutMs`, 400 when it breaks off or was
 * read by someone else. On 413 and 408 the request is paused and read no
 * further: answer, then close the connection.
 *
 * @example
 * ```ts
 * const body = await readRequestBody(req, { maxBytes: 3 * 1024 * 1024, timeoutMs: 10_000 })
 * if (typeof body === 'number') return res.writeHead(body, { connection: 'close' }).end()
 * ```
 */
export function readRequestBody(
  req: IncomingMessage,
  options: { maxBytes: number; timeoutMs: number },
): Promise<Buffer | BodyRefusal> {
  const { maxBytes, timeoutMs } = options
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > maxBytes) return resolve(413)
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const finish = (result: Buffer | BodyRefusal) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.removeListener('data', onData)
      if (result === 413 || result === 408) req.pause() // read on no further
      resolve(result)
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
