// API replicas for the store tests: each a node:http server running
// createHookHandler with its own store, as replicas behind one Service do.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createHookHandler, type AppRef, type HookStore } from '../../src/index.js'

export interface Replica {
  url: string
  store: HookStore
  close(): Promise<void>
}

export async function startReplica(store: HookStore): Promise<Replica> {
  const handler = createHookHandler({ lookup: store.lookup, onVerified: store.onVerified })
  const server: Server = createServer((req, res) => void handler(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await store.close()
    },
  }
}

export interface Answer {
  status: number
  body: string
  retryAfter: string | null
}

/** The application's PUT, once. */
export async function callHook(base: string, app: AppRef, token: string, kind = 'complete'): Promise<Answer> {
  const url = `${base}/kubernetes/namespaces/${app.namespace}/applications/${app.name}/${kind}`
  const answer = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  })
  return { status: answer.status, body: await answer.text(), retryAfter: answer.headers.get('retry-after') }
}

/** The application's PUT until a 200 (as signalHook retries 5xx and lost answers), bounded by `deadlineMs`. */
export async function callUntilTaken(bases: string[], app: AppRef, token: string, deadlineMs: number): Promise<Answer> {
  const end = Date.now() + deadlineMs
  let last: Answer | undefined
  for (let i = 0; ; i++) {
    try {
      last = await callHook(bases[i % bases.length]!, app, token)
      if (last.status < 500) return last
    } catch {
      // a connection reset: try again, as a client does
    }
    if (Date.now() > end) return last ?? { status: 0, body: '', retryAfter: null }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The effect, counted per application, with the body it returns. */
export function countingApply() {
  const applied = new Map<string, number>()
  return {
    applied,
    apply: ({ app, kind }: { app: AppRef; kind: string }) => {
      const key = `${app.namespace}/${app.name}`
      const n = (applied.get(key) ?? 0) + 1
      applied.set(key, n)
      return { outcome: 'deleted', app, kind, run: `${key}#${n}` }
    },
  }
}
