// readRequestBody against a real node:http server and client: the body, or a refusal shaped as every
// refusal of the package is ({ ok: false, status, reason }), which the webhook and the hook handler answer.
import { createServer, request, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readRequestBody } from '../../src/lib/body.js'

let server: ReturnType<typeof createServer>
let port = 0
const options = { maxBytes: 16, timeoutMs: 200 }
// each request's reading, in order of arrival, for the test that sent it
const readings: Array<(reading: Promise<unknown>) => void> = []
const nextReading = () => new Promise<Promise<unknown>>((resolve) => readings.push(resolve))

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const read = readRequestBody(req, options)
    readings.shift()?.(read)
    void read.then((body) => {
      res.writeHead(Buffer.isBuffer(body) ? 200 : 400, { connection: 'close' }).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

/** Sends `chunks` (a chunked body, or one with `length` declared), ending the body unless `hold`. */
function send(chunks: string[], headers: Record<string, string> = {}, hold = false): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/', headers }, (res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    req.on('error', () => resolve(0))
    for (const c of chunks) req.write(c)
    if (!hold) req.end()
  })
}

describe('readRequestBody', () => {
  it('gives the body read whole', async () => {
    const read = nextReading()
    await send(['{"token":', '"x"}'])
    expect(((await await read) as Buffer).toString('utf8')).toBe('{"token":"x"}')
  })

  it('refuses with 413 a body past maxBytes, declared or sent', async () => {
    const refusal = { ok: false, status: 413, reason: 'The request body is too large.' }
    const declared = nextReading()
    void send(['x'], { 'content-length': '17' }, true)
    expect(await await declared).toEqual(refusal)
    const sent = nextReading()
    void send(['0123456789', '0123456789'])
    expect(await await sent).toEqual(refusal)
  })

  it('refuses with 408 a body that does not come within timeoutMs', async () => {
    const read = nextReading()
    void send(['{'], {}, true) // the rest never comes
    expect(await await read).toEqual({ ok: false, status: 408, reason: 'The request body came too slowly.' })
  })
})
