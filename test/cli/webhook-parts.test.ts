import { execFileSync } from 'node:child_process'
// The webhook's parts in this process (serveWebhook, loadHookDir,
// webhookConfiguration), where the command's tests (webhook.test.ts) see them
// only from outside: the edge cases of reading the directory and the
// certificate, and the drain.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { webhookConfiguration, webhookObjects } from '../../src/cli/webhook/config.js'
import { hookDirChanged, loadHookDir } from '../../src/cli/webhook/hook-dir.js'
import { serveWebhook, type Webhook } from '../../src/cli/webhook/serve.js'
import { stringifyManifests } from '../../src/index.js'
import { podFromReplicaSet, review } from '../admission/reviews.js'
import { spec, TOKEN } from '../helpers.js'
import { makePki, type Pki } from '../pki.js'

let pki: Pki
let dir: string
const config = (name: string, over: Record<string, unknown> = {}) =>
  stringifyManifests([
    {
      apiVersion: 'krake-hooks/v1alpha1',
      kind: 'HookConfig',
      metadata: { name },
      spec: {
        kind: 'complete',
        app: { name, namespace: 'batch' },
        apiEndpoint: 'http://krake:8080',
        token: TOKEN,
        ...over,
      },
    },
  ])

beforeAll(() => {
  pki = makePki()
  dir = mkdtempSync(join(tmpdir(), 'krake-hooks-webhook-parts-'))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
  pki?.cleanup()
})

function hooksDir(name: string, files: Record<string, string>): string {
  const path = join(dir, name)
  mkdirSync(path)
  for (const [file, content] of Object.entries(files)) writeFileSync(join(path, file), content)
  return path
}

