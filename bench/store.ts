// The hook stores under calls: calls per second through one replica
// (node:http on loopback, 16 clients at once, keep-alive) with the handler's
// onVerified a no-op, the memory store, and the etcd store on a real
// single-member etcd on loopback, in the same run. Each store row is split
// into first calls (one apply per token) and replays (the recorded answer).
// The ratio is against the no-op handler measured in the same run.
//
//   npm run bench:store            (needs etcd on the PATH: apt-get install etcd-server)
import { Agent, createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createHookHandler,
  createHookToken,
  createMemoryHookStore,
  hashHookToken,
  type HookStore,
} from '../src/index.js'
import { createEtcdHookStore } from '../src/store/etcd.js'
import { startEtcd } from '../test/etcd.js'
import { median, printTable, ratio, type Row } from './lib.js'

const APPS = Number(process.env.BENCH_APPS ?? 500)
const CONCURRENCY = 16
const ROUNDS = 3
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY })

async function serve(lookup: HookStore['lookup'], onVerified: Parameters<typeof createHookHandler>[0]['onVerified']) {
  const handler = createHookHandler({ lookup, onVerified })
  const server = createServer((req, res) => void handler(req, res))
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

/** Calls per second of `APPS` calls, one per application, `CONCURRENCY` at once; every answer must be 200. */
async function drive(url: string, tokens: string[]): Promise<number> {
  let next = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < tokens.length; i = next++) {
        const body = JSON.stringify({ token: tokens[i] })
        const status = await new Promise<number>((resolve, reject) => {
          const req = request(
            `${url}/kubernetes/namespaces/bench/applications/app-${i}/complete`,
            { method: 'PUT', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } },
            (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
          )
          req.on('error', reject).end(body)
        })
        if (status !== 200) throw new Error(`app-${i}: ${status}`)
      }
    }),
  )
  return (tokens.length / (performance.now() - start)) * 1000
}

const etcd = await startEtcd(1)
const rows: Row[] = []
try {
  const perRound: Record<string, number[]> = {}
  let counting = false
  const add = (name: string, rate: number) => {
    if (counting) (perRound[name] ??= []).push(rate)
  }
  // round 0 warms the code up and is not counted
  for (let round = 0; round <= ROUNDS; round++) {
    counting = round > 0
    const tokens = Array.from({ length: APPS }, () => createHookToken())
    const digests = tokens.map((t) => hashHookToken(t))
    // the floor: the handler with a lookup from an array and an onVerified that does nothing
    const noop = await serve(
      (app) => digests[Number(app.name.slice(4))],
      () => ({}),
    )
    add('handler, no-op onVerified', await drive(noop.url, tokens))
    noop.server.close()

    const stores: Array<[string, HookStore]> = [
      ['memory store', createMemoryHookStore({ apply: () => ({ done: true }) })],
      [
        'etcd store (1 member, loopback)',
        createEtcdHookStore({ hosts: etcd.hosts, prefix: `bench-${round}/`, apply: () => ({ done: true }) }),
      ],
    ]
    for (const [name, store] of stores) {
      await Promise.all(tokens.map((t, i) => store.setToken({ namespace: 'bench', name: `app-${i}` }, 'complete', t)))
      const api = await serve(store.lookup, store.onVerified)
      add(`${name}: first calls (apply)`, await drive(api.url, tokens))
      add(`${name}: replays`, await drive(api.url, tokens))
      api.server.close()
      await store.close()
    }
  }
  const floor = median(perRound['handler, no-op onVerified'] ?? [])
  for (const [name, rates] of Object.entries(perRound)) {
    const rate = median(rates)
    rows.push({
      figure: name,
      measured: `${rate.toFixed(0)} calls/s`,
      floor: `${floor.toFixed(0)} calls/s`,
      ratio: ratio(rate, floor),
      goal: '(none: context)',
    })
  }
  printTable(rows)
} finally {
  agent.destroy()
  await etcd.stop()
}
