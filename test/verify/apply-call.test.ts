// applyHookCall: the state change Krake's API makes for an accepted call (api/kubernetes.py).
import { describe, expect, it } from 'vitest'
import { applyHookCall } from '../../src/index.js'
import { deepFreeze, hookErrorOf, snapshot } from '../helpers.js'

const NOW = new Date(Date.UTC(2026, 11, 1, 12, 0, 0))
const app = (state: string, extra: Record<string, unknown> = {}) =>
  deepFreeze({
    api: 'kubernetes',
    kind: 'Application',
    metadata: { name: 'job', namespace: 'ns', deleted: null },
    spec: { hooks: ['complete', 'shutdown'] },
    status: { state, shutdown_grace_period: '2026-12-01T12:00:30+00:00', ...extra },
  })

describe('applyHookCall(application, kind, { now })', () => {
  it.each(['RUNNING', 'WAITING_FOR_CLEANING', 'DEGRADED', 'PENDING'])(
    'complete from %s: READY_FOR_ACTION and metadata.deleted set, as Krake (the garbage collector deletes it)',
    (state) => {
      const input = app(state)
      const before = snapshot(input)
      const r = applyHookCall(input, 'complete', { now: NOW })
      expect(r.outcome).toBe('deleted')
      expect([r.from, r.to]).toEqual([state, 'READY_FOR_ACTION'])
      expect(r.application.status.state).toBe('READY_FOR_ACTION')
      expect(r.application.metadata.deleted).toBe('2026-12-01T12:00:00.000Z')
      expect(snapshot(input)).toBe(before)
    },
  )

  it('complete keeps an earlier deletion time', () => {
    const input = deepFreeze({
      ...app('RUNNING'),
      metadata: { name: 'job', namespace: 'ns', deleted: '2026-01-01T00:00:00Z' },
    })
    expect(applyHookCall(input, 'complete', { now: NOW }).application.metadata.deleted).toBe('2026-01-01T00:00:00Z')
  })

  it.each(['WAITING_FOR_CLEANING', 'DEGRADED'])(
    'shutdown from %s: READY_FOR_ACTION and the grace period cleared, never deleted',
    (state) => {
      const r = applyHookCall(app(state), 'shutdown', { now: NOW })
      expect(r.outcome).toBe('ready')
      expect(r.application.status).toEqual({ state: 'READY_FOR_ACTION', shutdown_grace_period: null })
      expect(r.application.metadata.deleted).toBeNull()
    },
  )

  it.each(['RUNNING', 'READY_FOR_ACTION', 'MIGRATING', 'FAILED', 'PENDING'])(
    'shutdown from %s changes nothing (Krake answers 200 all the same)',
    (state) => {
      const input = app(state)
      const r = applyHookCall(input, 'shutdown', { now: NOW })
      expect(r.outcome).toBe('unchanged')
      expect(r.application).toEqual(input)
      expect(r.application).not.toBe(input)
    },
  )

  it('an application without a status: complete gives it one, shutdown leaves it without', () => {
    expect(applyHookCall({ metadata: { name: 'a' } }, 'complete', { now: NOW }).application).toEqual({
      metadata: { name: 'a', deleted: NOW.toISOString() },
      status: { state: 'READY_FOR_ACTION' },
    })
    expect(applyHookCall({ metadata: { name: 'a' } }, 'shutdown', { now: NOW }).application).toEqual({
      metadata: { name: 'a' },
    })
  })

  it('refuses a bad kind, time or application with a HookError', () => {
    // @ts-expect-error not a hook
    expect(hookErrorOf(() => applyHookCall(app('RUNNING'), 'finish')).path).toBe('/kind')
    expect(hookErrorOf(() => applyHookCall(app('RUNNING'), 'complete', { now: new Date(Number.NaN) })).path).toBe(
      '/now',
    )
    expect(hookErrorOf(() => applyHookCall({ status: 'x' }, 'complete')).code).toBe('ERR_INVALID_APPLICATION')
    expect(hookErrorOf(() => applyHookCall([] as object, 'complete')).code).toBe('ERR_INVALID_APPLICATION')
  })
})
