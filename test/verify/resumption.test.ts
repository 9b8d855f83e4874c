// A client that resumes its TLS session (Node's https.Agent caches sessions by
// default, as undici and Java do) is judged exactly as on a full handshake
// (issue 16): a resumed session carries the client's leaf but not the
// intermediate it sent, and the server trusts only the Krake CA.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Agent, request, type Server } from 'node:https'
import type { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHookHandler, hashHookToken, peerCertificatePem } from '../../src/index.js'
import { listenTls, makePki, type Pki } from '../pki.js'

const TOKEN = 'resume-token-0123456789abcdefghijklmnopqr'
const PATH = '/kubernetes/namespaces/ns/applications/app/complete'
let pki: Pki
let server: Server
let port = 0
const seen: Array<{ reused: boolean; certs: number }> = []

beforeAll(async () => {
  pki = makePki()
  const handler = createHookHandler({
    lookup: () => hashHookToken(TOKEN),
    onVerified: () => ({ recorded: true }),
    caBundlePem: pki.read('root.pem'), // the Krake CA alone: the intermediate must come from the client
    hookUser: 'system:complete-hook',
  })
  const listener = (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as TLSSocket
    seen.push({ reused: socket.isSessionReused(), certs: (peerCertificatePem(socket) ?? '').split('BEGIN').length - 1 })
    void handler(req, res)
  }
  ;({ server, port } = await listenTls(pki, listener, true))
})
afterAll(async () => {
  await new Promise((r) => server?.close(r))
  pki?.cleanup()
})

/** One hook call through `agent`; resolves with the status. */
function call(agent: Agent, maxVersion: 'TLSv1.2' | 'TLSv1.3'): Promise<number> {
  const body = JSON.stringify({ token: TOKEN })
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: PATH,
        method: 'PUT',
        agent,
        maxVersion,
        ca: pki.read('root.pem'),
        cert: pki.read('hook-client.pem') + pki.read('inter-ec-sec1.pem'),
        key: pki.read('hook-client-key.pem'),
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

describe('createHookHandler and peerCertificatePem with a client that resumes its TLS session (issue 16)', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s: every call of a resuming client is 200, as the first', async (v) => {
    seen.length = 0
    // keepAlive off: each call is a new connection, resumed from the agent's session cache
    const agent = new Agent({ keepAlive: false, maxCachedSessions: 10 })
    try {
      const statuses: number[] = []
      for (let i = 0; i < 3; i++) statuses.push(await call(agent, v))
      expect(statuses).toEqual([200, 200, 200])
      // the calls after the first really were resumed, and still carried the whole chain
      expect(seen.map((s) => s.reused)).toEqual([false, true, true])
      expect(seen.map((s) => s.certs)).toEqual([3, 3, 3])
    } finally {
      agent.destroy()
    }
  })

  it('a keep-alive client, several calls on one connection: each is 200', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      const statuses = [await call(agent, 'TLSv1.3'), await call(agent, 'TLSv1.3'), await call(agent, 'TLSv1.3')]
      expect(statuses).toEqual([200, 200, 200])
    } finally {
      agent.destroy()
    }
  })
})
