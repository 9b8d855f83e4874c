import { HookError } from '../errors.js'
import type { HookKind } from '../types.js'
import { cloneJson, type JsonObject } from '../lib/clone.js'
import { isObject } from '../lib/json.js'
import { checkHookKind } from '../lib/check.js'

/** What an accepted hook call did to the Application. */
export type HookCallOutcome =
  /** complete: the Application is READY_FOR_ACTION and marked deleted; Krake's garbage collector removes it. */
  | 'deleted'
  /** shutdown while WAITING_FOR_CLEANING or DEGRADED: READY_FOR_ACTION, the grace period cleared. */
  | 'ready'
  /** shutdown in any other state: nothing changes (Krake answers 200 all the same). */
  | 'unchanged'

/** What `applyHookCall` did to the Application. */
export interface HookCallResult<A> {
  /** The new Application: a copy, the input is never changed. */
  application: A
  /** Deleted, made ready, or unchanged. */
  outcome: HookCallOutcome
  /** The state before. */
  from: string | undefined
  /** The state after. */
  to: string | undefined
}

/** How `applyHookCall` records the call. */
export interface ApplyHookCallOptions {
  /**
   * The time written into `metadata.deleted`.
   * @defaultValue now
   */
  now?: Date | undefined
}

/**
 * The change Krake's API makes to an Application once a hook call has been
 * accepted (`api/kubernetes.py`), as a pure function: complete sets the state
 * to `READY_FOR_ACTION` and `metadata.deleted` to `now` (kept when it is set
 * already); shutdown moves `WAITING_FOR_CLEANING` or `DEGRADED` to
 * `READY_FOR_ACTION` and clears `status.shutdown_grace_period`, and changes
 * nothing in any other state. Shutdown never deletes: a shutdown that
 * precedes a migration must leave the Application alone.
 *
 * @example
 * ```ts
 * const verdict = await verifyHookRequest(request, lookup)
 * if (verdict.ok) store.put(applyHookCall(store.get(verdict.app), verdict.kind).application)
 * ```
 */
export function applyHookCall<A extends object>(
  application: A,
  kind: HookKind,
  options: ApplyHookCallOptions = {},
): HookCallResult<A> {
  checkHookKind(kind, { code: 'ERR_INVALID_ARGUMENT', path: '/kind', name: 'kind' })
  const now = options?.now ?? new Date()
  if (!(now instanceof Date) || Number.isNaN(now.getTime()))
    throw new HookError('ERR_INVALID_ARGUMENT', 'options.now must be a valid Date', { path: '/now' })
  const app = cloneJson(application)
  if (!isObject(app)) throw new HookError('ERR_INVALID_APPLICATION', 'the application must be an object', { path: '' })
  if (app.metadata !== undefined && !isObject(app.metadata))
    throw new HookError('ERR_INVALID_APPLICATION', 'metadata must be an object', { path: '/metadata' })
  if (app.status !== undefined && app.status !== null && !isObject(app.status))
    throw new HookError('ERR_INVALID_APPLICATION', 'status must be an object', { path: '/status' })
  const from = isObject(app.status) && typeof app.status.state === 'string' ? app.status.state : undefined
  if (kind === 'shutdown' && from !== 'WAITING_FOR_CLEANING' && from !== 'DEGRADED') {
    return { application: app as A, outcome: 'unchanged', from, to: from }
  }
  const status: JsonObject = isObject(app.status) ? app.status : {}
  app.status = status
  status.state = 'READY_FOR_ACTION'
  if (kind === 'shutdown') {
    status.shutdown_grace_period = null
    return { application: app as A, outcome: 'ready', from, to: 'READY_FOR_ACTION' }
  }
  const metadata = (app.metadata ??= {}) as JsonObject
  if (metadata.deleted === undefined || metadata.deleted === null) metadata.deleted = now.toISOString()
  return { application: app as A, outcome: 'deleted', from, to: 'READY_FOR_ACTION' }
}
