// What both stores share: the options they take, the object they return, and
// the one rule of a recorded answer (the JSON text of apply's result, so that
// a replay gets the first answer byte for byte).
import { HookError } from '../errors.js'
import type { AppRef, HookKind } from '../types.js'
import { checkHookKind, checkInteger, checkNonEmptyString, checkRecord } from '../lib/check.js'
import type { AcceptedCall, TokenLookup } from '../verify/request.js'
import type { VerifiedCallContext } from '../verify/handler.js'
import { hashHookToken } from '../verify/token.js'

/** A verified hook call as `apply` receives it: whose it is, which hook, and the digest of the token it presented. */
export interface HookStoreCall {
  /** The application it is about. */
  app: AppRef
  /** The hook it calls. */
  kind: HookKind
  /** `hashHookToken` of the token it presented (never the token). */
  tokenDigest: string
}

/** What a store is made with. */
export interface HookStoreOptions {
  /**
   * The effect of a call (delete the application, record the shutdown). It
   * runs once per token, whatever the number of calls and replicas; what it
   * returns (an object) is recorded and sent as the 200 body of every call,
   * the first and each replay; anything else records `{}`. A throw records
   * nothing: the call is answered 500 and a later call may run it again.
   */
  apply: (call: HookStoreCall) => unknown
  /**
   * How long a recorded answer (and the token it spent) is kept; past it, the
   * token is unknown (401).
   * @defaultValue 86400 (a day)
   */
  ttlSeconds?: number | undefined
  /**
   * How long a call waits for another call's `apply` of the same token before
   * it is answered 503 with `Retry-After` (the handler's request is bounded
   * by this too).
   * @defaultValue 5000 ms
   */
  waitMs?: number | undefined
}

/**
 * The `lookup` and `onVerified` of `createHookHandler`, backed by a store
 * that decides, for every replica that shares it, which call of a token runs
 * `apply`.
 *
 * @example
 * ```ts
 * const store = createMemoryHookStore({ apply: ({ app }) => deleteApplication(app) })
 * await store.setToken({ namespace: 'ns', name: 'app' }, 'complete', token)
 * const handler = createHookHandler({ lookup: store.lookup, onVerified: store.onVerified, caBundlePem })
 * ```
 */
export interface HookStore {
  /** For `createHookHandler`: the digest set by `setToken`, or undefined. */
  lookup: TokenLookup
  /** For `createHookHandler`: claims the call, runs `apply` once, answers with the recorded result. */
  onVerified: (call: AcceptedCall, context?: VerifiedCallContext) => Promise<unknown>
  /** Sets the hook's token (stored as `hashHookToken(token)` only); the one set before is then refused. */
  setToken(app: AppRef, kind: HookKind, token: string): Promise<void>
  /** Forgets the hook's token: every call of it is then refused (401). */
  deleteToken(app: AppRef, kind: HookKind): Promise<void>
  /** Lets go of what the store holds (timers, connections). */
  close(): Promise<void>
}

/** A call that waited longer than `waitMs` for another call's `apply`: answered 503 with `Retry-After`. */
export function pendingError(): HookError {
  return new HookError('ERR_CALL_PENDING', 'another call of this token is being applied; retry shortly')
}

/** The options, checked; `where` names the function in messages. */
export function readStoreOptions(
  options: unknown,
  where: string,
): { apply: HookStoreOptions['apply']; ttlSeconds: number; waitMs: number } {
  const o = checkRecord(options, { code: 'ERR_INVALID_ARGUMENT', path: '', name: `${where}'s options` })
  if (typeof o.apply !== 'function')
    throw new HookError('ERR_INVALID_ARGUMENT', `${where} needs an apply function`, { path: '/apply' })
  const ttlSeconds =
    o.ttlSeconds === undefined
      ? 86_400
      : checkInteger(o.ttlSeconds, 1, { code: 'ERR_INVALID_ARGUMENT', path: '/ttlSeconds', name: 'ttlSeconds' })
  const waitMs =
    o.waitMs === undefined
      ? 5_000
      : checkInteger(o.waitMs, 0, { code: 'ERR_INVALID_ARGUMENT', path: '/waitMs', name: 'waitMs' })
  // cast: checked to be a function just above
  return { apply: o.apply as HookStoreOptions['apply'], ttlSeconds, waitMs }
}

/** `deleteToken`'s arguments (and `setToken`'s first two), checked. */
export function hookOf(app: unknown, kind: unknown): { app: AppRef; kind: HookKind } {
  return {
    app: checkApp(app),
    kind: checkHookKind(kind, { code: 'ERR_INVALID_ARGUMENT', path: '/kind', name: 'kind' }),
  }
}

/** `setToken`'s arguments, checked: the digest to store. */
export function tokenDigestOf(
  app: unknown,
  kind: unknown,
  token: unknown,
): { app: AppRef; kind: HookKind; digest: string } {
  const hook = hookOf(app, kind)
  const t = checkNonEmptyString(token, { code: 'ERR_INVALID_ARGUMENT', path: '/token', name: 'the token' })
  return { ...hook, digest: hashHookToken(t) }
}

/** An application reference, checked. */
function checkApp(app: unknown): AppRef {
  const a = checkRecord(app, { code: 'ERR_INVALID_ARGUMENT', path: '/app', name: 'app' })
  const namespace = checkNonEmptyString(a.namespace, {
    code: 'ERR_INVALID_ARGUMENT',
    path: '/app/namespace',
    name: 'app.namespace',
  })
  const name = checkNonEmptyString(a.name, { code: 'ERR_INVALID_ARGUMENT', path: '/app/name', name: 'app.name' })
  return { namespace, name }
}

/** The text recorded for `apply`'s result: an object as JSON, anything else `{}`. Throws on what JSON cannot hold. */
export function recordOf(result: unknown): string {
  const text = typeof result === 'object' && result !== null ? JSON.stringify(result) : '{}'
  // a toJSON that gives a number or a string is not a body
  return text !== undefined && text.startsWith('{') ? text : '{}'
}

/** The call `apply` gets, from what the handler verified; a store's `onVerified` needs the handler's context. */
export function storeCall(call: AcceptedCall, context: VerifiedCallContext | undefined): HookStoreCall {
  const digest = context?.tokenDigest
  if (typeof digest !== 'string')
    throw new HookError('ERR_INVALID_ARGUMENT', "a store's onVerified takes the handler's context (tokenDigest)")
  return { app: { namespace: call.app.namespace, name: call.app.name }, kind: call.kind, tokenDigest: digest }
}

/** Sleeps `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
