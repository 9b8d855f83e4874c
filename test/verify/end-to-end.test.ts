// The whole loop, no mocks: injectHook with TLS on a Job, the ConfigMap's
// files where the mount puts them, the example API server on loopback, and
// examples/signal-complete.ts run as a child process with exactly the
// environment the injected container gets.
import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startApiServer, type ApiServer } from '../../examples/api-server.js'
import {
  buildCaBundle,
  createCertificateIssuer,
  createHookToken,
  injectHook,
  issueHookCertificate,
  parseManifests,
} from '../../src/index.js'
import { fixture, podSpecOf, root } from '../helpers.js'
import { makePki, type Pki } from '../pki.js'

const run = promisify(execFile)
const SCRIPT = join(root, 'examples/signal-complete.ts')

let pki: Pki
let api: ApiServer

beforeAll(async () => {
  pki = makePki()
  api = await startApiServer({
    key: pki.read('server-key.pem'),
    cert: pki.read('server.pem'),
    ca: pki.read('root.pem'),
    hookUser: 'system:complete-hook',
  })
})
afterAll(async () => {
  await api?.close()
  pki?.cleanup()
})

/** Runs signal-complete with only `env` (what the container has) and the given flags. */
async function signal(env: Record<string, string>, args: string[] = []): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['--import', 'tsx', SCRIPT, '--retries', '0', ...args], {
      cwd: root,
      env,
    })
    return { code: 0, stderr }
  } catch (e) {
    const err = e as { code: number; stderr: string }
    return { code: err.code, stderr: err.stderr }
  }
}

/** Injects the hook into the example Job, writes the mounted files, returns the container's env and the mount. */
function deployJob(name: string, leaf: { certPem: string; keyPem: string }, token = createHookToken()) {
  const job = parseManifests(fixture('../../examples/manifests/job.yaml').replace('name: report', `name: ${name}`))
  const tls = { caBundlePem: buildCaBundle([pki.read('root.pem'), pki.read('inter-rsa-pkcs1.pem')]), ...leaf }
  const { manifests } = injectHook(job, {
    kind: 'complete',
    app: { name, namespace: 'secondary' },
    apiEndpoint: api.url,
    token,
    tls,
  })
  const configMap = { data: manifests.find((m) => m.kind === 'ConfigMap')!.data as Record<string, string> }
  const container = podSpecOf(manifests[0] as never).containers[0]
  const dir = pki.path(`mount-${name}`)
  mkdirSync(dir)
  for (const [file, content] of Object.entries(configMap.data)) writeFileSync(join(dir, file), content)
  const env = Object.fromEntries(
    container.env.map((e: { name: string; value: string }) => [e.name, e.value]),
  ) as Record<string, string>
  expect(container.volumeMounts[0].mountPath).toBe('/etc/krake_cert')
  return { env, dir, token }
}

