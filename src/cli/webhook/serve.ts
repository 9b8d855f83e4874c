// `krake-hooks webhook serve`: one mutating admission webhook for every
// application of a cluster. It answers the API server's AdmissionReviews
// with decideAdmission and the label resolver of the HookConfig directory,
// reads the directory and its serving certificate again when they change
// (as a mounted Secret changes: an atomic symlink swap), keeps the last good
// set when a file breaks, and drains on SIGTERM. It holds no state between
// requests: any number of replicas behind one Service answer alike.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { TLSSocket } from 'node:tls'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { decideAdmission, type AdmissionReview } from '../../admission/review.js'
import { HookError } from '../../errors.js'
import { isRecord } from '../../lib/json.js'
import { readRequestBody } from '../../lib/body.js'
import { readConfigFile } from '../files.js'
import { hookDirChanged, loadHookDir, type HookSet } from './hook-dir.js'

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

// The API server's objects stay under 3 MiB (etcd's limit, plus the review around it).
const MAX_BODY = 4 * 1024 * 1024
const BODY_TIMEOUT_MS = 10_000

function metrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'krake_hooks_' })
  return {
    registry,
    reviews: new Counter({
      name: 'krake_hooks_webhook_reviews_total',
      help: 'AdmissionReviews answered, by outcome (patched, allowed, denied, error) and the reason nothing was patched',
      labelNames: ['outcome', 'reason'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'krake_hooks_webhook_review_duration_seconds',
      help: 'Time from the request to the answer of an AdmissionReview',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'krake_hooks_webhook_reloads_total',
      help: 'Readings of the HookConfig directory and the serving certificate that changed something, by what and result',
      labelNames: ['what', 'result'] as const,
      registers: [registry],
    }),
    configs: new Gauge({
      name: 'krake_hooks_webhook_hook_configs',
      help: 'HookConfigs in the set the webhook serves',
      registers: [registry],
    }),
  }
}

function parseAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':')
  const host = address.slice(0, i).replace(/^\[|\]$/g, '')
  const port = Number(address.slice(i + 1))
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535)
    throw new HookError('ERR_INVALID_ARGUMENT', `an address is host:port, not ${JSON.stringify(address)}`)
  return { host: host === '' ? '0.0.0.0' : host, port }
}

/** A value as a log may hold it: a string of at most `max` printable ASCII characters, or undefined. */
function printable(value: unknown, max = 64): string | undefined {
  if (typeof value !== 'string') return undefined
  const shown = value.slice(0, max).replace(/[^\x20-\x7e]/g, '?')
  return value.length > max ? `${shown}...` : shown
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))

/** A refusal of the body (413 too large, 408 too slow): the rest is never read, so the connection closes after it. */
function refuseBody(req: IncomingMessage, res: ServerResponse, status: number): void {
  res.on('finish', () => req.destroy())
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' })
  res.end(JSON.stringify({ reason: status === 413 ? 'request body too large' : 'request body not received' }))
}

/**
 * The serving certificate and key, read and checked to be a pair: Node's
 * secure context takes a mismatched pair and fails every handshake later.
 */
function readTls(options: ServeOptions): { cert: string; key: string; ca?: string } {
  // as the HookConfig files are read: a regular file of at most 1 MiB, opened without blocking
  // (a key replaced by a link to /dev/zero or a FIFO is refused, never read on)
  const read = (path: string) => readConfigFile(path, '', process.cwd(), 'none')
  const cert = read(options.tlsCertFile)
  const key = read(options.tlsKeyFile)
  const ca = options.clientCaFile === undefined ? undefined : read(options.clientCaFile)
  if (ca !== undefined) {
    try {
      new X509Certificate(ca)
    } catch {
      throw new HookError('ERR_INVALID_PEM', `${options.clientCaFile} is not a PEM certificate`)
    }
  }
  let pair: boolean
  try {
    pair = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))
  } catch {
    pair = false // not PEM, or a key of another type than the certificate's
  }
  if (!pair)
    throw new HookError(
      'ERR_KEY_MISMATCH',
      `${options.tlsKeyFile} is not the key of ${options.tlsCertFile}, or either is not PEM`,
    )
  return ca === undefined ? { cert, key } : { cert, key, ca }
}

/** One line per HookConfig refused for inline values: its Pods are denied until it is fixed. */
function logRefused(log: ServeOptions['log'], hooks: HookSet): void {
  for (const r of hooks.refused)
    log({
      level: 'error',
      msg: 'hook configuration refused: its application is denied',
      file: r.file,
      app: r.app,
      error: r.reason,
    })
}

