// `krake-hooks webhook serve`: one mutating admission webhook for every
// application of a cluster. It answers the API server's AdmissionReviews
// with decideAdmission and the label resolver of the HookConfig directory,
// reads the directory and its serving certificate again when they change
// (as a mounted Secret changes: an atomic symlink swap), keeps the last good
// set when a file breaks, and drains on SIGTERM. It holds no state between
// requests: any number of replicas behind one Service answer alike.
// In parts, as Istio keeps its injector: routes.ts (HTTP), reload.ts,
// metrics.ts, tls.ts; here the servers, their addresses and the drain.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { HookError } from '../../errors.js'
import { loadHookDir } from './hook-dir.js'
import { webhookMetrics } from './metrics.js'
import { logRefused, startReloads } from './reload.js'
import { handleRequest, MAX_BODY, refuseBody, type WebhookState } from './routes.js'
import { readTls } from './tls.js'

/** What `webhook serve` is started with. */
export interface ServeOptions {
  tlsCertFile: string
  tlsKeyFile: string
  /**
   * The CA whose client certificates may call /mutate (the API server's, when its
   * AdmissionConfiguration names a kubeconfig for the webhook); absent: any caller.
   */
  clientCaFile?: string | undefined
  hooksDir: string
  /** host:port of the webhook; port 0 picks one. */
  address: string
  /** host:port of a plain-HTTP server for /metrics, /healthz and /readyz alone; absent: the webhook's own. */
  metricsAddress?: string | undefined
  /** Seconds between readings of the directory and the certificate. */
  reloadSeconds: number
  /** Seconds a drain may take before the process gives up on requests in flight. */
  drainSeconds: number
  /**
   * Seconds to keep serving after SIGTERM, with /readyz answering 503 and every
   * answer closing its connection, before the listener closes: the time the
   * Service's endpoints take to drop the replica, so that no client that still
   * sends to it finds it gone.
   */
  graceSeconds?: number | undefined
  /** One JSON line per event. */
  log: (entry: Record<string, unknown>) => void
}

/** A running webhook. */
export interface Webhook {
  /** The HTTPS address it listens on. */
  address: AddressInfo
  /** The metrics address, when it has its own. */
  metricsAddress?: AddressInfo | undefined
  /** Stops accepting, finishes the requests in flight, then resolves. */
  drain(): Promise<void>
}

function parseAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':')
  const host = address.slice(0, i).replace(/^\[|\]$/g, '')
  const port = Number(address.slice(i + 1))
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new HookError('ERR_INVALID_ARGUMENT', `an address is host:port, not ${JSON.stringify(address)}`)
  return { host: host === '' ? '0.0.0.0' : host, port }
}

/** `address` on `s`, resolved with the address it listens on. */
function listen(s: Server | HttpsServer, address: string): Promise<AddressInfo> {
  return new Promise<AddressInfo>((resolve, reject) => {
    const { host, port } = parseAddress(address)
    s.once('error', reject)
    s.listen(port, host, () => resolve(s.address() as AddressInfo))
  })
}

/** Starts the webhook; rejects when the certificate or the directory cannot be read at the start. */
export async function serveWebhook(options: ServeOptions): Promise<Webhook> {
  const { log } = options
  const state: WebhookState = {
    tls: readTls(options),
    hooks: loadHookDir(options.hooksDir),
    draining: false,
    inFlight: 0,
    metrics: webhookMetrics(),
    log,
  }
  state.metrics.configs.set(state.hooks.bindings.length)
  log({ level: 'info', msg: 'hook configurations loaded', files: state.hooks.files })
  logRefused(log, state.hooks)

  // the client certificate is asked for, and judged per request: probes come without one
  const server: HttpsServer = createHttpsServer(
    { ...state.tls, requestCert: state.tls.ca !== undefined, rejectUnauthorized: false },
    (req, res) => handleRequest(state, req, res, true),
  )
  // a client that waits for 100 Continue with a body over the limit is refused before it sends it
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_BODY) return refuseBody(req, res, 413)
    res.writeContinue()
    handleRequest(state, req, res, true)
  })
  const address = await listen(server, options.address)
  let metricsServer: Server | undefined
  let metricsAddress: AddressInfo | undefined
  if (options.metricsAddress !== undefined) {
    metricsServer = createHttpServer((req, res) => handleRequest(state, req, res, false))
    metricsAddress = await listen(metricsServer, options.metricsAddress)
  }
  log({ level: 'info', msg: 'listening', address: `${address.address}:${address.port}` })
  const stopReloads = startReloads(state, options, server)
  const drain = () => drainWebhook(state, options, stopReloads, server, metricsServer)
  return { address, metricsAddress, drain }
}

/**
 * The drain: /readyz 503 and every answer closing its connection for the
 * grace period, then the listener closed and the reviews in flight
 * answered, within the drain timeout.
 */
async function drainWebhook(
  state: WebhookState,
  options: ServeOptions,
  stopReloads: () => void,
  server: HttpsServer,
  metricsServer: Server | undefined,
): Promise<void> {
  if (state.draining) return
  state.draining = true // from now: /readyz 503, and every answer closes its connection
  stopReloads()
  state.log({ level: 'info', msg: 'draining', inFlight: state.inFlight, graceSeconds: options.graceSeconds ?? 0 })
  const grace = (options.graceSeconds ?? 0) * 1000
  if (grace > 0) await new Promise<void>((resolve) => setTimeout(resolve, grace))
  const closed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  const done = state.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (state.idle = resolve))
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, options.drainSeconds * 1000).unref())
  await Promise.race([Promise.all([done, closed]), deadline])
  server.closeAllConnections()
  if (metricsServer !== undefined) {
    metricsServer.closeAllConnections()
    await new Promise<void>((resolve) => metricsServer.close(() => resolve()))
  }
  state.log({ level: 'info', msg: 'drained' })
}
