// An application that honours Krake's shutdown hook. It exposes
// `PUT /shutdown` (Krake reaches it through a Service named `shutdown`): on
// that call it answers at once, saves its state, then calls its shutdown
// hook back with signalHook and exits. If it never calls back, the
// controller calls again after the grace time and, in the end, deletes it by
// force or gives up (the shutdown hook's failure_strategy).
//
//   tsx examples/shutdown-app.ts --state /data/state.json [--port 8080] [--cert-dir /etc/krake_shutdown_certs]
import { writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { HookError, signalHook, type SignalResult } from 'krake-hooks'

export interface ShutdownApp {
  server: Server
  /** `host:port`, what Krake records as `status.services.shutdown`. */
  address: string
  /** Settles once the shutdown hook has been called (or could not be). */
  done: Promise<SignalResult>
}

export async function startShutdownApp(options: {
  stateFile: string
  port?: number
  host?: string
  certDir?: string | undefined
  state?: () => unknown
}): Promise<ShutdownApp> {
  let settle!: (r: SignalResult) => void
  const done = new Promise<SignalResult>((resolve) => (settle = resolve))
  let shuttingDown = false
  const server = createServer((req, res) => {
    if (req.url !== '/shutdown') return void res.writeHead(404).end()
    if (req.method !== 'PUT') return void res.writeHead(405, { allow: 'PUT' }).end()
    req.resume()
    // Answer first: Krake's call must not wait for the state to be saved.
    res.writeHead(202, { 'content-type': 'application/json' }).end('{"shutdown":"started"}')
    if (shuttingDown) return // Krake calls again after the grace time; one shutdown is enough
    shuttingDown = true
    const shutDown = async () => {
      writeFileSync(options.stateFile, JSON.stringify(options.state?.() ?? { savedAt: new Date().toISOString() }))
      try {
        settle(await signalHook('shutdown', { certDir: options.certDir, backoffMs: 200 }))
      } catch (e) {
        settle({ ok: false, attempts: 0, reason: e instanceof HookError ? e.message : String(e) })
      }
      server.close()
    }
    setImmediate(() => void shutDown())
  })
  await new Promise<void>((resolve) => server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', resolve))
  const { address, port } = server.address() as AddressInfo
  return { server, address: `${address}:${port}`, done }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      state: { type: 'string' },
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '0.0.0.0' },
      'cert-dir': { type: 'string' },
    },
  })
  if (!values.state) {
    console.error('usage: shutdown-app --state FILE [--port 8080] [--host 0.0.0.0] [--cert-dir DIR]')
    process.exit(2)
  }
  const app = await startShutdownApp({
    stateFile: values.state,
    port: Number(values.port),
    host: values.host,
    certDir: values['cert-dir'],
  })
  console.error(`shutdown-app listening on ${app.address}`)
  const result = await app.done
  console.error(
    result.ok
      ? `shutdown-app: state saved, shutdown hook accepted (${result.status})`
      : `shutdown-app: ${result.reason}`,
  )
  process.exitCode = result.ok ? 0 : 1
}
