// The etcd store against a real etcd (Debian's etcd-server): replicas that
// share one etcd apply each token's call once, whatever comes at them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import etcd3 from 'etcd3'
import { createHookToken as newToken, hashHookToken, signalHook } from '../../src/index.js'
import { createEtcdHookStore } from '../../src/store/etcd.js'
import { startCutProxy, startEtcd, type EtcdCluster } from '../etcd.js'
import { hookErrorOf } from '../helpers.js'
import { callHook, callUntilTaken, countingApply, startFront, startReplica, type Replica } from './replicas.js'

// every token the tests make, to search etcd for afterwards
const issued: string[] = []
const createHookToken = () => {
  const token = newToken()
  issued.push(token)
  return token
}
const appN = (i: number) => ({ namespace: 'batch', name: `report-${i}` })

async function replicasOn(
  hosts: string[],
  n: number,
  apply: Parameters<typeof createEtcdHookStore>[0]['apply'],
  prefix: string,
) {
  return Promise.all(
    Array.from({ length: n }, () => startReplica(createEtcdHookStore({ hosts, prefix, apply, waitMs: 3_000 }))),
  )
}

describe('createEtcdHookStore on one etcd', () => {
  let etcd: EtcdCluster
  let replicas: Replica[] = []
  beforeAll(async () => {
    etcd = await startEtcd(1)
  })
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()))
    await etcd?.stop()
  })

  it('three replicas, 20 applications called 12 times each at once: one apply each, every call 200, one body each', async () => {
    const effect = countingApply()
    replicas = await replicasOn(etcd.hosts, 3, effect.apply, 'crowd/')
    const tokens = Array.from({ length: 20 }, () => createHookToken())
    await Promise.all(tokens.map((t, i) => replicas[i % 3]!.store.setToken(appN(i), 'complete', t)))
    const answers = await Promise.all(
      tokens.flatMap((t, i) => Array.from({ length: 12 }, (_, j) => callHook(replicas[(i + j) % 3]!.url, appN(i), t))),
    )
    expect(answers.filter((a) => a.status !== 200)).toEqual([])
    for (let i = 0; i < 20; i++) {
      const bodies = new Set(answers.slice(i * 12, i * 12 + 12).map((a) => a.body))
      expect(bodies.size).toBe(1)
      expect(JSON.parse([...bodies][0]!)).toMatchObject({ run: `batch/report-${i}#1` })
      expect(effect.applied.get(`batch/report-${i}`)).toBe(1)
    }
    // a replay after success, on another replica: the same 200 and body, no second apply
    const replay = await callHook(replicas[2]!.url, appN(0), tokens[0]!)
    expect([replay.status, replay.body]).toEqual([200, answers[0]!.body])
    expect(effect.applied.get('batch/report-0')).toBe(1)
  })

  it('an apply that throws records nothing (500), a later call on another replica runs it; a new token is a new call', async () => {
    let runs = 0
    const flaky = await replicasOn(
      etcd.hosts,
      2,
      () => {
        runs++
        if (runs === 1) throw new Error('the database is down')
        return { run: runs }
      },
      'flaky/',
    )
    replicas.push(...flaky)
    const app = appN(100)
    const token = createHookToken()
    await flaky[0]!.store.setToken(app, 'complete', token)
    const failed = await callHook(flaky[0]!.url, app, token)
    expect([failed.status, failed.body.includes('database')]).toEqual([500, false])
    const ok = await callHook(flaky[1]!.url, app, token)
    expect([ok.status, ok.body]).toEqual([200, '{"run":2}'])
    expect((await callHook(flaky[0]!.url, app, token)).body).toBe('{"run":2}')

    const fresh = createHookToken()
    await flaky[1]!.store.setToken(app, 'complete', fresh)
    expect((await callHook(flaky[0]!.url, app, token)).status).toBe(401)
    expect((await callHook(flaky[0]!.url, app, fresh)).body).toBe('{"run":3}')
    expect(runs).toBe(3)
    expect((await callHook(flaky[0]!.url, app, createHookToken())).status).toBe(401)
  })

  it('no token is ever written to etcd: every key under the prefixes holds digests and records only', async () => {
    const client = new etcd3.Etcd3({ hosts: etcd.hosts })
    try {
      const all = await client.getAll().strings()
      expect(Object.keys(all).length).toBeGreaterThan(20)
      const tokenKeys = Object.entries(all).filter(([k]) => /^(crowd|flaky)\/token\//.test(k))
      expect(tokenKeys.length).toBeGreaterThan(20)
      for (const [, v] of tokenKeys) expect(v).toMatch(/^sha256:[0-9a-f]{64}$/)
      const dump = JSON.stringify(all)
      expect(issued.length).toBeGreaterThan(20)
      expect(issued.filter((t) => dump.includes(t))).toEqual([])
    } finally {
      client.close()
    }
  })

  it('signalHook against two replicas behind one address, its first answer dropped: it retries and reports success', async () => {
    const effect = countingApply()
    const pair = await replicasOn(etcd.hosts, 2, effect.apply, 'front/')
    replicas.push(...pair)
    const front = await startFront(
      pair.map((r) => r.url),
      1,
    )
    try {
      const app = appN(400)
      const token = createHookToken()
      await pair[0]!.store.setToken(app, 'complete', token)
      const retries: string[] = []
      const result = await signalHook('complete', {
        env: {
          KRAKE_TOKEN: token,
          KRAKE_COMPLETE_URL: `${front.url}/kubernetes/namespaces/batch/applications/report-400/complete`,
        },
        backoffMs: 10,
        onRetry: (_, reason) => retries.push(reason),
      })
      expect(result).toEqual({ ok: true, status: 200, attempts: 2 })
      expect(retries).toHaveLength(1) // the reset answer
      expect(effect.applied.get('batch/report-400')).toBe(1) // the first call was applied, the second told so
    } finally {
      await front.close()
    }
  })

  it('options are checked: hosts, prefix, claimSeconds', () => {
    expect(hookErrorOf(() => createEtcdHookStore({ apply: () => 1 }))).toMatchObject({ path: '/hosts' })
    expect(hookErrorOf(() => createEtcdHookStore({ hosts: etcd.hosts, apply: () => 1, prefix: '' }))).toMatchObject({
      path: '/prefix',
    })
    expect(
      hookErrorOf(() => createEtcdHookStore({ hosts: etcd.hosts, apply: () => 1, claimSeconds: 0 })),
    ).toMatchObject({ path: '/claimSeconds' })
  })

  it('one replica cut off from etcd applies nothing and answers no 200; healed, it answers the recorded result', async () => {
    const effect = countingApply()
    const proxy = await startCutProxy(etcd.hosts[0]!)
    const [near] = await replicasOn(etcd.hosts, 1, effect.apply, 'cut/')
    const [far] = await replicasOn([proxy.url], 1, effect.apply, 'cut/')
    replicas.push(near!, far!)
    const app = appN(200)
    const token = createHookToken()
    await far!.store.setToken(app, 'complete', token) // through the proxy, before the cut
    proxy.cut()
    const cutOff = await callHook(far!.url, app, token)
    expect(cutOff.status).not.toBe(200)
    expect(cutOff.status).toBeGreaterThanOrEqual(500)
    expect(effect.applied.size).toBe(0)
    const taken = await callHook(near!.url, app, token)
    expect(taken.status).toBe(200)
    proxy.heal()
    const healed = await callUntilTaken([far!.url], app, token, 30_000)
    expect([healed.status, healed.body]).toEqual([200, taken.body])
    expect(effect.applied.get('batch/report-200')).toBe(1)
    await proxy.close()
  })
})

