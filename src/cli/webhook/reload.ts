// The webhook's reloads: on a timer (a mounted Secret changes by a symlink
// swap that fs.watch does not always see), the serving certificate and the
// HookConfig directory are read again; each is used when it changed, and on a
// failure the last good one stays and the failure is said once.
import type { Server as HttpsServer } from 'node:https'
import { hookDirChanged, loadHookDir, type HookSet } from './hook-dir.js'
import type { WebhookState } from './routes.js'
import { readTls, type TlsFiles } from './tls.js'

/** One line per HookConfig refused for inline values: its Pods are denied until it is fixed. */
export function logRefused(log: WebhookState['log'], hooks: HookSet): void {
  for (const r of hooks.refused)
    log({
      level: 'error',
      msg: 'hook configuration refused: its application is denied',
      file: r.file,
      app: r.app,
      error: r.reason,
    })
}

/** A reading of one source: the log entry of a change, undefined when nothing changed; said once when it fails. */
function watched(
  state: WebhookState,
  what: 'hooks' | 'tls',
  failed: string,
  step: () => Record<string, unknown> | undefined,
): () => void {
  let lastError: string | undefined
  return () => {
    try {
      const changed = step()
      if (changed !== undefined) {
        state.metrics.reloads.inc({ what, result: 'ok' })
        state.log({ level: 'info', ...changed })
      }
      lastError = undefined
    } catch (e) {
      const message = e instanceof Error ? e.message : 'unreadable'
      if (message !== lastError) {
        state.metrics.reloads.inc({ what, result: 'failed' })
        state.log({ level: 'error', msg: failed, error: message })
      }
      lastError = message
    }
  }
}

/** What the reloads read: the files, the directory and the server whose secure context a new certificate replaces. */
export interface ReloadSources extends TlsFiles {
  hooksDir: string
  reloadSeconds: number
}

/** Starts the timer of the reloads; returns what stops it. */
export function startReloads(state: WebhookState, sources: ReloadSources, server: HttpsServer): () => void {
  const reloadHooks = watched(state, 'hooks', 'hook configurations not reloaded: the last good set stays', () => {
    // only the files that changed are read again (hook-dir.ts): an idle reload is a few stat calls a file
    const next = loadHookDir(sources.hooksDir, state.hooks)
    if (next === state.hooks || next.digest === state.hooks.digest) {
      state.hooks = next // the same set, with the fingerprints of this reading
      return undefined
    }
    state.hooks = next
    state.metrics.configs.set(next.bindings.length)
    logRefused(state.log, next)
    return { msg: 'hook configurations reloaded', files: next.files }
  })
  const reloadTls = watched(state, 'tls', 'serving certificate not reloaded: the last good one stays', () => {
    const next = readTls(sources)
    const tls = state.tls
    if (next.cert === tls.cert && next.key === tls.key && next.ca === tls.ca) return undefined
    server.setSecureContext(next) // new handshakes only: open connections keep theirs
    state.tls = next
    return { msg: 'serving certificate reloaded' }
  })
  // the directory is asked first, asynchronously, whether anything changed: an idle reload holds the
  // event loop for no stat call, and the synchronous reading runs only for a change (hook-dir.ts)
  let checking = false
  const reload = () => {
    reloadTls()
    if (checking) return
    checking = true
    hookDirChanged(sources.hooksDir, state.hooks)
      .then((changed) => {
        if (changed && !state.draining) reloadHooks()
      })
      .catch(() => reloadHooks()) // an unreadable directory: the reading says why, once
      .finally(() => {
        checking = false
      })
  }
  const timer = setInterval(reload, sources.reloadSeconds * 1000)
  timer.unref()
  return () => clearInterval(timer)
}