/** Starts the webhook; rejects when the certificate or the directory cannot be read at the start. */
export async function serveWebhook(options: ServeOptions): Promise<Webhook> {
  const { log } = options
  const m = metrics()
  let tls = readTls(options)
  let hooks: HookSet = loadHookDir(options.hooksDir)
  m.configs.set(hooks.bindings.length)
  log({ level: 'info', msg: 'hook configurations loaded', files: hooks.files })
  logRefused(log, hooks)
  let draining = false
  let inFlight = 0
  let idle: (() => void) | undefined

  const health = (res: ServerResponse, path: string): boolean => {
    if (path === '/healthz') json(res, 200, { status: 'ok' })
    else if (path === '/readyz') json(res, draining ? 503 : 200, { status: draining ? 'draining' : 'ready' })
    else if (path === '/metrics') {
      void m.registry.metrics().then(
        (text) => void res.writeHead(200, { 'content-type': m.registry.contentType }).end(text),
        () => json(res, 500, { reason: 'metrics unavailable' }),
      )
    } else return false
    return true
  }

  async function mutate(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint()
    const body = await readRequestBody(req, { maxBytes: MAX_BODY, timeoutMs: BODY_TIMEOUT_MS })
    if (typeof body === 'number') return refuseBody(req, res, body)
    let review: unknown
    try {
      review = JSON.parse(body.toString('utf8'))
    } catch {
      json(res, 400, { reason: 'the body is not JSON' })
      return
    }
    // only what the API server sends: an admission.k8s.io/v1 AdmissionReview whose request has a uid to answer
    const request: unknown = isRecord(review) ? review.request : undefined
    const uid = isRecord(request) ? request.uid : undefined
    if (
      !isRecord(review) ||
      review.apiVersion !== 'admission.k8s.io/v1' ||
      review.kind !== 'AdmissionReview' ||
      typeof uid !== 'string' ||
      uid === ''
    ) {
      m.reviews.inc({ outcome: 'denied', reason: '' })
      json(res, 400, { reason: 'the body is not an admission.k8s.io/v1 AdmissionReview with a request.uid' })
      return
    }
    // cast: decideAdmission reads any value and never throws
    const { review: answer, outcome } = decideAdmission(review as unknown as AdmissionReview, hooks.resolver)
    m.reviews.inc({ outcome: outcome.outcome, reason: outcome.outcome === 'allowed' ? outcome.reason : '' })
    m.latency.observe(Number(process.hrtime.bigint() - started) / 1e9)
    if (outcome.outcome === 'denied' || outcome.outcome === 'error') {
      log({
        level: outcome.outcome === 'error' ? 'error' : 'warning',
        msg: 'review refused',
        // what the caller sent, bounded and printable: a log line is never the caller's to fill
        uid: printable(isRecord(request) ? request.uid : undefined),
        namespace: printable(isRecord(request) ? request.namespace : undefined),
        code: outcome.code,
        // the answer's own message (never a token), which may quote the request: bounded too
        reason: printable(answer.response?.status?.message, 512),
      })
    }
    json(res, 200, answer)
  }

  const handle = (req: IncomingMessage, res: ServerResponse, withMutate: boolean) => {
    if (draining) res.setHeader('connection', 'close') // a keep-alive client moves to another replica
    const path = (req.url ?? '/').split('?')[0]
    if (health(res, path ?? '/')) return // probes need no client certificate: a kubelet presents none
    if (!withMutate || path !== '/mutate') return json(res, 404, { reason: 'not found' })
    // with --client-ca, only a caller whose certificate that CA signed may post reviews
    if (tls.ca !== undefined && !(req.socket instanceof TLSSocket && req.socket.authorized))
      return json(res, 403, { reason: 'a client certificate from the webhook client CA is required' })
    if (req.method !== 'POST') return json(res, 405, { reason: 'POST an AdmissionReview' })
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
    if (type !== 'application/json') return json(res, 415, { reason: 'an AdmissionReview is application/json' })
    inFlight++
    mutate(req, res)
      .catch(() => {
        if (!res.headersSent) json(res, 500, { reason: 'the webhook failed' })
      })
      .finally(() => {
        inFlight--
        if (inFlight === 0) idle?.()
      })
  }

  // the client certificate is asked for, and judged per request: probes come without one
  const server: HttpsServer = createHttpsServer(
    { ...tls, requestCert: tls.ca !== undefined, rejectUnauthorized: false },
    (req, res) => handle(req, res, true),
  )
  // a client that waits for 100 Continue with a body over the limit is refused before it sends it
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > MAX_BODY) return refuseBody(req, res, 413)
    res.writeContinue()
    handle(req, res, true)
  })
  const listen = (s: Server | HttpsServer, address: string) =>
    new Promise<AddressInfo>((resolve, reject) => {
      const { host, port } = parseAddress(address)
      s.once('error', reject)
      s.listen(port, host, () => resolve(s.address() as AddressInfo))
    })
  const address = await listen(server, options.address)
  let metricsServer: Server | undefined
  let metricsAddress: AddressInfo | undefined
  if (options.metricsAddress !== undefined) {
    metricsServer = createHttpServer((req, res) => handle(req, res, false))
    metricsAddress = await listen(metricsServer, options.metricsAddress)
  }
  log({ level: 'info', msg: 'listening', address: `${address.address}:${address.port}` })

  // Read again on a timer: a mounted Secret changes by a symlink swap that fs.watch does not always see.
  // Each source: read it, use it when it changed; on a failure keep the last good one and say so once.
  const watched = (what: 'hooks' | 'tls', failed: string, step: () => Record<string, unknown> | undefined) => {
    let lastError: string | undefined
    return () => {
      try {
        const changed = step()
        if (changed !== undefined) {
          m.reloads.inc({ what, result: 'ok' })
          log({ level: 'info', ...changed })
        }
        lastError = undefined
      } catch (e) {
        const message = e instanceof Error ? e.message : 'unreadable'
        if (message !== lastError) {
          m.reloads.inc({ what, result: 'failed' })
          log({ level: 'error', msg: failed, error: message })
        }
        lastError = message
      }
    }
  }
  const reloadHooks = watched('hooks', 'hook configurations not reloaded: the last good set stays', () => {
    // only the files that changed are read again (hook-dir.ts): an idle reload is a few stat calls a file
    const next = loadHookDir(options.hooksDir, hooks)
    if (next === hooks || next.digest === hooks.digest) {
      hooks = next // the same set, with the fingerprints of this reading
      return undefined
    }
    hooks = next
    m.configs.set(next.bindings.length)
    logRefused(log, next)
    return { msg: 'hook configurations reloaded', files: next.files }
  })
  const reloadTls = watched('tls', 'serving certificate not reloaded: the last good one stays', () => {
    const next = readTls(options)
    if (next.cert === tls.cert && next.key === tls.key && next.ca === tls.ca) return undefined
    server.setSecureContext(next) // new handshakes only: open connections keep theirs
    tls = next
    return { msg: 'serving certificate reloaded' }
  })
  // the directory is asked first, asynchronously, whether anything changed: an idle reload holds the
  // event loop for no stat call, and the synchronous reading runs only for a change (hook-dir.ts)
  let checking = false
  const reload = () => {
    reloadTls()
    if (checking) return
    checking = true
    hookDirChanged(options.hooksDir, hooks)
      .then((changed) => {
        if (changed && !draining) reloadHooks()
      })
      .catch(() => reloadHooks()) // an unreadable directory: the reading says why, once
      .finally(() => {
        checking = false
      })
  }
  const timer = setInterval(reload, options.reloadSeconds * 1000)
  timer.unref()

  const drain = async (): Promise<void> => {
    if (draining) return
    draining = true // from now: /readyz 503, and every answer closes its connection
    clearInterval(timer)
    log({ level: 'info', msg: 'draining', inFlight, graceSeconds: options.graceSeconds ?? 0 })
    const grace = (options.graceSeconds ?? 0) * 1000
    if (grace > 0) await new Promise<void>((resolve) => setTimeout(resolve, grace))
    const closed = new Promise<void>((resolve) => server.close(() => resolve()))
    server.closeIdleConnections()
    const done = inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (idle = resolve))
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, options.drainSeconds * 1000).unref())
    await Promise.race([Promise.all([done, closed]), deadline])
    server.closeAllConnections()
    if (metricsServer !== undefined) {
      metricsServer.closeAllConnections()
      await new Promise<void>((resolve) => metricsServer.close(() => resolve()))
    }
    log({ level: 'info', msg: 'drained' })
  }
  return { address, metricsAddress, drain }
}
