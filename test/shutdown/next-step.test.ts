// nextShutdownStep as a table over states, clocks, progress and strategies,
// against Krake's controller/kubernetes/application/application.py.
import { describe, expect, it } from 'vitest'
import { nextShutdownStep, type ShutdownProgress, type ShutdownSettings } from '../../src/index.js'
import { hookErrorOf } from '../helpers.js'

const T0 = new Date(Date.UTC(2026, 11, 1, 12, 0, 0))
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)
const settings: ShutdownSettings = { timeout: 30, failureStrategy: 'delete', failureRetryCount: 2 }
const app = (state: string, spec: Record<string, unknown> = {}, status: Record<string, unknown> = {}) => ({
  metadata: { name: 'job', namespace: 'ns' },
  spec: { manifest: [], hooks: ['shutdown'], ...spec },
  status: { state, ...status },
})
const calls = (attempts: number, lastCallAt?: Date): ShutdownProgress => ({
  attempts,
  ...(lastCallAt ? { lastCallAt } : {}),
})

type Row = [
  name: string,
  application: object,
  s: ShutdownSettings,
  now: Date,
  progress: ShutdownProgress,
  expected: Record<string, unknown>,
]

const ROWS: Row[] = [
  [
    'a WAITING_FOR_CLEANING app not called yet: call 1 of 3, wait the timeout',
    app('WAITING_FOR_CLEANING'),
    settings,
    T0,
    calls(0),
    { action: 'call', attempt: 1, of: 3, until: at(30), progress: { attempts: 1, lastCallAt: T0 } },
  ],
  [
    'called 10 s ago: wait until the timeout ends',
    app('WAITING_FOR_CLEANING'),
    settings,
    at(10),
    calls(1, T0),
    { action: 'wait', attempt: 1, of: 3, until: at(30) },
  ],
  [
    'the timeout ended without a call back: retry, 2 of 3',
    app('WAITING_FOR_CLEANING'),
    settings,
    at(30),
    calls(1, T0),
    { action: 'retry', attempt: 2, of: 3, until: at(60), progress: { attempts: 2, lastCallAt: at(30) } },
  ],
  [
    'the last attempt timed out, strategy delete: delete by force',
    app('WAITING_FOR_CLEANING'),
    settings,
    at(95),
    calls(3, at(60)),
    { action: 'delete' },
  ],
  [
    'the last attempt timed out, strategy give_up: give up (DEGRADED)',
    app('WAITING_FOR_CLEANING'),
    { ...settings, failureStrategy: 'give_up' },
    at(95),
    calls(3, at(60)),
    { action: 'give-up' },
  ],
  [
    'failure_retry_count 0: one call only, then the strategy',
    app('WAITING_FOR_CLEANING'),
    { ...settings, failureRetryCount: 0 },
    at(31),
    calls(1, T0),
    { action: 'delete' },
  ],
  [
    "the app's own shutdown_grace_time wins over timeout",
    app('WAITING_FOR_CLEANING', { shutdown_grace_time: 5 }),
    settings,
    at(4),
    calls(1, T0),
    { action: 'wait', until: at(5) },
  ],
  [
    "the app's own shutdown_retry_count wins over failure_retry_count",
    app('WAITING_FOR_CLEANING', { shutdown_retry_count: 0 }),
    settings,
    at(30),
    calls(1, T0),
    { action: 'delete' },
  ],
  [
    "the app's own shutdown_failure_strategy wins over failure_strategy",
    app('WAITING_FOR_CLEANING', { shutdown_failure_strategy: 'give_up' }),
    settings,
    at(95),
    calls(3, at(60)),
    { action: 'give-up' },
  ],
  [
    'null app settings fall back to the configuration, as in Krake',
    app('WAITING_FOR_CLEANING', {
      shutdown_grace_time: null,
      shutdown_retry_count: null,
      shutdown_failure_strategy: null,
    }),
    settings,
    at(29),
    calls(1, T0),
    { action: 'wait', of: 3, until: at(30) },
  ],
  [
    'the app called back (READY_FOR_ACTION): done',
    app('READY_FOR_ACTION'),
    settings,
    at(10),
    calls(1, T0),
    { action: 'done' },
  ],
  [
    'the app FAILED during the shutdown: the strategy at once',
    app('FAILED'),
    settings,
    at(10),
    calls(1, T0),
    { action: 'delete' },
  ],
  [
    'a FAILED app with a grace period set but no call made here: the strategy',
    app('FAILED', {}, { shutdown_grace_period: at(30).toISOString() }),
    { ...settings, failureStrategy: 'give_up' },
    T0,
    calls(0),
    { action: 'give-up' },
  ],
  ['a FAILED app not shutting down: none', app('FAILED'), settings, T0, calls(0), { action: 'none' }],
  ['a RUNNING app: none', app('RUNNING'), settings, T0, calls(0), { action: 'none' }],
  [
    'a DEGRADED app (given up; /retry starts over): none',
    app('DEGRADED'),
    settings,
    T0,
    calls(3, T0),
    { action: 'none' },
  ],
]

