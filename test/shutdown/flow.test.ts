// The whole shutdown contract on loopback, no mocks: current Krake
// configuration and mangleApplication with TLS; the application run as a real
// process (examples/shutdown-app.ts) with exactly the env and files the
// kubelet would give it; the controller's nextShutdownStep and
// requestShutdown; the application's signal to a real node:https API with
// client certificates (examples/api-server.ts), which applies applyHookCall.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type ApiServer } from '../../examples/api-server.js'
import {
  HookError,
  mangleApplication,
  nextShutdownStep,
  parseKrakeHooksConfig,
  requestShutdown,
  type KrakeHooksConfig,
  type ShutdownProgress,
} from '../../src/index.js'
import { deployment, root } from '../helpers.js'
import { containerEnv, mountedFiles } from '../kubelet.js'
import { makePki, type Pki } from '../pki.js'

type Obj = Record<string, any>
let pki: Pki
let api: ApiServer
let hooks: KrakeHooksConfig
const children: ChildProcess[] = []

beforeAll(async () => {
  pki = makePki()
  api = await startApiServer({
    key: pki.read('server-key.pem'),
    cert: pki.read('server.pem'),
    ca: pki.read('root.pem'),
    hookUser: { complete: 'system:complete-hook', shutdown: 'system:shutdown-hook' },
  })
  hooks = parseKrakeHooksConfig({
    api_endpoint: api.url,
    hooks: {
      complete: {
        intermediate_src: 'inter-ec-sec1.pem',
        intermediate_key_src: 'inter-ec-sec1-key.pem',
        env_url: 'KRAKE_COMPLETE_URL',
      },
      shutdown: {
        intermediate_src: 'inter-rsa-pkcs8.pem',
        intermediate_key_src: 'inter-rsa-pkcs8-key.pem',
        timeout: 2,
        failure_strategy: 'give_up',
        failure_retry_count: 1,
      },
    },
  })
})
afterAll(async () => {
  for (const c of children) c.kill()
  await api?.close()
  pki?.cleanup()
})

