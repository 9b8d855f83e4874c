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
import type { AppRef, HookKind } from '../types.js'
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

/** A store's settings, checked, and the client it talks through. */
interface EtcdSettings {
  apply: HookStoreOptions['apply']
  ttlSeconds: number
  waitMs: number
  claimSeconds: number
  client: Etcd3
  /** Whether the store made the client (and so closes it). */
  own: boolean
  prefix: string
}

/** An optional option of createEtcdHookStore: a whole number from 1, `fallback` when absent. */
function optionalCount(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback
  return checkInteger(value, 1, { code: 'ERR_INVALID_ARGUMENT', path: `/${name}`, name })
}

/** The options of createEtcdHookStore, checked; the client made when none is given. */
function etcdSettings(options: EtcdHookStoreOptions): EtcdSettings {
  const { apply, ttlSeconds, waitMs } = readStoreOptions(options, 'createEtcdHookStore')
  const claimSeconds = optionalCount(options.claimSeconds, 10, 'claimSeconds')
  const requestTimeoutMs = optionalCount(options.requestTimeoutMs, 2_000, 'requestTimeoutMs')
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
  return { apply, ttlSeconds, waitMs, claimSeconds, client, own, prefix }
}

/** The calls of one store: the claim, the winner's apply and record, the replays. */
class EtcdCalls {
  readonly kv: Namespace
  readonly leases = new Set<Lease>()

  constructor(readonly s: EtcdSettings) {
    this.kv = s.client.namespace(s.prefix)
  }

  /** The claim at `key` and whether the token key still holds `digest`, read in one transaction. */
  async claimOrRead(key: string, call: HookStoreCall, running: string, lease: string) {
    const answer = await this.kv
      .if(tokenKey(call.app, call.kind), 'Value', '==', call.tokenDigest)
      .and(key, 'Create', '==', 0)
      .then(this.kv.put(key).value(running).lease(lease))
      .else(this.kv.get(key), this.kv.get(tokenKey(call.app, call.kind)))
      .commit()
    if (answer.succeeded) return { won: true as const }
    const [claimRead, tokenRead] = answer.responses
    return {
      won: false as const,
      claim: readClaim(claimRead?.response_range.kvs[0]?.value),
      tokenHeld: tokenRead?.response_range.kvs[0]?.value.toString('utf8') === call.tokenDigest,
    }
  }

  /** Records the answer under its own lease, releases the claim, and spends the token with the record. */
  async record(key: string, call: HookStoreCall, running: string, text: string, claim: Lease): Promise<string> {
    const keep = this.s.client.lease(this.s.ttlSeconds, { autoKeepAlive: false })
    const keepId = await keep.grant()
    const done = JSON.stringify({ state: 'done', record: text })
    for (;;) {
      try {
        const answer = await this.kv
          .if(key, 'Value', '==', running)
          .then(this.kv.put(key).value(done).lease(keepId))
          .else(this.kv.get(key))
          .commit()
        if (!answer.succeeded) {
          const seen = readClaim(answer.responses[0]?.response_range.kvs[0]?.value)
          // our claim's lease ran out while apply ran (a long partition): the first record stands
          if (seen?.state === 'done') return seen.record
          if (seen === undefined)
            await this.kv.if(key, 'Create', '==', 0).then(this.kv.put(key).value(done).lease(keepId)).commit()
        }
        break
      } catch {
        await pause(100) // etcd unreachable: the answer is ready and must be recorded before it is given
      }
    }
    claim.release()
    this.leases.delete(claim)
    // the token is spent with its record: both expire together (not when the token was replaced meanwhile)
    await this.kv
      .if(tokenKey(call.app, call.kind), 'Value', '==', call.tokenDigest)
      .then(this.kv.put(tokenKey(call.app, call.kind)).value(call.tokenDigest).lease(keepId))
      .commit()
      .catch(() => undefined)
    return text
  }

  /** The winner's part: apply, then the record; a failed apply lets the claim go. */
  async win(key: string, call: HookStoreCall, running: string, claim: Lease): Promise<unknown> {
    let text: string
    try {
      text = recordOf(await this.s.apply(call))
    } catch (e) {
      // nothing recorded: let the claim go so that a later call may run apply again
      await this.kv
        .if(key, 'Value', '==', running)
        .then(this.kv.delete().key(key))
        .commit()
        .catch(() => undefined)
      claim.release()
      this.leases.delete(claim)
      throw e
    }
    return JSON.parse(await this.record(key, call, running, text, claim)) as unknown
  }

  /** HookStore.onVerified: a replay read, or a claim taken in one transaction and applied once. */
  async onVerified(accepted: AcceptedCall, context?: VerifiedCallContext): Promise<unknown> {
    const call = storeCall(accepted, context)
    const key = claimKey(call)
    const nonce = randomUUID()
    const running = JSON.stringify({ state: 'running', nonce })
    const deadline = Date.now() + this.s.waitMs
    let claim: Lease | undefined
    let delay = 20
    try {
      for (;;) {
        let seen: Awaited<ReturnType<EtcdCalls['claimOrRead']>> | undefined
        try {
          // most calls are replays: a plain read answers them without a lease or a transaction
          const found = readClaim((await this.kv.get(key).buffer()) ?? undefined)
          if (found !== undefined) seen = { won: false, claim: found, tokenHeld: true }
          else {
            if (claim === undefined) {
              claim = this.s.client.lease(this.s.claimSeconds)
              this.leases.add(claim)
            }
            seen = await this.claimOrRead(key, call, running, await claim.grant())
          }
        } catch {
          // the answer may be lost after etcd applied it: our nonce in the claim says we won
          const back = await this.kv
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
          return await this.win(key, call, running, lease!)
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
        this.leases.delete(claim)
        void claim.revoke().catch(() => undefined)
      }
    }
  }
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
  const calls = new EtcdCalls(etcdSettings(options))
  const { kv, leases, s } = calls
  return {
    lookup: async (app, kind) => (await kv.get(tokenKey(app, kind)).string()) ?? undefined,
    onVerified: (accepted, context) => calls.onVerified(accepted, context),
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
      if (s.own) s.client.close()
      return Promise.resolve()
    },
  }
}
