// The hook store that replicas share: the decision "this call was taken" is
// one etcd v3 transaction (Create == 0 on the call's key), the store Krake's
// own API runs on. Keys, under the prefix:
//
//   token/<namespace>/<name>/<kind>           hashHookToken(token), never the token
//   call/<namespace>/<name>/<kind>/<digest>   {"state":"running","nonce":...} while the winner's apply runs,
//                                             under a short lease the winner keeps alive;
//                                             {"state":"done","record":"<JSON>"} once recorded,
//                                             under a ttlSeconds lease (the token key joins it)
//
// A call whose transaction answer was lost (a leader change, a timeout) reads
// its claim back: a claim holding its own nonce is its own, so the real
// winner never thinks it lost.
import { randomUUID } from 'node:crypto'
import etcd3 from 'etcd3'
import type { Etcd3, IOptions, Lease, Namespace } from 'etcd3'
import { HookError } from '../errors.js'
import type { AppRef, HookKind } from '../inject/types.js'
import { checkInteger } from '../lib/check.js'
import type { AcceptedCall } from '../verify/request.js'
import type { VerifiedCallContext } from '../verify/handler.js'
import {
  hookOf,
  pause,
  pendingError,
  readStoreOptions,
  recordOf,
  storeCall,
  tokenDigestOf,
  type HookStore,
  type HookStoreCall,
  type HookStoreOptions,
} from './store.js'

export type { HookStore, HookStoreCall, HookStoreOptions } from './store.js'
export type { VerifiedCallContext } from '../verify/handler.js'

/** What `createEtcdHookStore` is made with: the store's options and how to reach etcd. */
export interface EtcdHookStoreOptions extends HookStoreOptions {
  /** etcd's client URLs (`http://127.0.0.1:2379`), every member of the cluster. Not needed with `client`. */
  hosts?: string | string[] | undefined
  /**
   * The prefix of every key the store writes.
   * @defaultValue `krake-hooks/`
   */
  prefix?: string | undefined
  /**
   * How long a winner's claim outlives the winner: a replica that dies in
   * `apply` holds the call this long, then another call may run it.
   * @defaultValue 10 s
   */
  claimSeconds?: number | undefined
  /**
   * Longest wait for one etcd request.
   * @defaultValue 2000 ms
   */
  requestTimeoutMs?: number | undefined
  /** TLS to etcd (etcd3's `credentials`). */
  credentials?: IOptions['credentials']
  /** etcd's user and password (etcd3's `auth`). */
  auth?: IOptions['auth']
  /** A client made already (shared with the rest of the program): the store neither makes nor closes one. */
  client?: Etcd3 | undefined
}

type Claim = { state: 'running'; nonce: string } | { state: 'done'; record: string }

const segment = (s: string) => encodeURIComponent(s)
const tokenKey = (app: AppRef, kind: HookKind) => `token/${segment(app.namespace)}/${segment(app.name)}/${kind}`
const claimKey = (call: HookStoreCall) =>
  `call/${segment(call.app.namespace)}/${segment(call.app.name)}/${call.kind}/${call.tokenDigest.replace(/^sha256:/, '')}`

function readClaim(value: Buffer | undefined): Claim | undefined {
  if (value === undefined) return undefined
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<Record<string, unknown>>
    if (parsed.state === 'running' && typeof parsed.nonce === 'string') return { state: 'running', nonce: parsed.nonce }
    if (parsed.state === 'done' && typeof parsed.record === 'string') return { state: 'done', record: parsed.record }
  } catch {
    // not ours: a key written by something else under our prefix
  }
  return undefined
}