/** Starts examples/shutdown-app.ts as its own process with only `env`; resolves with its host:port once it listens. */
function runApplication(
  env: Record<string, string>,
  args: string[],
): Promise<{ child: ChildProcess; address: string; exited: Promise<{ code: number | null; stderr: string }> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'examples/shutdown-app.ts'), '--host', '127.0.0.1', '--port', '0', ...args],
    { cwd: root, env: { ...env, PATH: process.env.PATH ?? '' } },
  )
  children.push(child)
  let stderr = ''
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  )
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
      const m = /listening on (\S+)/.exec(stderr)
      if (m) resolve({ child, address: m[1]!, exited })
    })
    child.on('exit', () => reject(new Error(`the application exited early: ${stderr}`)))
  })
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('the shutdown flow, end to end', () => {
  it('controller calls PUT /shutdown; the application saves its state and calls back with its certificate; the API moves it to READY_FOR_ACTION and deletes nothing', async () => {
    const name = 'stateful'
    const app = {
      metadata: { name, namespace: 'secondary', uid: 'u-42' },
      spec: { manifest: [deployment(name, 'secondary')], hooks: ['complete', 'shutdown'] },
      status: { state: 'RUNNING' },
    }
    const files = {
      caPems: [pki.read('root.pem')],
      complete: { certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-ec-sec1-key.pem') },
      shutdown: { certPem: pki.read('inter-rsa-pkcs8.pem'), keyPem: pki.read('inter-rsa-pkcs8-key.pem') },
    }
    const mangled = await mangleApplication(app, hooks, {
      apiEndpoint: api.url,
      tls: files,
      keyAlgorithm: 'ECDSA-P256',
    })
    const manifests = mangled.manifests as Obj[]
    const workload = manifests[0]!

    // the kubelet's part: env from the token Secret, files from the certs Secret
    const env = containerEnv(manifests, workload)
    expect(Object.keys(env)).toEqual([
      'KRAKE_COMPLETE_TOKEN',
      'KRAKE_COMPLETE_URL',
      'KRAKE_SHUTDOWN_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
    const certDir = mountedFiles(manifests, workload, '/etc/krake_shutdown_certs/', pki.path(`${name}-shutdown-certs`))
    const stateFile = pki.path(`${name}-state.json`)

    await api.addApp(
      'secondary',
      name,
      { complete: mangled.status.complete_token as string, shutdown: mangled.status.shutdown_token as string },
      'RUNNING',
    )
    const running = await runApplication(env, ['--state', stateFile, '--cert-dir', certDir])

    // Krake records the Service's address; a DELETE (or a migration) sets WAITING_FOR_CLEANING
    const stored = api.apps.get(`secondary/${name}`)!
    stored.application.status.state = 'WAITING_FOR_CLEANING'
    const controllerView = () => ({
      ...stored.application,
      spec: app.spec,
      status: { ...stored.application.status, services: { shutdown: running.address } },
    })

    let progress: ShutdownProgress = { attempts: 0 }
    const first = nextShutdownStep(controllerView(), hooks.shutdown!, new Date(), progress)
    expect(first).toMatchObject({ action: 'call', attempt: 1, of: 2 })
    if (first.action !== 'call') return
    progress = first.progress
    const answer = await requestShutdown(controllerView(), { timeoutMs: 5000 })
    expect(answer).toEqual({ ok: true, status: 202, url: `http://${running.address}/shutdown` })

    await until(() => stored.application.status.state !== 'WAITING_FOR_CLEANING')
    expect(stored.application.status).toEqual({ state: 'READY_FOR_ACTION', shutdown_grace_period: null })
    expect(stored.application.metadata.deleted).toBeNull() // shutdown never deletes: it may precede a migration
    expect(nextShutdownStep(controllerView(), hooks.shutdown!, new Date(), progress)).toMatchObject({ action: 'done' })

    const exited = await running.exited
    expect(exited.code).toBe(0)
    expect(exited.stderr).toContain('shutdown-app: state saved, shutdown hook accepted (200)')
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toEqual({ savedAt: expect.any(String) })
  })

  it('the complete token on the shutdown URL, or the complete certificate on the shutdown hook, is refused', async () => {
    const name = 'mixed'
    const app = {
      metadata: { name, namespace: 'secondary' },
      spec: { manifest: [deployment(name, 'secondary')], hooks: ['complete', 'shutdown'] },
    }
    const files = {
      caPems: [pki.read('root.pem')],
      complete: { certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-ec-sec1-key.pem') },
      shutdown: { certPem: pki.read('inter-rsa-pkcs8.pem'), keyPem: pki.read('inter-rsa-pkcs8-key.pem') },
    }
    const mangled = await mangleApplication(app, hooks, {
      apiEndpoint: api.url,
      tls: files,
      keyAlgorithm: 'ECDSA-P256',
    })
    const manifests = mangled.manifests as Obj[]
    const env = containerEnv(manifests, manifests[0]!)
    await api.addApp(
      'secondary',
      name,
      { complete: mangled.status.complete_token as string, shutdown: mangled.status.shutdown_token as string },
      'WAITING_FOR_CLEANING',
    )
    const completeCerts = mountedFiles(
      manifests,
      manifests[0]!,
      '/etc/krake_complete_certs',
      pki.path(`${name}-complete-certs`),
    )
    const shutdownCerts = mountedFiles(
      manifests,
      manifests[0]!,
      '/etc/krake_shutdown_certs',
      pki.path(`${name}-shutdown-certs`),
    )
    const { signalHook } = await import('../../src/index.js')
    // the complete hook's certificate (CN system:complete-hook) on the shutdown URL: 403
    const wrongCert = await signalHook('shutdown', { env, certDir: completeCerts, retries: 0 })
    expect(wrongCert).toMatchObject({ ok: false, status: 403 })
    // the complete token on the shutdown URL: 401
    const wrongToken = await signalHook('shutdown', {
      env: { ...env, KRAKE_SHUTDOWN_TOKEN: env.KRAKE_COMPLETE_TOKEN! },
      certDir: shutdownCerts,
      retries: 0,
    })
    expect(wrongToken).toMatchObject({ ok: false, status: 401 })
    expect(api.apps.get(`secondary/${name}`)!.application.status.state).toBe('WAITING_FOR_CLEANING')
  })
})

describe('requestShutdown(application, { timeoutMs })', () => {
  it('refuses an application without status.services.shutdown, or with a pending address', async () => {
    for (const app of [
      {},
      { status: { services: {} } },
      { status: { services: { shutdown: '<pending>:<pending>' } } },
      { status: { services: { shutdown: 'a b' } } },
    ]) {
      const e = await requestShutdown(app).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(HookError)
      expect((e as HookError).path).toBe('/status/services/shutdown')
    }
  })

  it('reports an application that answers 500, or is not there, without throwing', async () => {
    const server = createServer((req, res) => {
      req.resume()
      res.writeHead(req.method === 'PUT' && req.url === '/shutdown' ? 500 : 404).end()
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`
    expect(await requestShutdown({ status: { services: { shutdown: address } } })).toEqual({
      ok: false,
      status: 500,
      url: `http://${address}/shutdown`,
      reason: 'the application answered 500',
    })
    await new Promise((r) => server.close(r))
    const gone = await requestShutdown({ status: { services: { shutdown: address } } }, { timeoutMs: 2000 })
    expect(gone).toMatchObject({
      ok: false,
      url: `http://${address}/shutdown`,
      reason: expect.stringMatching(/ECONNREFUSED/),
    })
    expect(existsSync(pki.path('nothing'))).toBe(false)
  })
})
