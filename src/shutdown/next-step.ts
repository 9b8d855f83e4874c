import { HookError } from '../errors.js'
import type { JsonObject } from '../lib/clone.js'
import { isObject } from '../lib/json.js'
import { describeValue } from '../lib/describe-value.js'
import type { KrakeShutdownHookConfig, ShutdownFailureStrategy } from '../krake/config.js'
import { checkInteger } from '../lib/check.js'

/** What the controller has done in this shutdown so far: kept by the caller between steps. */
export interface ShutdownProgress {
  /** Calls made (`requestShutdown`). */
  attempts: number
  /** When the last one was made. */
  lastCallAt?: Date | undefined
}

/**
 * What to do next:
 * - `call` / `retry`: call the application now (`requestShutdown`), keep `progress`, come back at `until`;
 * - `wait`: nothing before `until`;
 * - `delete`: the application did not call back in time and the strategy is `delete`: remove it by force;
 * - `give-up`: the same with `give_up`: set its state to DEGRADED (a `/retry` starts over);
 * - `done`: it called its shutdown hook (READY_FOR_ACTION);
 * - `none`: it is not shutting down.
 */
export type ShutdownStep =
  | {
      /** Call the application now (`requestShutdown`): the first time, or again after a timeout. */
      action: 'call' | 'retry'
      /** This call's number, from 1. */
      attempt: number
      /** How many calls there are at most. */
      of: number
      /** When this call's wait ends. */
      until: Date
      /** What the caller keeps and passes to the next step. */
      progress: ShutdownProgress
      /** The step in words. */
      reason: string
    }
  | {
      /** Nothing to do until `until`: the application has time left to call its hook. */
      action: 'wait'
      /** The call being waited on, from 1. */
      attempt: number
      /** How many calls there are at most. */
      of: number
      /** When the wait ends. */
      until: Date
      /** The step in words. */
      reason: string
    }
  | {
      /** The end: delete by force, give up (DEGRADED), done (the hook was called), or none (not shutting down). */
      action: 'delete' | 'give-up' | 'done' | 'none'
      /** The step in words. */
      reason: string
    }

/** The settings the step reads: the shutdown hook's configuration, as `parseKrakeHooksConfig` gives it. */
export type ShutdownSettings = Pick<KrakeShutdownHookConfig, 'timeout' | 'failureStrategy' | 'failureRetryCount'>

const bad = (message: string, path: string): never => {
  throw new HookError('ERR_INVALID_ARGUMENT', message, { path })
}

const whole = (value: unknown, min: number, name: string, path: string, max?: number) =>
  checkInteger(value, min, { code: 'ERR_INVALID_ARGUMENT', path, name }, max)

/**
 * The longest wait this step computes, in seconds: 100 years. A Date holds
 * about 275,000 years from 1970, so every deadline fits one; a longer grace
 * time is refused rather than turned into an Invalid Date.
 */
export const MAX_GRACE_SECONDS = 100 * 365.25 * 24 * 60 * 60

/**
 * What governs this application's shutdown: its own `shutdown_grace_time`,
 * `shutdown_retry_count` and `shutdown_failure_strategy` where it sets them,
 * the controller's settings otherwise; `of` is the calls in all.
 */
function effectiveSettings(
  spec: JsonObject,
  settings: ShutdownSettings,
): { grace: number; of: number; strategy: ShutdownFailureStrategy } {
  const graceSeconds = spec.shutdown_grace_time ?? null
  const grace =
    graceSeconds === null
      ? whole(settings.timeout, 1, 'settings.timeout', '/timeout', MAX_GRACE_SECONDS)
      : whole(graceSeconds, 1, 'spec.shutdown_grace_time', '/spec/shutdown_grace_time', MAX_GRACE_SECONDS)
  const retries = spec.shutdown_retry_count ?? null
  const of =
    (retries === null
      ? whole(settings.failureRetryCount, 0, 'settings.failureRetryCount', '/failureRetryCount')
      : whole(retries, 0, 'spec.shutdown_retry_count', '/spec/shutdown_retry_count')) + 1
  const strategy = (spec.shutdown_failure_strategy ?? settings.failureStrategy) as ShutdownFailureStrategy
  if (strategy !== 'delete' && strategy !== 'give_up')
    bad(
      `the failure strategy must be "delete" or "give_up", not ${describeValue(strategy)}`,
      spec.shutdown_failure_strategy == null ? '/failureStrategy' : '/spec/shutdown_failure_strategy',
    )
  return { grace, of, strategy }
}

