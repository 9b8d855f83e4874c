import type { IncomingMessage, ServerResponse } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { HookError } from '../errors.js'
import { isBodyRefusal, readRequestBody } from '../lib/body.js'
import { peerCertificatePem } from './peer.js'
import { hashHookToken } from './token.js'
import {
  checkBeforeBody,
  checkCall,
  INVALID_TOKEN_REASON,
  type TokenLookup,
  type VerifyRequestOptions,
  type AcceptedCall,
} from './request.js'

/** What `onVerified` is told beside the call: the token it verified, as a digest, and the request's life. */
export interface VerifiedCallContext {
  /** `hashHookToken` of the token the call presented (it matched the lookup's): a store's key for "this token's call". */
  tokenDigest: string
  /** Aborts when the client goes away before its answer: a wait on another call may stop then. */
  signal: AbortSignal
}

/** What `createHookHandler` checks, and what it calls once a call is verified. */
export interface HookHandlerOptions extends Omit<VerifyRequestOptions, 'now'> {
  /** The expected token (or its `hashHookToken` digest) of a hook. */
  lookup: TokenLookup
  /**
   * Called once a call is verified: the place to apply it. A call may come
   * again (its first answer lost, a retry, another replica), and must then
   * get the same 200 and the same body as the first: apply once per token
   * and answer every verified call with the recorded result (as Krake's API
   * does, which never spends a token). `createMemoryHookStore` and
   * `createEtcdHookStore` (`krake-hooks/etcd`) give an `onVerified` that does
   * so. An object is sent as the JSON body of the 200; anything else sends
   * `{}`; `false` answers 401 as for a wrong token; a HookError
   * `ERR_CALL_PENDING` (another call of the token is being applied) answers
   * 503 with `Retry-After`; any other throw answers 500 without details.
   */
  onVerified: (call: AcceptedCall, context: VerifiedCallContext) => unknown
  /**
   * Longest time to receive the body. (past it, 408)
   * @defaultValue 10 s
   */
  bodyTimeoutMs?: number | undefined
}

const DEFAULT_MAX_BODY = 16 * 1024

/**
 * The listener `createHookHandler` returns: for the server's `request` event,
 * and, as `checkContinue`, for its `checkContinue` event.
 */
export interface HookHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<void>
  /**
   * For `server.on('checkContinue', handler.checkContinue)`: a client that
   * sends `Expect: 100-continue` waits for `100 Continue` before its body.
   * Without this listener Node answers `100 Continue` to every such request
   * before the handler runs, inviting the body of a call that a 405, 404 or
   * 403 (or a `Content-Length` over the limit, 413) will refuse. With it, the
   * refusal comes instead of `100 Continue`, and a call that passes the early
   * checks gets its `100 Continue` right before its body is read.
   */
  checkContinue: (req: IncomingMessage, res: ServerResponse) => Promise<void>
}

function reply(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, close = false): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' }
  if (status === 405) headers.allow = 'PUT'
  if (status === 503) headers['retry-after'] = '1'
  if (close) {
    // the rest of the body is never read: close the connection once the answer is out
    headers.connection = 'close'
    res.on('finish', () => req.destroy())
  }
  res.writeHead(status, headers).end(JSON.stringify(body))
}

/**
 * The API side of the hooks as a `(req, res)` listener for `node:http` and
 * `node:https` servers (and frameworks that take one, such as Express). It
 * answers 405 and 404 before reading anything, 403 for a client
 * certificate that does not chain to `caBundlePem` (taken from the TLS
 * socket, intermediates included), reads the body with a hard limit (413
 * at the first byte past `maxBodyBytes`, default 16 KiB, without reading
 * on; 408 past `bodyTimeoutMs`), decides with `verifyHookRequest`, then
 * awaits `onVerified`. No answer carries a token; errors inside answer 500
 * without details. Never rejects. Register its `checkContinue` too, so that
 * a client waiting for `100 Continue` is refused before it sends its body.
 *
 * @example
 * ```ts
 * const store = createMemoryHookStore({ apply: ({ app, kind }) => markDone(app, kind) })
 * const handler = createHookHandler({
 *   lookup: store.lookup,
 *   onVerified: store.onVerified, // apply once per token; every call, replays too, gets the recorded answer
 *   caBundlePem: krakeCaPem,
 *   hookUser: { complete: 'system:complete-hook', shutdown: 'system:shutdown-hook' },
 * })
 * https.createServer({ key, cert, ca: krakeCaPem, requestCert: true }, handler).on('checkContinue', handler.checkContinue)
 * ```
 */
