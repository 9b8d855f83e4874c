import { CERT_DIRS, TOKEN_ENV, URL_ENV } from '../contract.js'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { HookError } from '../errors.js'
import type { HookKind } from '../types.js'
import { put, quotable, sleep } from '../lib/http.js'
import { checkHookKind, checkInteger, errorCodeOf } from '../lib/check.js'

/** Where the application finds what the hook gave it. Each default is tried in order; the first that is set (or exists) wins. */
export interface SignalHookOptions {
  /**
   * The environment to read.
   * @defaultValue `process.env`
   */
  env?: Readonly<Record<string, string | undefined>> | undefined
  /**
   * Directory of `ca-bundle.pem`, `cert.pem`, `key.pem`, read when the URL is https.
   * @defaultValue current Krake's (`/etc/krake_complete_certs`, `/etc/krake_shutdown_certs`), then 2020's (`/etc/krake_certs`), then ours (`/etc/krake_cert`, `/etc/krake_shutdown_cert`)
   */
  certDir?: string | undefined
  /**
   * Token variable.
   * @defaultValue `KRAKE_COMPLETE_TOKEN` then `KRAKE_TOKEN` (complete), `KRAKE_SHUTDOWN_TOKEN` (shutdown)
   */
  tokenEnv?: string | undefined
  /**
   * URL variable.
   * @defaultValue `KRAKE_COMPLETE_URL` / `KRAKE_SHUTDOWN_URL`
   */
  urlEnv?: string | undefined
  /**
   * Calls after the first one, for network errors and 5xx answers.
   * @defaultValue 4
   */
  retries?: number | undefined
  /**
   * First wait between calls, doubled each time.
   * @defaultValue 500 ms
   */
  backoffMs?: number | undefined
  /**
   * Longest wait for one answer.
   * @defaultValue 10 s
   */
  timeoutMs?: number | undefined
  /** Told before each wait; a place to log. */
  onRetry?: ((attempt: number, reason: string, delayMs: number) => void) | undefined
}

/** How the call went. A token never appears in it. */
export type SignalResult =
  | {
      /** The API accepted the call. */
      ok: true
      /** The API's HTTP status (2xx). */
      status: number
      /** Calls made, the first included. */
      attempts: number
    }
  | {
      /** The API refused the call, or never answered. */
      ok: false
      /** The API's last HTTP status, when it answered at all. */
      status?: number
      /** Calls made, the first included. */
      attempts: number
      /** Why, in words; never the token, whatever the server answered. */
      reason: string
    }

const bad = (message: string, path: string): never => {
  throw new HookError('ERR_INVALID_CONFIG', message, { path })
}

function variable(
  env: Readonly<Record<string, string | undefined>>,
  names: readonly string[],
  kind: HookKind,
  option: string,
): { name: string; value: string } {
  for (const name of names) {
    const value = env[name]
    if (typeof value === 'string' && value !== '') return { name, value }
  }
  return bad(`${names.join(' or ')} is not set: is the Krake ${kind} hook enabled for this application?`, `/${option}`)
}

function count(value: unknown, fallback: number, option: string): number {
  if (value === undefined) return fallback
  return checkInteger(value, 0, { code: 'ERR_INVALID_ARGUMENT', path: `/${option}`, name: option })
}

/**
 * The application's side of a hook: reads the token and URL the hook put
 * into its environment and, when the URL is https, the three files of the
 * mounted certificate directory, then PUTs `{"token": ...}`, as the seed's
 * curl does. Network errors and 5xx answers are retried with a doubling
 * backoff; a 4xx never is (the token is wrong or spent, and will stay so).
 * Missing variables or files are a HookError (`ERR_INVALID_CONFIG`); how the
 * call went is the result, never a throw.
 *
 * @example
 * ```ts
 * await saveState()
 * const r = await signalHook('shutdown')
 * if (!r.ok) console.error(`krake: ${r.reason}`)
 * ```
 */
export async function signalHook(kind: HookKind, options: SignalHookOptions = {}): Promise<SignalResult> {
  checkHookKind(kind, { code: 'ERR_INVALID_ARGUMENT', path: '/kind', name: 'kind' })
  const env = options.env ?? process.env
  const token = variable(env, options.tokenEnv !== undefined ? [options.tokenEnv] : TOKEN_ENV[kind], kind, 'tokenEnv')
  const rawUrl = variable(env, options.urlEnv !== undefined ? [options.urlEnv] : URL_ENV[kind], kind, 'urlEnv')
  let url: URL
  try {
    url = new URL(rawUrl.value)
  } catch {
    return bad(`${rawUrl.name} is not a URL`, '/urlEnv')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') bad(`${rawUrl.name} is not an http(s) URL`, '/urlEnv')

  let tls: { ca: string; cert: string; key: string } | undefined
  if (url.protocol === 'https:') {
    const dirs = options.certDir !== undefined ? [options.certDir] : CERT_DIRS[kind]
    const dir = dirs.find((d) => existsSync(join(d, 'cert.pem')))
    if (dir === undefined)
      return bad(
        `the hook URL is https but ${dirs.join(' and ')} hold no certificate: is the certificate volume mounted?`,
        '/certDir',
      )
    const file = (name: string) => {
      try {
        return readFileSync(join(dir, name), 'utf8')
      } catch (cause) {
        return bad(
          `cannot read ${join(dir, name)} (${errorCodeOf(cause) ?? 'error'}): the certificate volume holds ca-bundle.pem, cert.pem and key.pem`,
          '/certDir',
        )
      }
    }
    tls = { ca: file('ca-bundle.pem'), cert: file('cert.pem'), key: file('key.pem') }
  }

  const retries = count(options.retries, 4, 'retries')
  const backoff = count(options.backoffMs, 500, 'backoffMs')
  const timeoutMs =
    options.timeoutMs === undefined
      ? 10_000
      : checkInteger(options.timeoutMs, 1, { code: 'ERR_INVALID_ARGUMENT', path: '/timeoutMs', name: 'timeoutMs' })
  const body = JSON.stringify({ token: token.value })
  for (let attempt = 1; ; attempt++) {
    let reason: string
    let status: number | undefined
    try {
      const answer = await put(url, { body, tls, timeoutMs })
      status = answer.status
      if (status >= 200 && status < 300) return { ok: true, status, attempts: attempt }
      reason = `the Krake API answered ${status}${answer.body ? `: ${quotable(answer.body, token.value)}` : ''}`
      if (status < 500) return { ok: false, status, attempts: attempt, reason }
    } catch (e) {
      reason = e instanceof Error ? e.message : 'the call failed'
    }
    if (attempt > retries)
      return {
        ok: false,
        ...(status === undefined ? {} : { status }),
        attempts: attempt,
        reason: `gave up after ${attempt} attempts: ${reason}`,
      }
    const delay = backoff * 2 ** (attempt - 1)
    options.onRetry?.(attempt, reason, delay)
    await sleep(delay)
  }
}