/**
 * A hook store on etcd v3, for any number of API replicas: across them all,
 * `apply` runs once per token (one transaction picks the winner) and its
 * result is recorded; every verified call, first or replay, on any replica,
 * is answered 200 with that result. A call that comes while the winner's
 * `apply` runs waits for it (at most `waitMs`, then 503 with `Retry-After`).
 * An `apply` that throws records nothing: 500, and a later call may run it
 * again. A replica cut off from etcd answers no 200 and applies nothing.
 * Tokens are stored as `hashHookToken` digests only.
 *
 * Needs the `etcd3` package (an optional peer dependency of krake-hooks).
 *
 * @example
 * ```ts
 * import { createEtcdHookStore } from 'krake-hooks/etcd'
 * const store = createEtcdHookStore({ hosts: ['http://etcd:2379'], apply: ({ app }) => deleteApplication(app) })
 * await store.setToken({ namespace: 'ns', name: 'app' }, 'complete', token)
 * https.createServer(tls, createHookHandler({ lookup: store.lookup, onVerified: store.onVerified }))
 * ```
 */
export function createEtcdHookStore(options: EtcdHookStoreOptions): HookStore {
  const { apply, ttlSeconds, waitMs } = readStoreOptions(options, 'createEtcdHookStore')
  const claimSeconds =
    options.claimSeconds === undefined
      ? 10
      : checkInteger(options.claimSeconds, 1, {
          code: 'ERR_INVALID_ARGUMENT',
          path: '/claimSeconds',
          name: 'claimSeconds',
        })
  const requestTimeoutMs =
    options.requestTimeoutMs === undefined
      ? 2_000
      : checkInteger(options.requestTimeoutMs, 1, {
          code: 'ERR_INVALID_ARGUMENT',
          path: '/requestTimeoutMs',
          name: 'requestTimeoutMs',
        })
  const prefix = options.prefix ?? 'krake-hooks/'
  if (typeof prefix !== 'string' || prefix === '')
    throw new HookError('ERR_INVALID_ARGUMENT', 'prefix must be a non-empty string', { path: '/prefix' })
  const own = options.client === undefined
  if (own && (options.hosts === undefined || options.hosts.length === 0))
    throw new HookError('ERR_INVALID_ARGUMENT', 'createEtcdHookStore needs hosts (or a client)', { path: '/hosts' })
  const client: Etcd3 =
    options.client ??
    new etcd3.Etcd3({
      // checked just above: not undefined when no client is given
      hosts: options.hosts ?? [],
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.auth === undefined ? {} : { auth: options.auth }),
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
    })
  const kv: Namespace = client.namespace(prefix)
  const leases = new Set<Lease>()

  /** The claim at `key` and whether the token key still holds `digest`, read in one transaction. */
  const claimOrRead = async (key: string, call: HookStoreCall, running: string, lease: string) => {
    const answer = await kv
      .if(tokenKey(call.app, call.kind), 'Value', '==', call.tokenDigest)
      .and(key, 'Create', '==', 0)
      .then(kv.put(key).value(running).lease(lease))
      .else(kv.get(key), kv.get(tokenKey(call.app, call.kind)))
      .commit()
    if (answer.succeeded) return { won: true as const }
    const [claimRead, tokenRead] = answer.responses
    return {
      won: false as const,
      claim: readClaim(claimRead?.response_range.kvs[0]?.value),
      tokenHeld: tokenRead?.response_range.kvs[0]?.value.toString('utf8') === call.tokenDigest,
    }
  }

  const record = async (key: string, call: HookStoreCall, running: string, text: string, claim: Lease) => {
    const keep = client.lease(ttlSeconds, { autoKeepAlive: false })
    const keepId = await keep.grant()
    const done = JSON.stringify({ state: 'done', record: text })
    for (;;) {
      try {
        const answer = await kv
          .if(key, 'Value', '==', running)
          .then(kv.put(key).value(done).lease(keepId))
          .else(kv.get(key))
          .commit()
        if (!answer.succeeded) {
          const seen = readClaim(answer.responses[0]?.response_range.kvs[0]?.value)
          // our claim's lease ran out while apply ran (a long partition): the first record stands
          if (seen?.state === 'done') return seen.record
          if (seen === undefined)
            await kv.if(key, 'Create', '==', 0).then(kv.put(key).value(done).lease(keepId)).commit()
        }
        break
      } catch {
        await pause(100) // etcd unreachable: the answer is ready and must be recorded before it is given
      }
    }
    claim.release()
    leases.delete(claim)
    // the token is spent with its record: both expire together (not when the token was replaced meanwhile)
    await kv
      .if(tokenKey(call.app, call.kind), 'Value', '==', call.tokenDigest)
      .then(kv.put(tokenKey(call.app, call.kind)).value(call.tokenDigest).lease(keepId))
      .commit()
      .catch(() => undefined)
    return text
  }

  const win = async (key: string, call: HookStoreCall, running: string, claim: Lease) => {
    let text: string
    try {
      text = recordOf(await apply(call))
    } catch (e) {
      // nothing recorded: let the claim go so that a later call may run apply again
      await kv
        .if(key, 'Value', '==', running)
        .then(kv.delete().key(key))
        .commit()
        .catch(() => undefined)
      claim.release()
      leases.delete(claim)
      throw e
    }
    return JSON.parse(await record(key, call, running, text, claim)) as unknown
  }

  return {
    lookup: async (app, kind) => (await kv.get(tokenKey(app, kind)).string()) ?? undefined,
    onVerified: async (accepted: AcceptedCall, context?: VerifiedCallContext) => {
      const call = storeCall(accepted, context)
      const key = claimKey(call)
      const nonce = randomUUID()
      const running = JSON.stringify({ state: 'running', nonce })
      const deadline = Date.now() + waitMs
      let claim: Lease | undefined
      let delay = 20
      try {
        for (;;) {
          let seen: Awaited<ReturnType<typeof claimOrRead>> | undefined
          try {
            // most calls are replays: a plain read answers them without a lease or a transaction
            const found = readClaim((await kv.get(key).buffer()) ?? undefined)
            if (found !== undefined) seen = { won: false, claim: found, tokenHeld: true }
            else {
              if (claim === undefined) {
                claim = client.lease(claimSeconds)
                leases.add(claim)
              }
              seen = await claimOrRead(key, call, running, await claim.grant())
            }
          } catch {
            // the answer may be lost after etcd applied it: our nonce in the claim says we won
            const back = await kv
              .get(key)
              .buffer()
              .catch(() => null)
            const mine = readClaim(back ?? undefined)
            if (mine?.state === 'running' && mine.nonce === nonce) seen = { won: true }
          }
          if (seen?.won === true || (seen?.claim?.state === 'running' && seen.claim.nonce === nonce)) {
            const lease = claim
            claim = undefined // the winner's to release
            // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- a claim was put with this lease
            return await win(key, call, running, lease!)
          }
          if (seen?.claim?.state === 'done') return JSON.parse(seen.claim.record) as unknown
          // no claim, and the token is no longer this call's (replaced, deleted, expired with its record): 401
          if (seen !== undefined && seen.claim === undefined && !seen.tokenHeld) return false
          const left = deadline - Date.now()
          if (left <= 0 || context?.signal?.aborted === true) throw pendingError()
          await pause(Math.min(delay, left), context?.signal)
          delay = Math.min(delay * 2, 250)
        }
      } finally {
        if (claim !== undefined) {
          // a lease that holds no claim of ours: let it lapse
          claim.release()
          leases.delete(claim)
          void claim.revoke().catch(() => undefined)
        }
      }
    },
    setToken: async (app, kind, token) => {
      const { app: ref, kind: k, digest } = tokenDigestOf(app, kind, token)
      await kv.put(tokenKey(ref, k)).value(digest)
    },
    deleteToken: async (app, kind) => {
      const { app: ref, kind: k } = hookOf(app, kind)
      await kv.delete().key(tokenKey(ref, k))
    },
    close: () => {
      for (const lease of leases) lease.release()
      leases.clear()
      if (own) client.close()
      return Promise.resolve()
    },
  }
}
