// The API side of the hooks, in a few lines: a node:https server that requires
// client certificates from the Krake CA, decides each call with
// createHookHandler and applies it with applyHookCall, as Krake's API does:
// complete marks the application deleted; shutdown moves a
// WAITING_FOR_CLEANING or DEGRADED application to READY_FOR_ACTION and
// deletes nothing. A hook store runs the effect once per token and answers
// every call of it, a replay on another replica included, with the first
// answer: in this process's memory by default, on etcd when --etcd is given
// (then any number of replicas share the decision).
//
//   tsx examples/api-server.ts --key server-key.pem --cert server.pem --ca ca.pem --port 8443 \
//     [--etcd http://127.0.0.1:2379] --app secondary/nginx-demo=<complete-token>[=<shutdown-token>]
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import {
  applyHookCall,
  createHookHandler,
  createMemoryHookStore,
  type HookKind,
  type HookStore,
  type HookStoreCall,
  type VerifyRequestOptions,
} from 'krake-hooks'
import { createEtcdHookStore } from 'krake-hooks/etcd'

/** The parts of a Krake Application the hooks change. */
export interface Application {
  metadata: { name: string; namespace: string; deleted: string | null }
  status: { state: string; shutdown_grace_period: string | null }
}

export interface StoredApp {
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
  /** etcd's client URLs: the store replicas share. Without them, the store of this process. */
  etcd?: string[]
}

export interface ApiServer {
  server: Server
  url: string
  apps: Map<string, StoredApp>
  store: HookStore
  /** How many requests reached the handler: a refused TLS handshake never does. */
  handled: number
  /** How many times a call was applied (once per token, however often it came). */
  applied: number
  addApp(namespace: string, name: string, tokens: Partial<Record<HookKind, string>>, state?: string): Promise<void>
  close(): Promise<void>
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024
  const apps = new Map<string, StoredApp>()
  // The effect of a call, run once per token by the store; what it returns is every call's answer.
  const apply = ({ app, kind }: HookStoreCall) => {
    const stored = apps.get(`${app.namespace}/${app.name}`)
    if (stored === undefined) throw new Error('no such application') // 500; a later call may try again
    const call = applyHookCall(stored.application, kind)
    stored.application = call.application
    api.applied++
    return { outcome: call.outcome, state: call.to, app, kind }
  }
  const store = options.etcd ? createEtcdHookStore({ hosts: options.etcd, apply }) : createMemoryHookStore({ apply })
  const api: ApiServer = {
    server: undefined as unknown as Server,
    url: '',
    apps,
    store,
    handled: 0,
    applied: 0,
    async addApp(namespace, name, tokens, state = 'RUNNING') {
      apps.set(`${namespace}/${name}`, {
        application: { metadata: { name, namespace, deleted: null }, status: { state, shutdown_grace_period: null } },
      })
      // the store keeps hashHookToken(token) only
      for (const [kind, token] of Object.entries(tokens) as Array<[HookKind, string]>)
        await store.setToken({ namespace, name }, kind, token)
    },
    close: () => new Promise<void>((resolve) => api.server.close(() => resolve())).then(() => store.close()),
  }

  const handler = createHookHandler({
    lookup: store.lookup,
    onVerified: store.onVerified,
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
      etcd: { type: 'string', multiple: true, default: [] },
      app: { type: 'string', multiple: true, default: [] },
    },
  })
  if (!values.key || !values.cert || !values.ca) {
    console.error(
      'usage: api-server --key KEY --cert CERT --ca KRAKE_CA [--port 8443] [--etcd URL ...] [--app ns/name=token ...]',
    )
    process.exit(2)
  }
  const api = await startApiServer({
    key: readFileSync(values.key, 'utf8'),
    cert: readFileSync(values.cert, 'utf8'),
    ca: readFileSync(values.ca, 'utf8'),
    port: Number(values.port),
    ...(values.etcd.length > 0 ? { etcd: values.etcd } : {}),
  })
  for (const spec of values.app) {
    const [ref, token, shutdownToken] = spec.split('=')
    const [namespace, name] = (ref ?? '').split('/')
    if (!namespace || !name || !token) throw new Error(`--app ${spec}: expected namespace/name=token[=shutdown-token]`)
    await api.addApp(
      namespace,
      name,
      shutdownToken ? { complete: token, shutdown: shutdownToken } : { complete: token },
    )
  }
  console.error(`krake hook API listening on ${api.url}`)
}