/**
 * The controller's side of Krake's shutdown flow
 * (`controller/kubernetes/application/application.py`), as a pure function
 * of the Application, the shutdown hook's settings, the time and what was
 * done so far. The application's own `spec.shutdown_grace_time`,
 * `spec.shutdown_retry_count` and `spec.shutdown_failure_strategy` win over
 * the configuration's `timeout`, `failure_retry_count` and
 * `failure_strategy`, as in Krake. A WAITING_FOR_CLEANING application is
 * called, then given the grace time to call its shutdown hook back; without
 * that, it is called again up to `failure_retry_count` times, then deleted
 * by force or given up (DEGRADED). A FAILED application during a shutdown
 * goes straight to the failure strategy.
 *
 * @example
 * ```ts
 * let progress: ShutdownProgress = { attempts: 0 }
 * for (;;) {
 *   const step = nextShutdownStep(await read(app), hooks.shutdown!, new Date(), progress)
 *   if (step.action === 'call' || step.action === 'retry') { await requestShutdown(app); progress = step.progress }
 *   else if (step.action === 'wait') await sleepUntil(step.until)
 *   else break // done, delete, give-up or none: act on it
 * }
 * ```
 */
export function nextShutdownStep(
  application: unknown,
  settings: ShutdownSettings,
  now: Date,
  progress: ShutdownProgress = { attempts: 0 },
): ShutdownStep {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) bad('now must be a valid Date', '/now')
  if (!isObject(application))
    throw new HookError('ERR_INVALID_APPLICATION', 'the application must be an object', { path: '' })
  const spec = isObject(application.spec) ? application.spec : {}
  const status = isObject(application.status) ? application.status : {}
  if (!isObject(settings))
    bad('settings must be the shutdown hook configuration { timeout, failureStrategy, failureRetryCount }', '')
  const attempts = whole(progress?.attempts, 0, 'progress.attempts', '/progress/attempts')

  const { grace, of, strategy } = effectiveSettings(spec, settings)

  const state = status.state
  const fail = (why: string): ShutdownStep =>
    strategy === 'delete'
      ? { action: 'delete', reason: `${why}; the failure strategy is delete: delete the application by force` }
      : { action: 'give-up', reason: `${why}; the failure strategy is give_up: set the application DEGRADED` }

  if (state === 'READY_FOR_ACTION') return { action: 'done', reason: 'the application called its shutdown hook' }
  const shuttingDown =
    attempts > 0 || (status.shutdown_grace_period !== undefined && status.shutdown_grace_period !== null)
  if (state === 'FAILED' && shuttingDown) return fail('the application FAILED during its shutdown')
  if (state !== 'WAITING_FOR_CLEANING')
    return {
      action: 'none',
      reason: `the application is ${typeof state === 'string' ? state : 'in no state'}, not WAITING_FOR_CLEANING`,
    }

  const later = new Date(now.getTime() + grace * 1000)
  if (attempts === 0) {
    return {
      action: 'call',
      attempt: 1,
      of,
      until: later,
      progress: { attempts: 1, lastCallAt: now },
      reason: `call the application (1 of ${of}), then wait ${grace} s for its shutdown hook`,
    }
  }
  const last = progress.lastCallAt
  if (!(last instanceof Date) || Number.isNaN(last.getTime()))
    return bad('progress.lastCallAt must be the Date of the last call', '/progress/lastCallAt')
  const deadline = new Date(last.getTime() + grace * 1000)
  if (now < deadline)
    return {
      action: 'wait',
      attempt: attempts,
      of,
      until: deadline,
      reason: `wait for the shutdown hook until ${deadline.toISOString()}`,
    }
  if (attempts < of) {
    return {
      action: 'retry',
      attempt: attempts + 1,
      of,
      until: later,
      progress: { attempts: attempts + 1, lastCallAt: now },
      reason: `no shutdown hook within ${grace} s: call again (${attempts + 1} of ${of})`,
    }
  }
  return fail(`no shutdown hook after ${of} call${of === 1 ? '' : 's'} of ${grace} s each`)
}
