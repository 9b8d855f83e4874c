import { HookError } from '../errors.js'
import type { AppRef, HookKind } from '../types.js'
import { describeValue } from '../lib/describe-value.js'
import { checkHookKind, isAppRef } from '../lib/check.js'
import { BoundedCache } from '../lib/bounded-cache.js'

/** The hook URL and, when TLS forced another scheme, the one it replaced. */
interface ResolvedUrl {
  url: string
  forcedFrom?: 'http' | 'https'
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/

/** The endpoint as a message may show it: without the user and password of its authority. */
function redacted(endpoint: unknown): unknown {
  return typeof endpoint === 'string'
    ? endpoint.replace(/^(\s*[a-zA-Z][a-zA-Z0-9+.-]*:\/\/)[^/?#]*@/, '$1***@')
    : endpoint
}

/**
 * Builds the hook URL as Krake does, but keeps a base path and
 * percent-encodes namespace and name. The scheme follows TLS.
 * `path` is where an error points (the field of the hook spec).
 */
export function resolveHookUrl(
  endpoint: unknown,
  app: AppRef,
  kind: HookKind,
  tls: boolean,
  path = '/apiEndpoint',
): Readonly<ResolvedUrl> {
  if (typeof endpoint !== 'string') return resolveUncached(endpoint, app, kind, tls, path) // it throws
  // the last hook first, by ===: a controller hooking one application at a time asks again and again
  const l = lastUrl
  if (
    l !== undefined &&
    l.endpoint === endpoint &&
    l.namespace === app.namespace &&
    l.name === app.name &&
    l.kind === kind &&
    l.tls === tls &&
    l.path === path
  )
    return l.url
  // lengths first: a name holding the separator cannot make two hooks share a key
  const key = `${path}\0${String(tls)}\0${kind}\0${app.namespace.length}:${app.namespace}\0${app.name.length}:${app.name}\0${endpoint}`
  const url = URLS.get(key, () => Object.freeze(resolveUncached(endpoint, app, kind, tls, path)))
  lastUrl = { endpoint, namespace: app.namespace, name: app.name, kind, tls, path, url }
  return url
}

let lastUrl:
  | {
      endpoint: string
      namespace: string
      name: string
      kind: HookKind
      tls: boolean
      path: string
      url: Readonly<ResolvedUrl>
    }
  | undefined

// the URLs of the last 256 hooks (a URL is parsed for each): a refused endpoint throws and is not kept
const URLS = new BoundedCache<Readonly<ResolvedUrl>>(256)

function resolveUncached(endpoint: unknown, app: AppRef, kind: HookKind, tls: boolean, path: string): ResolvedUrl {
  const fail = (why: string): never => {
    throw new HookError('ERR_INVALID_ENDPOINT', `endpoint ${describeValue(redacted(endpoint))} ${why}`, { path })
  }
  if (typeof endpoint !== 'string' || endpoint.trim() === '') {
    throw new HookError('ERR_INVALID_ENDPOINT', 'the endpoint must be a non-empty string', { path })
  }
  const raw = endpoint.trim()
  const scheme = SCHEME.exec(raw)?.[1]?.toLowerCase()
  if (scheme === undefined || !raw.slice(scheme.length + 1).startsWith('//')) {
    return fail('is not an absolute URL: write it as http://host:port or https://host:port')
  }
  if (scheme !== 'http' && scheme !== 'https')
    return fail(`has the scheme "${scheme}": only http and https are allowed`)
  const want = tls ? 'https' : 'http'
  // Swap the scheme in the text, not on a parsed URL: the parser would drop an
  // explicit :80 or :443 as the old scheme's default and so change the port.
  let url: URL
  try {
    url = new URL(want + raw.slice(scheme.length))
  } catch {
    return fail('is not a valid URL')
  }
  if (url.username !== '' || url.password !== '') fail('carries credentials: the hook authenticates with its token')
  if (url.search !== '' || url.hash !== '' || raw.includes('?') || raw.includes('#')) fail('has a query or fragment')
  if (url.hostname === '') fail('has no host')
  const base = url.pathname.replace(/\/+$/, '')
  // The URL parser drops a port that is the scheme's default (http://krake-api:80); Krake keeps
  // it as written (issue 17), so it is put back
  const written = /:([0-9]+)$/.exec(raw.slice(scheme.length + 3).split(/[/?#]/)[0] ?? '')?.[1]
  const authority = url.port === '' && written !== undefined ? `${url.host}:${written}` : url.host
  const resolved: ResolvedUrl = {
    url: `${want}://${authority}${base}/kubernetes/namespaces/${encodeURIComponent(app.namespace)}/applications/${encodeURIComponent(app.name)}/${kind}`,
  }
  if (scheme !== want) resolved.forcedFrom = scheme
  return resolved
}

/**
 * The URL the application calls to fire the hook:
 * `<endpoint>/kubernetes/namespaces/<ns>/applications/<name>/<kind>`.
 * The scheme is `https` when `tls` is true and `http` otherwise, whatever
 * the endpoint says; a base path on the endpoint is kept.
 *
 * @example
 * ```ts
 * hookUrl('https://krake:8443/api', { namespace: 'ns', name: 'my app' }, 'complete', true)
 * // 'https://krake:8443/api/kubernetes/namespaces/ns/applications/my%20app/complete'
 * ```
 */
export function hookUrl(endpoint: string, app: AppRef, kind: HookKind, tls: boolean): string {
  if (!isAppRef(app)) {
    throw new HookError('ERR_INVALID_HOOK', 'app must be { name, namespace } with non-empty strings', { path: '/app' })
  }
  checkHookKind(kind, { code: 'ERR_INVALID_HOOK', path: '/kind', name: 'kind' })
  return resolveHookUrl(endpoint, app, kind, tls === true, '/endpoint').url
}
