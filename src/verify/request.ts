import type { AppRef, HookKind } from '../types.js'
import { appUri } from '../cert/app-uri.js'
import { anchorsOf, verifiedClient, type ClientIdentity } from './chain.js'
import { verifyHookToken } from './token.js'

/** What the HTTP layer hands over: the request as received. */
export interface HookRequest {
  /** The HTTP method; only `PUT` is a hook call. */
  method: string
  /** The request target: a path (`/kubernetes/...?x=1`) or an absolute URL. */
  url: string
  /** The raw body (string, Buffer, Uint8Array) or a body a framework already parsed. */
  body: unknown
  /** The client certificate of the TLS connection (leaf first, then any chain it sent). */
  clientCertPem?: string | undefined
}

/** Returns the expected token (or its `hashHookToken` digest) of a hook, or undefined when there is none. */
export type TokenLookup = (
  app: AppRef,
  kind: HookKind,
) => string | undefined | null | Promise<string | undefined | null>

/** What `verifyHookRequest` checks beyond the token. */
export interface VerifyRequestOptions {
  /** When set, the client certificate must chain to one of these certificates. */
  caBundlePem?: string | undefined
  /**
   * When set (with `caBundlePem`), the client certificate's CN must be this:
   * one name for both hooks, or one per hook (`{ complete:
   * 'system:complete-hook', shutdown: 'system:shutdown-hook' }`, as Krake's
   * `hook_user` of each); a hook left out of the map accepts any CN.
   */
  hookUser?:
    | string
    | {
        /** The CN of the complete hook's certificate. */
        complete?: string | undefined
        /** The CN of the shutdown hook's certificate. */
        shutdown?: string | undefined
      }
    | undefined
  /**
   * Whether the client certificate must name the path's application (the
   * URI SAN `krake://<namespace>/<name>/<kind>` that the issuer writes when
   * given `app` and `kind`), so that a tenant's own valid certificate cannot
   * carry another application's token: `'when-named'` refuses a certificate
   * that names another application or hook and accepts one that names none
   * (Krake's own); `'required'` refuses one that names none too; `'ignore'`
   * does not look. With `caBundlePem` only.
   * @defaultValue `'when-named'`
   */
  certificateApp?: 'when-named' | 'required' | 'ignore' | undefined
  /**
   * Largest raw body accepted.
   * @defaultValue 16 KiB
   */
  maxBodyBytes?: number | undefined
  /**
   * The time certificates must be valid at.
   * @defaultValue now
   */
  now?: Date | undefined
}

/** A hook call that is genuine: whose it is and which hook it calls. */
export interface AcceptedCall {
  /** The call is genuine. */
  ok: true
  /** The application it is about, decoded from the path. */
  app: AppRef
  /** The hook it calls. */
  kind: HookKind
}

/** A refused hook call, with the answer to send. */
export interface RefusedCall {
  /** The call is refused. */
  ok: false
  /** The HTTP status to answer with: 400, 401, 403, 404, 405, 413 or 500. */
  status: number
  /** The reason to send: uniform, never a token. */
  reason: string
}

/** The verdict on one hook call. */
export type VerifyResult = AcceptedCall | RefusedCall

/** Krake's own answer to a missing or wrong token. */
export const INVALID_TOKEN_REASON = 'No token has been provided or the provided one is invalid.'
const DEFAULT_MAX_BODY = 16 * 1024

type Refusal = RefusedCall
const refuse = (status: number, reason: string): Refusal => ({ ok: false, status, reason })
const NOT_ALLOWED = refuse(405, 'Method not allowed: the hook is called with PUT.')
const NOT_FOUND = refuse(404, 'Not found.')
const TOO_LARGE = refuse(413, 'The request body is too large.')
const MALFORMED = refuse(400, 'The body must be a JSON object: {"token": "..."}.')
const UNAUTHORIZED = refuse(401, INVALID_TOKEN_REASON)
const NO_CERT = refuse(403, 'A client certificate signed by the Krake CA is required.')
const WRONG_USER = refuse(403, "The client certificate is not the hook user's.")
const OTHER_APP = refuse(403, "The client certificate is not this application's hook's.")
const LOOKUP_FAILED = refuse(500, 'The application could not be looked up.')

