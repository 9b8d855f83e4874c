import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHookToken, createMemoryHookStore, HookError, hashHookToken } from '../../src/index.js'
import { hookErrorOf, hookErrorOfAsync } from '../helpers.js'
import { callHook, countingApply, startReplica, type Replica } from './replicas.js'

const app = { namespace: 'batch', name: 'report' }
let replicas: Replica[] = []
afterEach(async () => {
  await Promise.all(replicas.map((r) => r.close()))
  replicas = []
  vi.useRealTimers()
})

async function replicaWith(options: Parameters<typeof createMemoryHookStore>[0]) {
  const replica = await startReplica(createMemoryHookStore(options))
  replicas.push(replica)
  return replica
}

describe('createMemoryHookStore behind createHookHandler', () => {
  it('12 calls at once: apply runs once, every call is 200 with the one recorded body', async () => {
    const effect = countingApply()
    const api = await replicaWith({ apply: effect.apply })
    const token = createHookToken()
    await api.store.setToken(app, 'complete', token)
    const answers = await Promise.all(Array.from({ length: 12 }, () => callHook(api.url, app, token)))
    expect(answers.map((a) => a.status)).toEqual(Array(12).fill(200))
    expect(new Set(answers.map((a) => a.body))).toEqual(new Set([answers[0]!.body]))
    expect(JSON.parse(answers[0]!.body)).toMatchObject({ outcome: 'deleted', run: 'batch/report#1' })
    expect(effect.applied.get('batch/report')).toBe(1)
  })

  it('a replay after success gets the same 200 and body; apply does not run again', async () => {
    const effect = countingApply()
    const api = await replicaWith({ apply: effect.apply })
    const token = createHookToken()
    await api.store.setToken(app, 'complete', token)
    const first = await callHook(api.url, app, token)
    const again = await callHook(api.url, app, token)
    expect([first.status, again.status]).toEqual([200, 200])
    expect(again.body).toBe(first.body)
    expect(effect.applied.get('batch/report')).toBe(1)
  })

  it('a wrong or unknown token is 401; the hook of another kind is its own', async () => {
    const effect = countingApply()
    const api = await replicaWith({ apply: effect.apply })
    const token = createHookToken()
    await api.store.setToken(app, 'complete', token)
    expect((await callHook(api.url, app, createHookToken())).status).toBe(401)
    expect((await callHook(api.url, { namespace: 'batch', name: 'other' }, token)).status).toBe(401)
    expect((await callHook(api.url, app, token, 'shutdown')).status).toBe(401)
    expect(effect.applied.size).toBe(0)
  })

  it('an apply that throws records nothing: 500 without details, and the next call runs it again', async () => {
    let calls = 0
    const api = await replicaWith({
      apply: () => {
        calls++
        if (calls === 1) throw new Error('database down: secret detail')
        return { done: calls }
      },
    })
    const token = createHookToken()
    await api.store.setToken(app, 'complete', token)
    const failed = await callHook(api.url, app, token)
    expect(failed.status).toBe(500)
    expect(failed.body).not.toContain('secret detail')
    const ok = await callHook(api.url, app, token)
    const replay = await callHook(api.url, app, token)
    expect([ok.status, JSON.parse(ok.body)]).toEqual([200, { done: 2 }])
    expect(replay.body).toBe(ok.body)
    expect(calls).toBe(2)
  })

  it('a new token makes the old one 401, its own call applies once more', async () => {
    const effect = countingApply()
    const api = await replicaWith({ apply: effect.apply })
    const old = createHookToken()
    await api.store.setToken(app, 'complete', old)
    expect((await callHook(api.url, app, old)).status).toBe(200)
    const fresh = createHookToken()
    await api.store.setToken(app, 'complete', fresh)
    expect((await callHook(api.url, app, old)).status).toBe(401)
    const second = await callHook(api.url, app, fresh)
    expect(JSON.parse(second.body)).toMatchObject({ run: 'batch/report#2' })
    await api.store.deleteToken(app, 'complete')
    expect((await callHook(api.url, app, fresh)).status).toBe(401)
  })

  it('a call that waits longer than waitMs for the running apply is 503 with Retry-After; then the record', async () => {
    let release = () => {}
    const gate = new Promise<void>((resolve) => (release = resolve))
    let runs = 0
    const api = await replicaWith({
      waitMs: 50,
      apply: async () => {
        runs++
        await gate
        return { ok: 'yes' }
      },
    })
    const token = createHookToken()
    await api.store.setToken(app, 'complete', token)
    const first = callHook(api.url, app, token)
    await vi.waitFor(() => expect(runs).toBe(1))
    const waiting = await callHook(api.url, app, token)
    expect([waiting.status, waiting.retryAfter]).toEqual([503, '1'])
    release()
    expect((await first).status).toBe(200)
    const later = await callHook(api.url, app, token)
    expect([later.status, later.body]).toEqual([200, '{"ok":"yes"}'])
    expect(runs).toBe(1)
  })

  it('what apply returns that is not an object records {}', async () => {
    const api = await replicaWith({ apply: () => 42 })
    const token = createHookToken()
    await api.store.setToken(app, 'complete', token)
    expect((await callHook(api.url, app, token)).body).toBe('{}')
  })

  it('a record and the token it spent are forgotten after ttlSeconds: the call is then 401', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const effect = countingApply()
    const store = createMemoryHookStore({ apply: effect.apply, ttlSeconds: 60 })
    const token = createHookToken()
    await store.setToken(app, 'complete', token)
    const context = { tokenDigest: hashHookToken(token), signal: new AbortController().signal }
    const call = { ok: true as const, app, kind: 'complete' as const }
    expect(await store.lookup(app, 'complete')).toBe(hashHookToken(token))
    expect(await store.onVerified(call, context)).toMatchObject({ run: 'batch/report#1' })
    vi.setSystemTime(Date.now() + 59_000)
    expect(await store.onVerified(call, context)).toMatchObject({ run: 'batch/report#1' })
    vi.setSystemTime(Date.now() + 2_000)
    expect(await store.lookup(app, 'complete')).toBeUndefined()
    expect(await store.onVerified(call, context)).toBe(false)
    expect(effect.applied.get('batch/report')).toBe(1)
  })

  it('stores only the digest: lookup gives hashHookToken(token)', async () => {
    const store = createMemoryHookStore({ apply: () => ({}) })
    const token = createHookToken()
    await store.setToken(app, 'shutdown', token)
    expect(await store.lookup(app, 'shutdown')).toBe(hashHookToken(token))
    expect(await store.lookup(app, 'complete')).toBeUndefined()
  })

  it('bad options and arguments are HookErrors with a path', async () => {
    expect(hookErrorOf(() => createMemoryHookStore({} as never))).toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      path: '/apply',
    })
    expect(hookErrorOf(() => createMemoryHookStore({ apply: () => 1, ttlSeconds: 0 }))).toMatchObject({
      path: '/ttlSeconds',
    })
    expect(hookErrorOf(() => createMemoryHookStore({ apply: () => 1, waitMs: -1 }))).toMatchObject({ path: '/waitMs' })
    const store = createMemoryHookStore({ apply: () => 1 })
    expect(await hookErrorOfAsync(store.setToken(app, 'complete', ''))).toMatchObject({ path: '/token' })
    expect(await hookErrorOfAsync(store.setToken({ namespace: '', name: 'x' }, 'complete', 't'))).toMatchObject({
      path: '/app/namespace',
    })
    expect(await hookErrorOfAsync(store.setToken(app, 'other' as never, 't'))).toMatchObject({ path: '/kind' })
    const refused = await hookErrorOfAsync(store.onVerified({ ok: true, app, kind: 'complete' }))
    expect(refused).toBeInstanceOf(HookError)
  })
})
