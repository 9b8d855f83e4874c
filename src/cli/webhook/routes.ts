// The webhook's HTTP routes: the probes and /metrics (no client certificate:
// a kubelet presents none), and /mutate, which reads an AdmissionReview,
// answers it with decideAdmission and the served HookConfigs, and logs a
// refusal with bounded, printable values only.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { TLSSocket } from 'node:tls'
import { decideAdmission, type AdmissionReview } from '../../admission/review.js'
import { readRequestBody } from '../../lib/body.js'
import { isRecord } from '../../lib/json.js'
import type { HookSet } from './hook-dir.js'
import type { WebhookMetrics } from './metrics.js'
import type { ServingTls } from './tls.js'

/** What the routes read and the server, the reloads and the drain change: one object, shared by reference. */
export interface WebhookState {
  /** The HookConfigs served (replaced whole by a reload). */
  hooks: HookSet
  /** The serving certificate, key and client CA (replaced whole by a reload). */
  tls: ServingTls
  /** Set once SIGTERM came: /readyz answers 503 and every answer closes its connection. */
  draining: boolean
  /** Reviews being answered. */
  inFlight: number
  /** Called when the last review in flight is answered, while draining. */
  idle?: (() => void) | undefined
  metrics: WebhookMetrics
  log: (entry: Record<string, unknown>) => void
}

// The API server's objects stay under 3 MiB (etcd's limit, plus the review around it).
export const MAX_BODY = 4 * 1024 * 1024
const BODY_TIMEOUT_MS = 10_000

/** A value as a log may hold it: a string of at most `max` printable ASCII characters, or undefined. */
function printable(value: unknown, max = 64): string | undefined {
  if (typeof value !== 'string') return undefined
  const shown = value.slice(0, max).replace(/[^\x20-\x7e]/g, '?')
  return value.length > max ? `${shown}...` : shown
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))

/** A refusal of the body (413 too large, 408 too slow): the rest is never read, so the connection closes after it. */
export function refuseBody(req: IncomingMessage, res: ServerResponse, status: number): void {
  res.on('finish', () => req.destroy())
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' })
  res.end(JSON.stringify({ reason: status === 413 ? 'request body too large' : 'request body not received' }))
}

/** /healthz, /readyz (503 while draining) and /metrics; false for any other path. */
function health(state: WebhookState, res: ServerResponse, path: string): boolean {
  if (path === '/healthz') json(res, 200, { status: 'ok' })
  else if (path === '/readyz') json(res, state.draining ? 503 : 200, { status: state.draining ? 'draining' : 'ready' })
  else if (path === '/metrics') {
    void state.metrics.registry.metrics().then(
      (text) => void res.writeHead(200, { 'content-type': state.metrics.registry.contentType }).end(text),
      () => json(res, 500, { reason: 'metrics unavailable' }),
    )
  } else return false
  return true
}

/** POST /mutate: one AdmissionReview answered (400 for what is not one, 413/408 for a body refused). */
async function mutate(state: WebhookState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = process.hrtime.bigint()
  const body = await readRequestBody(req, { maxBytes: MAX_BODY, timeoutMs: BODY_TIMEOUT_MS })
  if (!Buffer.isBuffer(body)) return refuseBody(req, res, body.status)
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
    state.metrics.reviews.inc({ outcome: 'denied', reason: '' })
    json(res, 400, { reason: 'the body is not an admission.k8s.io/v1 AdmissionReview with a request.uid' })
    return
  }
  // cast: decideAdmission reads any value and never throws
  const { review: answer, outcome } = decideAdmission(review as unknown as AdmissionReview, state.hooks.resolver)
  state.metrics.reviews.inc({ outcome: outcome.outcome, reason: outcome.outcome === 'allowed' ? outcome.reason : '' })
  state.metrics.latency.observe(Number(process.hrtime.bigint() - started) / 1e9)
  if (outcome.outcome === 'denied' || outcome.outcome === 'error') {
    state.log({
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

/**
 * One request to the webhook's server (`withMutate`) or to its metrics
 * server: probes and metrics on both, /mutate on the webhook's only, behind
 * the client CA when there is one; counts reviews in flight for the drain.
 */
export function handleRequest(
  state: WebhookState,
  req: IncomingMessage,
  res: ServerResponse,
  withMutate: boolean,
): void {
  if (state.draining) res.setHeader('connection', 'close') // a keep-alive client moves to another replica
  const path = (req.url ?? '/').split('?')[0]
  if (health(state, res, path ?? '/')) return // probes need no client certificate: a kubelet presents none
  if (!withMutate || path !== '/mutate') return json(res, 404, { reason: 'not found' })
  // with --client-ca, only a caller whose certificate that CA signed may post reviews
  if (state.tls.ca !== undefined && !(req.socket instanceof TLSSocket && req.socket.authorized))
    return json(res, 403, { reason: 'a client certificate from the webhook client CA is required' })
  if (req.method !== 'POST') return json(res, 405, { reason: 'POST an AdmissionReview' })
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/json') return json(res, 415, { reason: 'an AdmissionReview is application/json' })
  state.inFlight++
  mutate(state, req, res)
    .catch(() => {
      if (!res.headersSent) json(res, 500, { reason: 'the webhook failed' })
    })
    .finally(() => {
      state.inFlight--
      if (state.inFlight === 0) state.idle?.()
    })
}