describe('loadHookDir(dir)', () => {
  it('reads the HookConfig files in name order, skipping dot-entries, other files and directories named like one', () => {
    const path = hooksDir('mixed', {
      'b.yaml': config('b'),
      'a.yml': config('a'),
      'notes.txt': 'x',
      '.hidden.yaml': 'x',
    })
    mkdirSync(join(path, 'dir.yaml'))
    const set = loadHookDir(path)
    expect(set.files).toEqual(['a.yml', 'b.yaml'])
    expect(set.bindings.map((b) => b.hook.app.name)).toEqual(['a', 'b'])
    expect(loadHookDir(path).digest).toBe(set.digest)
  })

  describe('given the last reading, reads again only what changed (issue 33)', () => {
    // files written by a test are new; the clock is moved past the settling time instead of waiting
    const settled = () => {
      vi.useFakeTimers({ toFake: ['Date'] })
      vi.setSystemTime(Date.now() + 60_000)
    }
    afterEach(() => {
      vi.useRealTimers()
    })
    // a HookConfig whose token is read from `<name>.token` (an undefined token is left out of the YAML)
    const tokenFile = (name: string) => config(name, { token: undefined, tokenFile: `${name}.token` })

    it('nothing changed: the same set, nothing read or parsed again', () => {
      const path = hooksDir('idle', { 'a.yaml': config('a'), 'b.yaml': config('b') })
      settled()
      const first = loadHookDir(path)
      expect(loadHookDir(path, first)).toBe(first)
      expect(loadHookDir(path, loadHookDir(path, first))).toBe(first)
    })

    it('hookDirChanged (what the webhook asks on every reload, with async stat calls) says no when idle, yes for each kind of change', async () => {
      const path = hooksDir('asked', { 'a.yaml': tokenFile('a'), 'a.token': TOKEN.slice(0, 43) })
      settled()
      const first = loadHookDir(path)
      expect(await hookDirChanged(path, first)).toBe(false)
      writeFileSync(join(path, 'a.token'), TOKEN.slice(1, 44))
      expect(await hookDirChanged(path, first)).toBe(true) // a file a HookConfig names
      const second = loadHookDir(path, first)
      expect(await hookDirChanged(path, second)).toBe(false)
      mkdirSync(join(path, 'dir.yaml'))
      expect(await hookDirChanged(path, second)).toBe(true) // a name added, even one that is no file
      const third = loadHookDir(path, second)
      expect(await hookDirChanged(path, third)).toBe(false)
      rmSync(join(path, 'a.yaml'))
      expect(await hookDirChanged(path, third)).toBe(true) // a name gone
    })

    it('a file just written is read again next time (it may have changed while read), then reused', () => {
      const path = hooksDir('fresh', { 'a.yaml': config('a') })
      const first = loadHookDir(path)
      const second = loadHookDir(path, first)
      expect(second).not.toBe(first)
      expect(second.digest).toBe(first.digest)
      settled()
      const third = loadHookDir(path, second)
      expect(loadHookDir(path, third)).toBe(third)
    })

    it('a token file a HookConfig names, changed: that HookConfig is read again', () => {
      const token2 = 'second-token_0123456789abcdefghijklmnopqrst'
      const path = hooksDir('named', { 'a.yaml': tokenFile('a'), 'a.token': TOKEN.slice(0, 43), 'b.yaml': config('b') })
      settled()
      const first = loadHookDir(path)
      writeFileSync(join(path, 'a.token'), token2)
      const next = loadHookDir(path, first)
      expect(next.digest).not.toBe(first.digest)
      expect(next.bindings.map((b) => b.hook.token)).toEqual([token2, TOKEN])
      expect(next.cache.get('b.yaml')).toBe(first.cache.get('b.yaml')) // b was not read again
    })

    it('a mounted Secret updated as the kubelet does it (the ..data symlink swapped): read again; a file added or removed too', () => {
      const path = join(dir, 'mounted')
      mkdirSync(join(path, '..2026_12_07_a'), { recursive: true })
      writeFileSync(join(path, '..2026_12_07_a', 'a.yaml'), config('a'))
      symlinkSync('..2026_12_07_a', join(path, '..data'))
      symlinkSync('..data/a.yaml', join(path, 'a.yaml'))
      settled()
      const first = loadHookDir(path)
      mkdirSync(join(path, '..2026_12_07_b'))
      writeFileSync(join(path, '..2026_12_07_b', 'a.yaml'), config('a', { apiEndpoint: 'http://krake-2:8080' }))
      symlinkSync('..2026_12_07_b', join(path, '..data_tmp'))
      renameSync(join(path, '..data_tmp'), join(path, '..data')) // the atomic swap
      const swapped = loadHookDir(path, first)
      expect(swapped.bindings[0]?.hook.apiEndpoint).toBe('http://krake-2:8080')
      writeFileSync(join(path, 'b.yaml'), config('b'))
      const added = loadHookDir(path, swapped)
      expect(added.files).toEqual(['a.yaml', 'b.yaml'])
      expect(added.cache.get('a.yaml')).toBe(swapped.cache.get('a.yaml'))
      rmSync(join(path, 'b.yaml'))
      expect(loadHookDir(path, added).files).toEqual(['a.yaml'])
    })
  })

  it('names the file of each fault: bad YAML, two documents, a hook injectHook refuses, two of one kind, a missing directory', () => {
    const fault = (files: Record<string, string>) => {
      try {
        loadHookDir(hooksDir(`f${Math.random().toString(36).slice(2)}`, files))
        return 'loaded'
      } catch (e) {
        return (e as Error).message
      }
    }
    expect(fault({ 'x.yaml': 'a: [' })).toMatch(/^x\.yaml: ERR_YAML_SYNTAX/)
    expect(fault({ 'x.yaml': config('a') + '---\n' + config('b') })).toBe(
      'x.yaml: ERR_INVALID_CONFIG: holds 2 documents, not one HookConfig',
    )
    expect(fault({ 'x.yaml': config('a', { apiEndpoint: 'ftp://k' }) })).toMatch(
      /^x\.yaml: ERR_INVALID_ENDPOINT at \/spec\/apiEndpoint/,
    )
    expect(fault({ 'x.yaml': config('a'), 'y.yaml': config('a') })).toBe(
      'y.yaml: two complete hooks for the application batch/a',
    )
    expect(() => loadHookDir(join(dir, 'absent'))).toThrow(/^cannot read the directory/)
    expect(fault({ 'x.yaml': config('a', { token: `${TOKEN} "` }) }).includes(TOKEN)).toBe(false)
  })
})

