import { HookError } from '../errors.js'
import { put } from '../lib/http.js'
import { isObject } from '../lib/json.js'
import { describeValue } from '../lib/describe-value.js'

/** How `requestShutdown` calls the application. */
export interface RequestShutdownOptions {
  /**
   * Longest wait for the application's answer.
   * @defaultValue 10 s
   */
  timeoutMs?: number | undefined
}

// host:port or [v6]:port, nothing else: no credentials, path, query or spaces
const HOST_PORT =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/

/** `http://<address>/shutdown` for an address Krake recorded as `host:port`; a HookError for anything else. */
function shutdownUrl(address: string): URL {
  const port = HOST_PORT.exec(address)?.[1]
  let url: URL | undefined
  if (port !== undefined && Number(port) >= 1 && Number(port) <= 65535) {
    try {
      url = new URL(`http://${address}/shutdown`)
    } catch {
      url = undefined
    }
  }
  if (url === undefined) {
    // never echo what might be a password (user:password@host:port)
    const shown = address.includes('@') ? 'an address with credentials' : describeValue(address)
    throw new HookError(
      'ERR_INVALID_APPLICATION',
      `status.services.shutdown must be host:port or [v6]:port, not ${shown}`,
      {
        path: '/status/services/shutdown',
      },
    )
  }
  return url
}

/** Whether the application took the request. It then shuts down and calls its shutdown hook back. */
export type ShutdownRequestResult =
  | {
      /** The application answered 2xx. */
      ok: true
      /** Its HTTP status. */
      status: number
      /** The URL called, `http://<host:port>/shutdown`. */
      url: string
    }
  | {
      /** The application refused, or never answered. */
      ok: false
      /** Its HTTP status, when it answered. */
      status?: number
      /** The URL called. */
      url: string
      /** Why, in words. */
      reason: string
    }

/**
 * The controller's call that starts an application's graceful shutdown, as
 * Krake makes it: `PUT http://<status.services.shutdown>/shutdown`, where
 * `status.services.shutdown` is the `host:port` Krake recorded for the
 * application's Service named `shutdown`. A missing or malformed address is a
 * HookError (`ERR_INVALID_APPLICATION`); how the call went is the result,
 * never a throw. It does not retry: `nextShutdownStep` says when to call again.
 *
 * @example
 * ```ts
 * const step = nextShutdownStep(app, hooks.shutdown!, new Date(), progress)
 * if (step.action === 'call') await requestShutdown(app, { timeoutMs: 5000 })
 * ```
 */
export async function requestShutdown(
  application: unknown,
  options: RequestShutdownOptions = {},
): Promise<ShutdownRequestResult> {
  const services = isObject(application) && isObject(application.status) ? application.status.services : undefined
  const address = isObject(services) ? services.shutdown : undefined
  if (typeof address !== 'string' || address === '') {
    throw new HookError(
      'ERR_INVALID_APPLICATION',
      'status.services.shutdown is not set: the application exposes no Service named "shutdown"',
      { path: '/status/services/shutdown' },
    )
  }
  const url = shutdownUrl(address)
  const timeoutMs = options.timeoutMs ?? 10_000
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || !(timeoutMs > 0))
    throw new HookError(
      'ERR_INVALID_ARGUMENT',
      `timeoutMs must be a finite number of milliseconds above 0, not ${describeValue(timeoutMs)}`,
      { path: '/timeoutMs' },
    )
  try {
    const answer = await put(url, { timeoutMs })
    if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status, url: url.href }
    return { ok: false, status: answer.status, url: url.href, reason: `the application answered ${answer.status}` }
  } catch (e) {
    return { ok: false, url: url.href, reason: e instanceof Error ? e.message : 'the call failed' }
  }
}