export function createHookHandler(options: HookHandlerOptions): HookHandler {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.lookup !== 'function' ||
    typeof options.onVerified !== 'function'
  ) {
    throw new HookError('ERR_INVALID_ARGUMENT', 'createHookHandler needs { lookup, onVerified } functions', {
      path: '',
    })
  }
  const { lookup, onVerified, bodyTimeoutMs = 10_000, ...verifyOptions } = options
  const limit = verifyOptions.maxBodyBytes ?? DEFAULT_MAX_BODY
  if (!Number.isSafeInteger(limit) || limit < 0)
    throw new HookError('ERR_INVALID_ARGUMENT', 'maxBodyBytes must be a whole number of bytes', {
      path: '/maxBodyBytes',
    })
  const handle = async (req: IncomingMessage, res: ServerResponse, continueFirst: boolean): Promise<void> => {
    req.pause() // nothing flows until the early checks are passed
    try {
      const clientCertPem = 'getPeerCertificate' in req.socket ? peerCertificatePem(req.socket as TLSSocket) : undefined
      const request = { method: req.method ?? '', url: req.url ?? '', clientCertPem }
      // Method, path and identity first: a stranger's body is never read.
      const early = checkBeforeBody({ ...request, body: undefined }, verifyOptions)
      if ('ok' in early) return reply(req, res, early.status, { reason: early.reason }, true)
      if (continueFirst) {
        const declared = Number(req.headers['content-length'])
        if (Number.isFinite(declared) && declared > limit)
          return reply(req, res, 413, { reason: 'The request body is too large.' }, true)
        res.writeContinue() // the client waited for this before sending its body
      }
      // Behind a framework's body parser (express.json()) the body was read and parsed already.
      const parsed = (req as { body?: unknown }).body
      const body =
        req.readableEnded && parsed !== undefined
          ? parsed
          : await readRequestBody(req, { maxBytes: limit, timeoutMs: bodyTimeoutMs })
      if (isBodyRefusal(body)) return reply(req, res, body.status, { reason: body.reason }, true)
      const verdict = await checkCall({ ...request, body }, lookup, verifyOptions, early)
      if (!verdict.ok) return reply(req, res, verdict.status, { reason: verdict.reason })
      const gone = new AbortController()
      const abandon = () => gone.abort()
      res.once('close', abandon)
      let outcome: unknown
      try {
        const call = { ok: true as const, app: verdict.app, kind: verdict.kind }
        outcome = await onVerified(call, { tokenDigest: hashHookToken(verdict.token), signal: gone.signal })
      } catch (e) {
        if (e instanceof HookError && e.code === 'ERR_CALL_PENDING')
          return reply(req, res, 503, { reason: 'The hook call is being applied; retry shortly.' })
        return reply(req, res, 500, { reason: 'The hook call could not be recorded.' })
      } finally {
        res.off('close', abandon)
      }
      if (outcome === false) return reply(req, res, 401, { reason: INVALID_TOKEN_REASON })
      reply(req, res, 200, typeof outcome === 'object' && outcome !== null ? outcome : {})
    } catch {
      reply(req, res, 500, { reason: 'The hook call could not be handled.' }, true)
    }
  }
  return Object.assign((req: IncomingMessage, res: ServerResponse) => handle(req, res, false), {
    checkContinue: (req: IncomingMessage, res: ServerResponse) => handle(req, res, true),
  })
}
