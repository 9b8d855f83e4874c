import { X509Certificate } from 'node:crypto'
import type { AppRef, HookKind } from '../inject/types.js'
import { parseCertificates } from '../lib/pem.js'
import { verifyHookToken } from './token.js'

/** What the HTTP layer hands over: the request as received. */
export interface HookRequest {
  method: string
  /** The request target: a path (`/kubernetes/...?x=1`) or an absolute URL. */
  url: string
  /** The raw body (string, Buffer, Uint8Array) or a body a framework already parsed. */
  body: unknown
  /** The client certificate of the TLS connection (leaf first, then any chain it sent). */
  clientCertPem?: string | undefined
}

/** Returns the expected token (or its `hashHookToken` digest) of a hook, or undefined when there is none. */
export type TokenLookup = (app: AppRef, kind: HookKind) => string | undefined | null | Promise<string | undefined | null>

export interface VerifyRequestOptions {
  /** When set, the client certificate must chain to one of these certificates. */
  caBundlePem?: string | undefined
  /**
   * When set (with `caBundlePem`), the client certificate's CN must be this:
   * one name for both hooks, or one per hook (`{ complete:
   * 'system:complete-hook', shutdown: 'system:shutdown-hook' }`, as Krake's
   * `hook_user` of each); a hook left out of the map accepts any CN.
   */
  hookUser?: string | { complete?: string | undefined; shutdown?: string | undefined } | undefined
  /** Largest raw body accepted. Default 16 KiB. */
  maxBodyBytes?: number | undefined
  /** The time certificates must be valid at. Default: now. */
  now?: Date | undefined
}

export type VerifyResult = { ok: true; app: AppRef; kind: HookKind } | { ok: false; status: number; reason: string }

/** Krake's own answer to a missing or wrong token. */
export const INVALID_TOKEN_REASON = 'No token has been provided or the provided one is invalid.'
const DEFAULT_MAX_BODY = 16 * 1024
const MAX_CHAIN = 8
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'

const refuse = (status: number, reason: string): VerifyResult => ({ ok: false, status, reason })
const NOT_ALLOWED = refuse(405, 'Method not allowed: the hook is called with PUT.')
const NOT_FOUND = refuse(404, 'Not found.')
const TOO_LARGE = refuse(413, 'The request body is too large.')
const MALFORMED = refuse(400, 'The body must be a JSON object: {"token": "..."}.')
const UNAUTHORIZED = refuse(401, INVALID_TOKEN_REASON)
const NO_CERT = refuse(403, 'A client certificate signed by the Krake CA is required.')
const WRONG_USER = refuse(403, "The client certificate is not the hook user's.")
const LOOKUP_FAILED = refuse(500, 'The application could not be looked up.')

/** `<base>/kubernetes/namespaces/<ns>/applications/<name>/<kind>`, decoded; undefined when it is not. */
function hookTarget(url: unknown): { app: AppRef; kind: HookKind } | undefined {
  if (typeof url !== 'string') return undefined
  let path: string
  try {
    path = new URL(url, 'http://localhost').pathname
  } catch {
    return undefined
  }
  const parts = path.split('/')
  const n = parts.length
  if (n < 7) return undefined
  const [k, nsKey, ns, appsKey, name, kind] = parts.slice(n - 6)
  if (k !== 'kubernetes' || nsKey !== 'namespaces' || appsKey !== 'applications' || (kind !== 'complete' && kind !== 'shutdown')) return undefined
  try {
    const namespace = decodeURIComponent(ns!)
    const appName = decodeURIComponent(name!)
    if (namespace === '' || appName === '') return undefined
    return { app: { namespace, name: appName }, kind }
  } catch {
    return undefined
  }
}

/** The token of the body, or a refusal: 413 over the size, 400 when it is not a JSON object. */
function tokenOf(body: unknown, maxBytes: number): { token: unknown } | VerifyResult {
  let parsed: unknown = body
  if (typeof body === 'string' || body instanceof Uint8Array) {
    const bytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength
    if (bytes > maxBytes) return TOO_LARGE
    try {
      parsed = JSON.parse(typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'))
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

let lastBundle: { pem: string; certs: X509Certificate[] } | undefined

function anchorsOf(pem: string): X509Certificate[] {
  if (lastBundle?.pem !== pem) lastBundle = { pem, certs: parseCertificates(pem, '/caBundlePem').map((c) => c.cert) }
  return lastBundle.certs
}

const validAt = (c: X509Certificate, now: number) => now >= Date.parse(c.validFrom) && now <= Date.parse(c.validTo)

/** Whether the client's certificate chains to one of the bundle's, each link valid at `now`. */
function chainsTo(clientPem: string, anchors: X509Certificate[], now: number): X509Certificate | undefined {
  const presented = parseCertificates(clientPem, '/clientCertPem').map((c) => c.cert)
  const leaf = presented[0]!
  if (!validAt(leaf, now) || leaf.ca) return undefined
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes(CLIENT_AUTH)) return undefined
  const pool = [...presented.slice(1), ...anchors]
  let current = leaf
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (anchors.some((a) => a.raw.equals(current.raw))) return leaf
    const issuer = pool.find((c) => c !== current && c.ca && validAt(c, now) && current.checkIssued(c) && current.verify(c.publicKey))
    if (issuer === undefined) return undefined
    current = issuer
  }
  return undefined
}

function commonName(cert: X509Certificate): string | undefined {
  const lines = cert.subject.split('\n').filter((l) => l.startsWith('CN='))
  return lines.length === 1 ? lines[0]!.slice(3) : undefined
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
export async function verifyHookRequest(request: HookRequest, lookup: TokenLookup, options: VerifyRequestOptions = {}): Promise<VerifyResult> {
  if (typeof request !== 'object' || request === null) return MALFORMED
  if (typeof request.method !== 'string' || request.method.toUpperCase() !== 'PUT') return NOT_ALLOWED
  const target = hookTarget(request.url)
  if (target === undefined) return NOT_FOUND

  const opts = typeof options === 'object' && options !== null ? options : {}
  if (opts.caBundlePem !== undefined) {
    const anchors = anchorsOf(opts.caBundlePem) // a broken bundle is the server's mistake: it throws
    const now = opts.now instanceof Date ? opts.now.getTime() : Date.now()
    let leaf: X509Certificate | undefined
    try {
      leaf = typeof request.clientCertPem === 'string' ? chainsTo(request.clientCertPem, anchors, now) : undefined
    } catch {
      leaf = undefined
    }
    if (leaf === undefined) return NO_CERT
    const user = typeof opts.hookUser === 'object' && opts.hookUser !== null ? opts.hookUser[target.kind] : opts.hookUser
    if (user !== undefined && commonName(leaf) !== user) return WRONG_USER
  }

  const maxBytes = typeof opts.maxBodyBytes === 'number' && opts.maxBodyBytes >= 0 ? opts.maxBodyBytes : DEFAULT_MAX_BODY
  const body = tokenOf(request.body, maxBytes)
  if ('ok' in body) return body

  let expected: string | undefined | null
  try {
    expected = await lookup(target.app, target.kind)
  } catch {
    return LOOKUP_FAILED
  }
  if (!verifyHookToken(expected, body.token)) return UNAUTHORIZED
  return { ok: true, app: target.app, kind: target.kind }
}