// RFC 3986 pchar: unreserved, sub-delims, ":" and "@" raw, or a percent-encoded octet
const PATH_SEGMENT = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})+$/
// an encoded unreserved character (`ba%74ch`, `%2e%2e`) is another spelling of a path a proxy may filter on
const ENCODED_UNRESERVED = /%(?:[46][1-9A-Fa-f]|[57][0-9Aa]|3[0-9]|2[DdEe]|5[Ff]|7[Ee])/
const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/

/**
 * The raw path of a request target, when it is in normal form: origin-form
 * (`/a/b`) or absolute-form (`https://host/a/b`); no empty, `.` or `..`
 * segment, no backslash, no percent-encoded unreserved character, nothing
 * outside RFC 3986's path characters. A front proxy that filters on the raw
 * path then sees the path we decide on.
 */
function normalPath(url: string): string[] | undefined {
  const target = url.replace(ABSOLUTE, '')
  const path = target.split(/[?#]/, 1)[0] ?? ''
  if (!path.startsWith('/')) return undefined
  const segments = path.slice(1).split('/')
  for (const segment of segments) {
    if (segment === '.' || segment === '..' || !PATH_SEGMENT.test(segment) || ENCODED_UNRESERVED.test(segment))
      return undefined
  }
  return segments
}

/** `<base>/kubernetes/namespaces/<ns>/applications/<name>/<kind>`, decoded; undefined when it is not. */
function hookTarget(url: unknown): { app: AppRef; kind: HookKind } | undefined {
  if (typeof url !== 'string') return undefined
  const parts = normalPath(url)
  if (parts === undefined || parts.length < 6) return undefined
  const [k, nsKey, ns = '', appsKey, name = '', kind] = parts.slice(parts.length - 6)
  if (
    k !== 'kubernetes' ||
    nsKey !== 'namespaces' ||
    appsKey !== 'applications' ||
    (kind !== 'complete' && kind !== 'shutdown')
  )
    return undefined
  try {
    const namespace = decodeURIComponent(ns)
    const appName = decodeURIComponent(name)
    // an encoded "/" would name another path than the one the router saw; no Kubernetes name holds one
    if (namespace.includes('/') || appName.includes('/')) return undefined
    return { app: { namespace, name: appName }, kind }
  } catch {
    return undefined
  }
}

/** The token of the body, or a refusal: 413 over the size, 400 when it is not a JSON object (or reading it throws). */
function tokenOf(body: unknown, maxBytes: number): { token: unknown } | RefusedCall {
  try {
    return readToken(body, maxBytes)
  } catch {
    return MALFORMED // a framework's body with a throwing getter, a revoked Proxy
  }
}

function readToken(body: unknown, maxBytes: number): { token: unknown } | RefusedCall {
  let parsed: unknown = body
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength
    if (bytes > maxBytes) return TOO_LARGE
    try {
      parsed = JSON.parse(
        typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'),
      )
    } catch {
      return MALFORMED
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return MALFORMED
  // Own property only: a body of {"__proto__": {"token": ...}} has no token.
  const token = Object.hasOwn(parsed, 'token') ? (parsed as Record<string, unknown>).token : undefined
  if (typeof token === 'string' && Buffer.byteLength(token, 'utf8') > maxBytes) return TOO_LARGE
  return { token }
}

/**
 * Decides a hook call on the API side: `PUT <base>/kubernetes/namespaces/<ns>/applications/<name>/<complete|shutdown>`
 * with the body `{"token": "..."}`. Never throws. Answers 405 for another
 * method, 404 for another path, 403 when `caBundlePem` is set and the client
 * certificate is missing, does not chain to it, or (with `hookUser`) has
 * another CN, 413 for a body over `maxBodyBytes`, 400 for a body that is not
 * a JSON object, 401 with Krake's reason for a missing or wrong token or an
 * unknown application, 500 when `lookup` fails. No answer carries a token.
 * Only the server's own mistakes throw: a `caBundlePem` that is not PEM
 * certificates is a HookError (`ERR_INVALID_PEM`).
 *
 * @example
 * ```ts
 * const verdict = await verifyHookRequest(
 *   { method: req.method, url: req.url, body, clientCertPem },
 *   (app, kind) => store.get(`${app.namespace}/${app.name}`)?.tokens[kind],
 *   { caBundlePem: krakeCaPem, hookUser: 'system:complete-hook' },
 * )
 * if (!verdict.ok) return res.writeHead(verdict.status).end(JSON.stringify({ reason: verdict.reason }))
 * ```
 */
export async function verifyHookRequest(
  request: HookRequest,
  lookup: TokenLookup,
  options: VerifyRequestOptions = {},
): Promise<VerifyResult> {
  const early = checkBeforeBody(request, options)
  return 'ok' in early ? early : checkBody(request, lookup, options, early)
}

/** Where a call goes, once method, path and identity have passed. */
interface CallTarget {
  app: AppRef
  kind: HookKind
}

/**
 * Method, path and client certificate: everything decided before the body
 * is read (createHookHandler reads a body only after these passed).
 */
export function checkBeforeBody(request: HookRequest, options: VerifyRequestOptions = {}): CallTarget | Refusal {
  if (typeof request !== 'object' || request === null) return MALFORMED
  // exactly PUT: HTTP methods are case-sensitive (RFC 9110), and Krake's route is PUT
  if (request.method !== 'PUT') return NOT_ALLOWED
  const target = hookTarget(request.url)
  if (target === undefined) return NOT_FOUND

  const opts = typeof options === 'object' && options !== null ? options : {}
  if (opts.caBundlePem !== undefined) {
    const anchors = anchorsOf(opts.caBundlePem) // a broken bundle is the server's mistake: it throws
    const now = opts.now instanceof Date ? opts.now.getTime() : Date.now()
    let client: ClientIdentity | undefined
    try {
      client =
        typeof request.clientCertPem === 'string' ? verifiedClient(request.clientCertPem, anchors, now) : undefined
    } catch {
      client = undefined
    }
    if (client === undefined) return NO_CERT
    const user =
      typeof opts.hookUser === 'object' && opts.hookUser !== null ? opts.hookUser[target.kind] : opts.hookUser
    // compared on the parsed name: exactly one CN, whatever characters it holds
    if (user !== undefined && (client.commonNames.length !== 1 || client.commonNames[0] !== user)) return WRONG_USER
    // a certificate that names its application serves that application's hook only
    const binding = opts.certificateApp ?? 'when-named'
    if (binding !== 'ignore' && (client.appUris.length > 0 || binding === 'required')) {
      const wanted = appUri(target.app, target.kind)
      if (!client.appUris.includes(wanted)) return OTHER_APP
    }
  }
  return target
}

/** The body and the token, for a call whose method, path and identity passed (`checkBeforeBody`). */
export async function checkBody(
  request: HookRequest,
  lookup: TokenLookup,
  options: VerifyRequestOptions,
  target: CallTarget,
): Promise<VerifyResult> {
  const verdict = await checkCall(request, lookup, options, target)
  return verdict.ok ? { ok: true, app: verdict.app, kind: verdict.kind } : verdict
}

/** `checkBody`, with the token that passed (for the handler's digest of it; never answered). */
export async function checkCall(
  request: HookRequest,
  lookup: TokenLookup,
  options: VerifyRequestOptions,
  target: CallTarget,
): Promise<(CallTarget & { ok: true; token: string }) | RefusedCall> {
  const opts = typeof options === 'object' && options !== null ? options : {}
  const maxBytes =
    typeof opts.maxBodyBytes === 'number' && opts.maxBodyBytes >= 0 ? opts.maxBodyBytes : DEFAULT_MAX_BODY
  const body = tokenOf(request.body, maxBytes)
  if ('ok' in body) return body

  let expected: string | undefined | null
  try {
    expected = await lookup(target.app, target.kind)
  } catch {
    return LOOKUP_FAILED
  }
  // cast: verifyHookToken is true only for a string token
  if (!verifyHookToken(expected, body.token)) return UNAUTHORIZED
  return { ok: true, app: target.app, kind: target.kind, token: body.token as string }
}