describe('webhookConfiguration and webhookObjects', () => {
  it('leaves out the webhook namespace once even when it is a system one, and refuses a CA that is not PEM', () => {
    const c = webhookConfiguration({
      service: { namespace: 'kube-system', name: 'w' },
      caPem: pki.read('root.pem'),
      path: '/mutate',
      failurePolicy: 'Fail',
      port: 443,
    }) as unknown as { webhooks: Array<{ namespaceSelector: { matchExpressions: Array<{ values: string[] }> } }> }
    expect(c.webhooks[0]!.namespaceSelector.matchExpressions[0]!.values).toEqual([
      'kube-system',
      'kube-public',
      'kube-node-lease',
    ])
    expect(() =>
      webhookConfiguration({
        service: { namespace: 'a', name: 'b' },
        caPem: 'x',
        path: '/m',
        failurePolicy: 'Fail',
        port: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_PEM' }) as Error)
  })

  it("gives the token's Secret for a hook without TLS (the webhook's default is tokenFrom secret), none with the token as a value", () => {
    expect(webhookObjects(spec(), { tokenFrom: 'value' }, 'batch')).toEqual([])
    expect(webhookObjects(spec(), {}, undefined).map((o) => [o.kind, o.metadata?.namespace])).toEqual([
      ['Secret', undefined],
    ])
  })
})

describe('serveWebhook(options)', () => {
  let webhook: Webhook
  const logs: Array<Record<string, unknown>> = []
  let tlsDir: string
  let hooks: string

  beforeAll(async () => {
    tlsDir = hooksDir('tls', { 'tls.crt': pki.read('server.pem'), 'tls.key': pki.read('server-key.pem') })
    hooks = hooksDir('served', { 'report.yaml': config('report') })
    webhook = await serveWebhook({
      tlsCertFile: join(tlsDir, 'tls.crt'),
      tlsKeyFile: join(tlsDir, 'tls.key'),
      hooksDir: hooks,
      address: '127.0.0.1:0',
      reloadSeconds: 0.05,
      drainSeconds: 2,
      log: (e) => logs.push(e),
    })
  })

  const call = (method: string, path: string, body?: string, headers: Record<string, string | number> = {}) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: webhook.address.port,
          servername: 'localhost',
          path,
          method,
          ca: pki.read('root.pem'),
          agent: false,
          headers: { 'content-type': 'application/json', ...headers },
        },
        (res) => {
          let text = ''
          res.on('data', (c: Buffer) => (text += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  const settle = () => new Promise((r) => setTimeout(r, 200))

  it('serves /metrics on its own port when given no metrics address, and logs a refusal without the token', async () => {
    const metrics = await call('GET', '/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.body).toContain('krake_hooks_webhook_hook_configs 1')
    const denied = await call(
      'POST',
      '/mutate',
      JSON.stringify(review(podFromReplicaSet(undefined, { 'krake-hooks/app': 'other' }), { namespace: 'batch' })),
    )
    expect(JSON.parse(denied.body).response.status.code).toBe(400)
    expect(logs.find((l) => l.msg === 'review refused')).toMatchObject({
      level: 'warning',
      code: 400,
      namespace: 'batch',
    })
    expect(JSON.stringify(logs).includes(TOKEN)).toBe(false)
  })

  it('answers a body that is not a v1 AdmissionReview with a uid 400, never 500, and logs bounded printable values', async () => {
    const pod = podFromReplicaSet(undefined, { 'krake-hooks/app': 'other' })
    for (const body of [
      'null',
      '[]',
      '"review"',
      JSON.stringify({ ...review(pod), apiVersion: 'admission.k8s.io/v1beta1' }),
      JSON.stringify({ ...review(pod), kind: 'ConversionReview' }),
      // a uid that is a deeply nested array (its JSON.stringify would overflow the stack)
      `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":${'['.repeat(20000)}${']'.repeat(20000)}}}`,
    ]) {
      const res = await call('POST', '/mutate', body)
      expect([body.slice(0, 40), res.status]).toEqual([body.slice(0, 40), 400])
    }
    // a refusal's log holds at most 64 printable characters of what the caller sent
    logs.length = 0
    const noisy = review(pod, { namespace: `batch\u0000${'x'.repeat(5000)}`, uid: `u\n${'y'.repeat(5000)}` })
    expect((await call('POST', '/mutate', JSON.stringify(noisy))).status).toBe(200)
    const refused = logs.find((l) => l.msg === 'review refused')!
    expect(String(refused.uid)).toMatch(/^u\?y{62}\.\.\.$/)
    expect(String(refused.namespace)).toMatch(/^batch\?x{58}\.\.\.$/)
    expect(JSON.stringify(logs).length).toBeLessThan(2000)
  })

  it('refuses a client waiting for 100 Continue with a declared body over the limit before it sends it', async () => {
    const { status, continued } = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false
      const req = request({
        host: '127.0.0.1',
        port: webhook.address.port,
        servername: 'localhost',
        path: '/mutate',
        method: 'POST',
        ca: pki.read('root.pem'),
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': 10 * 1024 * 1024, expect: '100-continue' },
      })
      req.on('continue', () => (continued = true))
      req.on('response', (res) => res.resume().on('end', () => resolve({ status: res.statusCode ?? 0, continued })))
      req.on('error', reject)
      req.flushHeaders() // the headers go now; the body waits for a 100 Continue that never comes
    })
    expect([status, continued]).toEqual([413, false])
  })

  it('refuses a serving key replaced by a link to /dev/zero or by a FIFO at once, and keeps the last good pair', async () => {
    const key = join(tlsDir, 'tls.key')
    const stays = 'serving certificate not reloaded: the last good one stays'
    try {
      for (const [what, replace] of [
        ['/dev/zero', () => symlinkSync('/dev/zero', key)],
        ['a FIFO', () => execFileSync('mkfifo', [key])],
      ] as const) {
        logs.length = 0
        rmSync(key)
        replace()
        await settle()
        // the event loop was never blocked (a FIFO's open waits for no writer) and memory never grew
        expect([what, (await call('GET', '/healthz')).status]).toEqual([what, 200])
        const failed = logs.filter((l) => l.msg === stays)
        expect([what, failed.length, String(failed[0]?.error)]).toEqual([
          what,
          1,
          expect.stringMatching(/is not a regular file$/),
        ])
        // the good key again, so that the next failure is told afresh
        rmSync(key)
        writeFileSync(key, pki.read('server-key.pem'))
        await settle()
      }
    } finally {
      rmSync(key, { force: true })
      writeFileSync(key, pki.read('server-key.pem'))
      await settle()
      logs.length = 0 // the tests after this one count their own log lines
    }
  })

  it('answers 413 to a body over its limit before reading it', async () => {
    const res = await call('POST', '/mutate', '', { 'content-length': 5 * 1024 * 1024 })
    expect(res.status).toBe(413)
  })

  it('keeps the last good certificate when the new files do not make a pair, and logs it once', async () => {
    writeFileSync(join(tlsDir, 'tls.key'), pki.read('server-2-key.pem'))
    await settle()
    await settle()
    expect((await call('GET', '/healthz')).status).toBe(200)
    const failed = logs.filter((l) => l.msg === 'serving certificate not reloaded: the last good one stays')
    expect(failed).toHaveLength(1)
    writeFileSync(join(tlsDir, 'tls.key'), pki.read('server-key.pem'))
  })

  it('logs a directory that breaks once, and the reload once it is good again', async () => {
    writeFileSync(join(hooks, 'report.yaml'), 'a: [')
    await settle()
    writeFileSync(join(hooks, 'report.yaml'), config('report', { apiEndpoint: 'http://krake:9090' }))
    await settle()
    expect(logs.filter((l) => String(l.msg).startsWith('hook configurations not reloaded'))).toHaveLength(1)
    expect(logs.filter((l) => l.msg === 'hook configurations reloaded')).toHaveLength(1)
    symlinkSync(join(hooks, 'report.yaml'), join(hooks, 'link.yaml')) // the same app and kind twice
    await settle()
    expect(logs.filter((l) => String(l.msg).startsWith('hook configurations not reloaded'))).toHaveLength(2)
  })

  it('drains: the request in flight is answered, and a second drain is a no-op', async () => {
    const body = JSON.stringify(review(podFromReplicaSet(), { namespace: 'batch' }))
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: webhook.address.port,
          servername: 'localhost',
          path: '/mutate',
          method: 'POST',
          ca: pki.read('root.pem'),
          agent: false,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        },
      )
      req.on('error', reject)
      req.write(body.slice(0, 10))
      setTimeout(() => {
        void webhook.drain()
        setTimeout(() => req.end(body.slice(10)), 100)
      }, 100)
    })
    expect(await inFlight).toBe(200)
    await webhook.drain()
    expect(logs.filter((l) => l.msg === 'drained')).toHaveLength(1)
  })
})
