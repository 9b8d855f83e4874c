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

/**
 * One address in front of `targets`, as a Service is: each connection goes to
 * the next target in turn. The first `drop` connections lose their answer: the
 * request reaches the replica, which applies it, and the client's connection
 * is reset when the answer comes back.
 */
export async function startFront(targets: string[], drop = 0): Promise<{ url: string; close(): Promise<void> }> {
  const { createServer: createTcp, connect } = await import('node:net')
  let next = 0
  const sockets = new Set<import('node:net').Socket>()
  const server = createTcp((inbound) => {
    const target = new URL(targets[next++ % targets.length]!)
    const loseAnswer = drop > 0
    if (loseAnswer) drop--
    const outbound = connect(Number(target.port), target.hostname)
    sockets.add(inbound).add(outbound)
    inbound.pipe(outbound)
    outbound.on('data', (chunk: Buffer) => {
      if (loseAnswer) inbound.resetAndDestroy()
      else inbound.write(chunk)
    })
    const end = () => {
      inbound.destroy()
      outbound.destroy()
      sockets.delete(inbound)
      sockets.delete(outbound)
    }
    inbound.on('close', end).on('error', end)
    outbound.on('close', end).on('error', end)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
