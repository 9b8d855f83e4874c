// The hook store of one process: the decision "this call was taken" in a Map,
// for an API side that runs one replica (and for tests). Replicas that share
// nothing must share an etcd: krake-hooks/etcd. Both stores import the same
// helpers of store.ts: they differ in where a call is kept, not in what it is.
import type { AppRef, HookKind } from '../types.js'
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

interface TokenEntry {
  digest: string
  /** Set once the token's call is recorded: the two go together. */
  expiresAt: number
}

type Claim = { running: Promise<void> } | { record: string; expiresAt: number }

const hookKey = (app: AppRef, kind: HookKind) => `${app.namespace}\0${app.name}\0${kind}`

/** The token entry at `key` while it has not expired. */
function current(tokens: ReadonlyMap<string, TokenEntry>, key: string, now: number): TokenEntry | undefined {
  const entry = tokens.get(key)
  return entry === undefined || entry.expiresAt <= now ? undefined : entry
}

/**
 * A hook store held in this process's memory: `apply` runs once per token
 * however many calls come at once, and every verified call, the first and
 * each replay, is answered 200 with the recorded result. For one replica;
 * replicas behind one Service share an etcd instead (`createEtcdHookStore`
 * in `krake-hooks/etcd`).
 *
 * @example
 * ```ts
 * const store = createMemoryHookStore({ apply: ({ app, kind }) => ({ outcome: markDone(app, kind) }) })
 * await store.setToken({ namespace: 'ns', name: 'app' }, 'complete', token)
 * https.createServer(tls, createHookHandler({ lookup: store.lookup, onVerified: store.onVerified }))
 * ```
 */
export function createMemoryHookStore(options: HookStoreOptions): HookStore {
  const { apply, ttlSeconds, waitMs } = readStoreOptions(options, 'createMemoryHookStore')
  const tokens = new Map<string, TokenEntry>()
  const claims = new Map<string, Claim>()
  let nextSweep = 0

  // recorded calls and the tokens they spent are forgotten after ttlSeconds; looked at now and then, not per call
  const sweep = (now: number) => {
    if (now < nextSweep) return
    nextSweep = now + 1_000
    for (const [key, entry] of tokens) if (entry.expiresAt <= now) tokens.delete(key)
    for (const [key, claim] of claims) if ('record' in claim && claim.expiresAt <= now) claims.delete(key)
  }

  const run = async (claimKey: string, tokenKey: string, call: HookStoreCall) => {
    let settle = () => {}
    claims.set(claimKey, { running: new Promise<void>((resolve) => (settle = resolve)) })
    try {
      const record = recordOf(await apply(call))
      const expiresAt = Date.now() + ttlSeconds * 1000
      claims.set(claimKey, { record, expiresAt })
      const entry = tokens.get(tokenKey)
      if (entry !== undefined && entry.digest === call.tokenDigest) entry.expiresAt = expiresAt
      return JSON.parse(record) as unknown
    } catch (e) {
      claims.delete(claimKey) // nothing recorded: a later call may run apply again
      throw e
    } finally {
      settle()
    }
  }

  return {
    lookup: (app, kind) => {
      const now = Date.now()
      sweep(now)
      return current(tokens, hookKey(app, kind), now)?.digest
    },
    onVerified: async (accepted: AcceptedCall, context?: VerifiedCallContext) => {
      const call = storeCall(accepted, context)
      const tokenKey = hookKey(call.app, call.kind)
      const claimKey = `${tokenKey}\0${call.tokenDigest}`
      const deadline = Date.now() + waitMs
      for (;;) {
        const now = Date.now()
        const claim = claims.get(claimKey)
        if (claim !== undefined && 'record' in claim && claim.expiresAt > now)
          return JSON.parse(claim.record) as unknown
        if (claim === undefined || 'record' in claim) {
          // a token replaced (or deleted) since the handler looked it up is not this call's to spend
          if (current(tokens, tokenKey, now)?.digest !== call.tokenDigest) return false
          return run(claimKey, tokenKey, call)
        }
        const left = deadline - now
        if (left <= 0 || context?.signal?.aborted === true) throw pendingError()
        await Promise.race([claim.running, pause(left, context?.signal)])
      }
    },
    // async, so that a bad argument rejects as etcd's store does
    // eslint-disable-next-line @typescript-eslint/require-await
    setToken: async (app, kind, token) => {
      const { app: ref, kind: k, digest } = tokenDigestOf(app, kind, token)
      tokens.set(hookKey(ref, k), { digest, expiresAt: Infinity })
      sweep(Date.now())
    },
    // eslint-disable-next-line @typescript-eslint/require-await
    deleteToken: async (app, kind) => {
      const { app: ref, kind: k } = hookOf(app, kind)
      tokens.delete(hookKey(ref, k))
    },
    close: () => {
      tokens.clear()
      claims.clear()
      return Promise.resolve()
    },
  }
}
