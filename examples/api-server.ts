// The API side of the hooks, in a few lines: a node:https server that requires
// client certificates from the Krake CA, decides each call with
// createHookHandler and applies it with applyHookCall, as Krake's API does:
// complete marks the application deleted (its tokens are then forgotten, so a
// replayed call is refused); shutdown moves a WAITING_FOR_CLEANING or
// DEGRADED application to READY_FOR_ACTION and deletes nothing.
//
//   tsx examples/api-server.ts --key server-key.pem --cert server.pem --ca ca.pem --port 8443 \
//     --app secondary/nginx-demo=<complete-token>[=<shutdown-token>]
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import {
  applyHookCall,
  createHookHandler,
  hashHookToken,
  type HookKind,
  type VerifyRequestOptions,
} from '../src/index.js'

/** The parts of a Krake Application the hooks change. */
export interface Application {
  metadata: { name: string; namespace: string; deleted: string | null }
  status: { state: string; shutdown_grace_period: string | null }
}

export interface StoredApp {
  /** Digests of the hooks' tokens: the server never keeps a token itself. */
  tokens: Partial<Record<HookKind, string>>
  application: Application
}

export interface ApiServerOptions {
  key: string
  cert: string
  /** The Krake CA: the only issuer of client certificates this server trusts. */
  ca: string
  hookUser?: VerifyRequestOptions['hookUser']
  host?: string
  port?: number
  maxBodyBytes?: number
}

export interface ApiServer {
  server: Server
  url: string
  apps: Map<string, StoredApp>
  /** How many requests reached the handler: a refused TLS handshake never does. */
  handled: number
  addApp(namespace: string, name: string, tokens: Partial<Record<HookKind, string>>, state?: string): void
  close(): Promise<void>
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024
  const apps = new Map<string, StoredApp>()
  const api: ApiServer = {
    server: undefined as unknown as Server,
    url: '',
    apps,
    handled: 0,
    addApp(namespace, name, tokens, state = 'RUNNING') {
      const digests: Partial<Record<HookKind, string>> = {}
      for (const [kind, token] of Object.entries(tokens) as Array<[HookKind, string]>)
        digests[kind] = hashHookToken(token)
      apps.set(`${namespace}/${name}`, {
        tokens: digests,
        application: { metadata: { name, namespace, deleted: null }, status: { state, shutdown_grace_period: null } },
      })
    },
    close: () => new Promise((resolve) => api.server.close(() => resolve())),
  }

  const handler = createHookHandler({
    lookup: (app, kind) => {
      const stored = apps.get(`${app.namespace}/${app.name}`)
      return stored === undefined || stored.application.metadata.deleted !== null ? undefined : stored.tokens[kind]
    },
    // Synchronous check-and-apply: of two calls verified at once, the second finds the application deleted.
    onVerified: ({ app, kind }) => {
      const stored = apps.get(`${app.namespace}/${app.name}`)
      if (stored === undefined || stored.application.metadata.deleted !== null) return false
      const call = applyHookCall(stored.application, kind)
      stored.application = call.application
      if (call.outcome === 'deleted') stored.tokens = {} // Krake's garbage collector deletes it: nothing can call again
      return { outcome: call.outcome, state: call.to, app, kind }
    },
    caBundlePem: options.ca,
    hookUser: options.hookUser,
    maxBodyBytes,
  })
  api.server = createServer(
    { key: options.key, cert: options.cert, ca: options.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      api.handled++
      void handler(req, res)
    },
  )
  // a client that waits for 100 Continue is refused (405/404/403/413) before it sends its body
  api.server.on('checkContinue', (req, res) => {
    api.handled++
    void handler.checkContinue(req, res)
  })
  await new Promise<void>((resolve) => api.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const { port } = api.server.address() as AddressInfo
  api.url = `https://localhost:${port}`
  return api
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      key: { type: 'string' },
      cert: { type: 'string' },
      ca: { type: 'string' },
      port: { type: 'string', default: '8443' },
      app: { type: 'string', multiple: true, default: [] },
    },
  })
  if (!values.key || !values.cert || !values.ca) {
    console.error('usage: api-server --key KEY --cert CERT --ca KRAKE_CA [--port 8443] [--app ns/name=token ...]')
    process.exit(2)
  }
  const api = await startApiServer({
    key: readFileSync(values.key, 'utf8'),
    cert: readFileSync(values.cert, 'utf8'),
    ca: readFileSync(values.ca, 'utf8'),
    port: Number(values.port),
  })
  for (const spec of values.app) {
    const [ref, token, shutdownToken] = spec.split('=')
    const [namespace, name] = (ref ?? '').split('/')
    if (!namespace || !name || !token) throw new Error(`--app ${spec}: expected namespace/name=token[=shutdown-token]`)
    api.addApp(namespace, name, shutdownToken ? { complete: token, shutdown: shutdownToken } : { complete: token })
  }
  console.error(`krake hook API listening on ${api.url}`)
}
