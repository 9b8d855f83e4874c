// The packed tarball in an empty project, as users get it: plain Node ESM
// (with no Reflect polyfill of its own) and TypeScript with types resolved.
import { execFileSync, spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { root } from './helpers.js'

let project: string
/** Whether any process of the group `pgid` is alive (signal 0 asks without sending). */
const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/** Waits (polling, up to 10 s) until no process of the group `pgid` is left; says whether none is. */
async function waitUntilGone(pgid: number): Promise<boolean> {
  for (let i = 0; i < 200 && groupAlive(pgid); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  return !groupAlive(pgid)
}

const sh = (cmd: string, args: string[], cwd: string) =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error', npm_config_fund: 'false', npm_config_audit: 'false' },
  })

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'krake-hooks-consumer-'))
  // npm test has built dist/; packing without prepack keeps other test files from seeing it rebuilt mid-run
  sh('npm', ['pack', '--ignore-scripts', '--pack-destination', project], root)
  const tarball = readdirSync(project).find((f) => f.endsWith('.tgz'))!
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  sh('npm', ['install', '--prefer-offline', '--no-package-lock', join(project, tarball)], project)
}, 240_000)
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true })
})

describe('the packed package in an empty project', () => {
  it('ships dist with .d.ts, the LICENSE and README, and no tests or sources', () => {
    const files = sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root)
    const listed = (JSON.parse(files) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path)
    expect(listed).toContain('dist/index.js')
    expect(listed).toContain('dist/index.d.ts')
    expect(listed).toContain('LICENSE')
    expect(listed).toContain('README.md')
    expect(listed.filter((p) => p.startsWith('test/') || p.startsWith('src/'))).toEqual([])
  })

  it('source maps carry their sources (nothing points at files that do not ship), and no declaration maps ship', () => {
    const files = sh('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], root)
    const listed = (JSON.parse(files) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path)
    expect(listed.filter((p) => p.endsWith('.d.ts.map'))).toEqual([])
    const maps = listed.filter((p) => p.endsWith('.js.map'))
    expect(maps.length).toBeGreaterThan(10)
    for (const map of maps) {
      const m = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[]; sourcesContent?: string[] }
      expect([map, m.sourcesContent?.length]).toEqual([map, m.sources.length])
    }
  })

  it(`engines.node says the Node that runs it: >= 20.19, where require() of this ESM package works (issue 11)`, () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }
    expect(pkg.engines.node).toBe('>=20.19.0')
    writeFileSync(
      join(project, 'use.cjs'),
      `const { hookUrl } = require('krake-hooks')\nconsole.log(hookUrl('http://k', { namespace: 'n', name: 'a' }, 'complete', false))\n`,
    )
    expect(sh('node', ['use.cjs'], project).trim()).toBe('http://k/kubernetes/namespaces/n/applications/a/complete')
  })

  it("import { injectHook } from 'krake-hooks' works from plain Node ESM, and issuing a certificate needs no polyfill", () => {
    writeFileSync(
      join(project, 'use.mjs'),
      `import { injectHook, createHookToken, createCertificateIssuer, HookError } from 'krake-hooks'
import { generateKeyPairSync } from 'node:crypto'
if (globalThis.Reflect.getMetadata !== undefined) throw new Error('importing the package must set no global')
const { manifests } = injectHook([{ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { containers: [{ name: 'c' }] } } } }],
  { kind: 'complete', app: { name: 'a', namespace: 'n' }, apiEndpoint: 'http://k', token: createHookToken() })
console.log(manifests[0].spec.template.spec.containers[0].env.map((e) => e.name).join(','))
try { await createCertificateIssuer({ certPem: 'x', keyPem: 'y' }) } catch (e) { console.log(e instanceof HookError, e.code) }
`,
    )
    expect(sh('node', ['use.mjs'], project).trim().split('\n')).toEqual([
      'KRAKE_TOKEN,KRAKE_COMPLETE_URL',
      'true ERR_INVALID_PEM',
    ])
  })

  it('a fresh Node process issues a certificate through the package without importing any polyfill', () => {
    writeFileSync(
      join(project, 'issue.mjs'),
      `const before = typeof Reflect.getMetadata
const { issueHookCertificate } = await import('krake-hooks')
import { readFileSync } from 'node:fs'
const { certPem } = await issueHookCertificate({ issuerCertPem: readFileSync(process.argv[2], 'utf8'), issuerKeyPem: readFileSync(process.argv[3], 'utf8'), hookUser: 'system:complete-hook', keyAlgorithm: 'ECDSA-P256' })
console.log(before, certPem.startsWith('-----BEGIN CERTIFICATE-----'))
`,
    )
    const out = sh(
      'node',
      [
        'issue.mjs',
        join(root, 'test/fixtures/pki/intermediate.pem'),
        join(root, 'test/fixtures/pki/intermediate-key.pem'),
      ],
      project,
    )
    expect(out.trim()).toBe('undefined true')
  })

  it('each entry loads only what its audience needs; none sets a global on import', () => {
    // a resolve hook that writes down every module the process loads
    writeFileSync(
      join(project, 'trace-hooks.mjs'),
      `import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const found = await next(specifier, context)
  appendFileSync(process.env.TRACE_FILE, found.url + '\\n')
  return found
}
`,
    )
    writeFileSync(
      join(project, 'trace.mjs'),
      `import { register } from 'node:module'\nregister(new URL('./trace-hooks.mjs', import.meta.url))\n`,
    )
    const loaded = (entry: string) => {
      const file = join(project, `trace-${entry.replace(/\W/g, '_')}.txt`)
      writeFileSync(file, '')
      const out = execFileSync(
        'node',
        [
          '--import',
          './trace.mjs',
          '--input-type=module',
          '-e',
          `await import('${entry}'); console.log(typeof Reflect.getMetadata)`,
        ],
        { cwd: project, encoding: 'utf8', env: { ...process.env, TRACE_FILE: file } },
      )
      const packages = new Set(
        [...readFileSync(file, 'utf8').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].map((m) => m[1] ?? ''),
      )
      packages.delete('krake-hooks')
      return { global: out.trim(), packages: [...packages].sort() }
    }
    expect(loaded('krake-hooks/app')).toEqual({ global: 'undefined', packages: [] })
    // the API side reads client certificates with the ASN.1 schemas and what they stand on, nothing more
    const api = loaded('krake-hooks/api')
    const asn1 = ['@peculiar/asn1-schema', '@peculiar/asn1-x509', 'asn1js', 'pvtsutils', 'pvutils', 'tslib']
    expect(api.global).toBe('undefined')
    expect(api.packages).toContain('@peculiar/asn1-x509')
    expect(api.packages.filter((p) => !asn1.includes(p))).toEqual([])
    expect(loaded('krake-hooks/yaml')).toEqual({ global: 'undefined', packages: ['js-yaml'] })
    expect(loaded('krake-hooks/admission')).toEqual({ global: 'undefined', packages: [] })
    const rootEntry = loaded('krake-hooks')
    expect(rootEntry.global).toBe('undefined')
    expect(
      rootEntry.packages.filter((p) => ['@peculiar/x509', 'reflect-metadata', 'prom-client', 'diff'].includes(p)),
    ).toEqual([])
    expect(loaded('krake-hooks/krake').global).toBe('undefined')
  })

  it('TypeScript resolves the types (strict, NodeNext)', () => {
    writeFileSync(
      join(project, 'use.ts'),
      `import { injectHook, type HookSpec, type InjectResult, HookError, type HookErrorCode } from 'krake-hooks'
const hook: HookSpec = { kind: 'complete', app: { name: 'a', namespace: 'n' }, apiEndpoint: 'http://k', token: 't' }
const r: InjectResult = injectHook([], hook, { onConflict: 'error' })
const code: HookErrorCode = 'ERR_CONFLICT'
// @ts-expect-error: not an option
injectHook([], hook, { onConflict: 'merge' })
export { r, code, HookError }
`,
    )
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          noEmit: true,
          types: ['node'],
          typeRoots: [join(root, 'node_modules/@types')],
        },
        files: ['use.ts'],
      }),
    )
    expect(sh(join(root, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], project)).toBe('')
  })

  it('npx krake-hooks webhook serve runs from the package and answers /healthz over TLS; the installed command exits 0 on SIGTERM', async () => {
    const key = join(project, 'tls.key')
    const cert = join(project, 'tls.crt')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    )
    mkdirSync(join(project, 'hooks'), { recursive: true })
    const serve = [
      'webhook',
      'serve',
      '--tls-cert',
      cert,
      '--tls-key',
      key,
      '--hooks',
      'hooks',
      '--address',
      '127.0.0.1:0',
    ]
    // each in a process group of its own: npx's exec runs the command as a child of its own, which a
    // SIGTERM to npx alone left running after the test (found as an orphan webhook on the machine)
    const start = async (command: string, args: string[]) => {
      const child = spawn(command, args, { cwd: project, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
      const line = await new Promise<string>((resolve) => {
        let out = ''
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString()
          if (out.includes('\n')) resolve(out.split('\n')[0]!)
        })
      })
      const { address } = JSON.parse(line) as { address: number }
      return { child, exited, address }
    }
    const healthz = (port: number) =>
      new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, servername: 'localhost', path: '/healthz', ca: readFileSync(cert), agent: false },
          (res) => {
            res.resume()
            resolve(res.statusCode ?? 0)
          },
        )
        req.on('error', reject)
        req.end()
      })
    const refused = (port: number) =>
      healthz(port).then(
        () => 'answered',
        (e: unknown) => (e as NodeJS.ErrnoException).code, // cast: what node:https rejects with is a system error
      )
    const viaNpx = await start('npx', ['krake-hooks', ...serve])
    expect(await healthz(viaNpx.address)).toBe(200)
    // as a terminal's ^C or a container runtime stops it: the signal to the whole group, npx and the command
    process.kill(-viaNpx.child.pid!, 'SIGTERM')
    await viaNpx.exited
    expect(await waitUntilGone(viaNpx.child.pid!)).toBe(true) // npx and the webhook it ran, both ended
    expect(await refused(viaNpx.address)).toBe('ECONNREFUSED') // nothing of it is left listening
    // the command as an image's entrypoint runs it (examples/webhook/Dockerfile)
    const direct = await start(join(project, 'node_modules', '.bin', 'krake-hooks'), serve)
    expect(await healthz(direct.address)).toBe(200)
    direct.child.kill('SIGTERM')
    expect(await direct.exited).toBe(0)
    expect(await refused(direct.address)).toBe('ECONNREFUSED')
  }, 60_000)
})