describe('nextShutdownStep(application, settings, now, progress)', () => {
  it.each(ROWS)('%s', (_, application, s, now, progress, expected) => {
    const step = nextShutdownStep(application, s, now, progress)
    expect(step).toMatchObject(expected)
    expect(step.reason).toEqual(expect.any(String))
  })

  it('walks a whole shutdown that never gets a call back: call, wait, retry, wait, retry, wait, delete', () => {
    const seen: string[] = []
    let progress: ShutdownProgress = { attempts: 0 }
    for (let t = 0; t <= 100; t += 10) {
      const step = nextShutdownStep(app('WAITING_FOR_CLEANING'), settings, at(t), progress)
      seen.push(`${t}:${step.action}`)
      if (step.action === 'call' || step.action === 'retry') progress = step.progress
      if (step.action === 'delete') break
    }
    expect(seen).toEqual([
      '0:call',
      '10:wait',
      '20:wait',
      '30:retry',
      '40:wait',
      '50:wait',
      '60:retry',
      '70:wait',
      '80:wait',
      '90:delete',
    ])
  })

  it('is pure: the application and the progress are not changed', () => {
    const a = Object.freeze(app('WAITING_FOR_CLEANING'))
    const p = Object.freeze(calls(1, T0))
    nextShutdownStep(a, settings, at(40), p)
    expect(p).toEqual(calls(1, T0))
  })

  it('a grace time or timeout that no Date can hold is refused, never an Invalid Date (issue 16)', () => {
    const huge = nextShutdownStep.bind(null, app('WAITING_FOR_CLEANING', { shutdown_grace_time: 9_000_000_000_000 }))
    const e = hookErrorOf(() => huge(settings, T0))
    expect([e.code, e.path, e.message]).toEqual([
      'ERR_INVALID_ARGUMENT',
      '/spec/shutdown_grace_time',
      'spec.shutdown_grace_time must be an integer from 1 to 3155760000, not 9000000000000',
    ])
    const t = hookErrorOf(() => nextShutdownStep(app('WAITING_FOR_CLEANING'), { ...settings, timeout: 2 ** 52 }, T0))
    expect([t.code, t.path]).toEqual(['ERR_INVALID_ARGUMENT', '/timeout'])
    // the longest grace time allowed still gives a valid deadline, whatever the progress
    const longest = app('WAITING_FOR_CLEANING', { shutdown_grace_time: 3_155_760_000 })
    const step = nextShutdownStep(longest, settings, T0)
    expect(step.action).toBe('call')
    if (step.action !== 'call') throw new Error('expected a call')
    expect(Number.isNaN(step.until.getTime())).toBe(false)
    const wait = nextShutdownStep(longest, settings, at(1), step.progress)
    expect(wait.action === 'wait' && wait.until.toISOString()).toBe('2126-12-02T12:00:00.000Z') // 100 Julian years: 36,525 days
  })

  it.each([
    [[app('WAITING_FOR_CLEANING'), settings, new Date(Number.NaN)], 'ERR_INVALID_ARGUMENT', '/now'],
    [[app('WAITING_FOR_CLEANING'), { ...settings, timeout: 0 }, T0], 'ERR_INVALID_ARGUMENT', '/timeout'],
    [
      [app('WAITING_FOR_CLEANING', { shutdown_grace_time: -1 }), settings, T0],
      'ERR_INVALID_ARGUMENT',
      '/spec/shutdown_grace_time',
    ],
    [
      [app('WAITING_FOR_CLEANING', { shutdown_failure_strategy: 'retry' }), settings, T0],
      'ERR_INVALID_ARGUMENT',
      '/spec/shutdown_failure_strategy',
    ],
    [[app('WAITING_FOR_CLEANING'), settings, T0, { attempts: 1 }], 'ERR_INVALID_ARGUMENT', '/progress/lastCallAt'],
    [[app('WAITING_FOR_CLEANING'), settings, T0, { attempts: -1 }], 'ERR_INVALID_ARGUMENT', '/progress/attempts'],
    [['not an app', settings, T0], 'ERR_INVALID_APPLICATION', ''],
  ])('refuses bad arguments (%#) with a HookError naming them', (args, code, path) => {
    const e = hookErrorOf(() => (nextShutdownStep as (...a: unknown[]) => unknown)(...args))
    expect([e.code, e.path]).toEqual([code, path])
  })
})