describe('createEtcdHookStore when the answer of its winning transaction is lost', () => {
  let etcd: EtcdCluster
  beforeAll(async () => {
    etcd = await startEtcd(1)
  })
  afterAll(() => etcd?.stop())

  it('the replica whose claim etcd applied reads it back and wins: one apply, 200, the same body everywhere', async () => {
    const effect = countingApply()
    const proxy = await startCutProxy(etcd.hosts[0]!)
    const lossy = await startReplica(
      createEtcdHookStore({
        hosts: [proxy.url],
        prefix: 'lost/',
        apply: effect.apply,
        waitMs: 30_000,
        requestTimeoutMs: 500,
      }),
    )
    const [near] = await replicasOn(etcd.hosts, 1, effect.apply, 'lost/')
    try {
      const app = appN(300)
      const token = createHookToken()
      await near!.store.setToken(app, 'complete', token)
      // the claim's transaction is the one request that writes a running claim
      proxy.loseAnswersAfter('"state":"running"')
      const call = callHook(lossy.url, app, token)
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      expect(effect.applied.size).toBe(0) // the winner has not learnt that it won
      // meanwhile another replica sees the claim, runs nothing, and waits for the record (503 past its waitMs)
      const meanwhile = await callHook(near!.url, app, token)
      expect([meanwhile.status, meanwhile.retryAfter]).toEqual([503, '1'])
      expect(effect.applied.size).toBe(0)
      proxy.heal()
      const first = await call
      expect(first.status).toBe(200)
      expect((await callHook(near!.url, app, token)).body).toBe(first.body)
      expect(JSON.parse(first.body)).toMatchObject({ run: 'batch/report-300#1' })
      expect(effect.applied.get('batch/report-300')).toBe(1)
    } finally {
      await Promise.all([lossy.close(), near!.close()])
      await proxy.close()
    }
  })
})

describe('createEtcdHookStore on a three-member cluster whose leader is killed mid-run', () => {
  let etcd: EtcdCluster
  let replicas: Replica[] = []
  beforeAll(async () => {
    etcd = await startEtcd(3)
  })
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.close()))
    await etcd?.stop()
  })

  it('after retries every application answered 200 and applied exactly once', async () => {
    const effect = countingApply()
    replicas = await replicasOn(etcd.hosts, 3, effect.apply, 'failover/')
    const tokens = Array.from({ length: 20 }, () => createHookToken())
    await Promise.all(tokens.map((t, i) => replicas[0]!.store.setToken(appN(i), 'complete', t)))
    const urls = replicas.map((r) => r.url)
    const runs = tokens.flatMap((t, i) =>
      Array.from({ length: 4 }, (_, j) =>
        new Promise((resolve) => setTimeout(resolve, i * 40 + j * 5)).then(() =>
          callUntilTaken([...urls.slice(j % 3), ...urls.slice(0, j % 3)], appN(i), t, 40_000),
        ),
      ),
    )
    const leader = await etcd.leader()
    // mid-run: once a few applications are taken, and well before all are
    while (effect.applied.size < 3) await new Promise((resolve) => setTimeout(resolve, 5))
    await leader.kill()
    const takenBefore = effect.applied.size
    const answers = await Promise.all(runs)
    expect(takenBefore).toBeLessThan(20)
    expect(answers.filter((a) => a.status !== 200)).toEqual([])
    for (let i = 0; i < 20; i++) {
      expect(effect.applied.get(`batch/report-${i}`)).toBe(1)
      expect(new Set(answers.slice(i * 4, i * 4 + 4).map((a) => a.body)).size).toBe(1)
    }
    expect(await replicas[1]!.store.lookup(appN(3), 'complete')).toBe(hashHookToken(tokens[3]!))
  })
})