describe('end to end: inject, mount, signal, verify', () => {
  let issuer: Awaited<ReturnType<typeof createCertificateIssuer>>
  beforeAll(async () => {
    issuer = await createCertificateIssuer({
      certPem: pki.read('inter-rsa-pkcs1.pem'),
      keyPem: pki.read('inter-rsa-pkcs1-key.pem'),
    })
  })

  it('the API accepts the first call (the application is deleted); a replay is told it was taken, not applied again', async () => {
    const { env, dir, token } = deployJob('report', await issuer.issue())
    await api.addApp('secondary', 'report', { complete: token })
    expect(Object.keys(env)).toEqual(['KRAKE_TOKEN', 'KRAKE_COMPLETE_URL'])
    const handled = api.handled
    const applied = api.applied
    const first = await signal(env, ['--cert-dir', dir])
    expect(first).toEqual({ code: 0, stderr: 'krake: complete hook accepted (200)\n' })
    const deleted = api.apps.get('secondary/report')?.application.metadata.deleted
    expect(deleted).toEqual(expect.any(String))
    // a Job whose first answer was lost calls again: it must learn its call was taken, and exit 0
    const replay = await signal(env, ['--cert-dir', dir])
    expect(replay).toEqual({ code: 0, stderr: 'krake: complete hook accepted (200)\n' })
    expect(api.apps.get('secondary/report')?.application.metadata.deleted).toBe(deleted)
    expect(api.applied).toBe(applied + 1)
    expect(api.handled).toBe(handled + 2)
  })

  it('a wrong token is refused with 401 and the application stays', async () => {
    const { env, dir, token } = deployJob('wrong-token', await issuer.issue({ keyAlgorithm: 'ECDSA-P256' }))
    await api.addApp('secondary', 'wrong-token', { complete: token })
    const result = await signal({ ...env, KRAKE_TOKEN: createHookToken() }, ['--cert-dir', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/the Krake API answered 401: /)
    expect(api.apps.get('secondary/wrong-token')?.application.metadata.deleted).toBeNull()
  })

  it('a foreign client certificate never reaches the handler', async () => {
    const foreign = await issueHookCertificate({
      issuerCertPem: pki.read('foreign-inter.pem'),
      issuerKeyPem: pki.read('foreign-inter-key.pem'),
      hookUser: 'system:complete-hook',
      keyAlgorithm: 'ECDSA-P256',
    })
    const { env, dir, token } = deployJob('foreign', foreign)
    await api.addApp('secondary', 'foreign', { complete: token })
    const handled = api.handled
    const result = await signal(env, ['--cert-dir', dir])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/^krake: gave up after 1 attempts: /)
    expect(api.handled).toBe(handled)
    expect(api.apps.get('secondary/foreign')?.application.metadata.deleted).toBeNull()
  })

  it('a missing variable or certificate directory is a clear error', async () => {
    expect(await signal({})).toEqual({
      code: 1,
      stderr:
        'krake: KRAKE_COMPLETE_TOKEN or KRAKE_TOKEN is not set: is the Krake complete hook enabled for this application?\n',
    })
    const https = await signal({ KRAKE_TOKEN: 't', KRAKE_COMPLETE_URL: `${api.url}/x` }, [
      '--cert-dir',
      pki.path('nowhere'),
    ])
    expect(https.stderr).toBe(
      `krake: the hook URL is https but ${pki.path('nowhere')} hold no certificate: is the certificate volume mounted?\n`,
    )
  })

  it('--token-env and --url-env read other variable names (the shutdown hook)', async () => {
    const result = await signal({ KRAKE_SHUTDOWN_TOKEN: 't' }, [
      '--token-env',
      'KRAKE_SHUTDOWN_TOKEN',
      '--url-env',
      'KRAKE_SHUTDOWN_URL',
    ])
    expect(result.stderr).toBe(
      'krake: KRAKE_SHUTDOWN_URL is not set: is the Krake complete hook enabled for this application?\n',
    )
  })
})

describe('signal-complete retries', () => {
  let server: Server
  let answers: number[] = []
  let calls = 0
  let url = ''
  beforeAll(async () => {
    server = createServer((req, res) => {
      calls++
      req.resume()
      req.on('end', () => res.writeHead(answers.shift() ?? 200).end('{}'))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kubernetes/namespaces/n/applications/a/complete`
  })
  afterAll(() => new Promise((r) => server.close(r)))

  it('retries with backoff on 5xx until it succeeds', async () => {
    answers = [503, 502]
    calls = 0
    const result = await signal({ KRAKE_TOKEN: 't', KRAKE_COMPLETE_URL: url }, ['--retries', '3', '--backoff-ms', '10'])
    expect(result.code).toBe(0)
    expect(calls).toBe(3)
    expect(result.stderr).toMatch(
      /attempt 1 failed \(the Krake API answered 503: \{\}\); retrying in 10 ms\n.*attempt 2 failed \(the Krake API answered 502: \{\}\); retrying in 20 ms\n/s,
    )
  })

  it('never retries a 4xx', async () => {
    answers = [401, 200]
    calls = 0
    const result = await signal({ KRAKE_TOKEN: 't', KRAKE_COMPLETE_URL: url }, ['--retries', '3', '--backoff-ms', '10'])
    expect(result.code).toBe(1)
    expect(calls).toBe(1)
  })

  it('retries network errors, then gives up with the reason', async () => {
    const closed = url.replace(/:\d+\//, ':1/')
    const result = await signal({ KRAKE_TOKEN: 't', KRAKE_COMPLETE_URL: closed }, [
      '--retries',
      '2',
      '--backoff-ms',
      '5',
    ])
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(/gave up after 3 attempts: connect ECONNREFUSED/)
  })
})
