// The krake-hooks command as users run it: the built dist/cli/main.js in a child process.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { injectHook, parseManifests, stringifyManifests } from '../../src/index.js'
import { fixture, fixtureTls, root } from '../helpers.js'

const MAIN = join(root, 'dist/cli/main.js')
let dir: string

function cli(args: string[], input = '', cwd = dir) {
  // a timeout of its own: a command that hangs (on a FIFO, say) fails its test, never the worker
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, input, encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal }
}

const CONFIG = `apiVersion: krake-hooks/v1alpha1
kind: HookConfig
metadata:
  name: complete-hook
spec:
  kind: complete
  app: {name: demo, namespace: secondary}
  apiEndpoint: https://krake-api:8443
  tokenFile: token.txt
  tls:
    caBundleFile: ca-bundle.pem
    certFile: cert.pem
    keyFile: key.pem
options:
  onConflict: error
`

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'krake-hooks-cli-'))
  const tls = fixtureTls()
  writeFileSync(join(dir, 'ca-bundle.pem'), tls.caBundlePem)
  writeFileSync(join(dir, 'cert.pem'), tls.certPem)
  writeFileSync(join(dir, 'key.pem'), tls.keyPem)
  writeFileSync(join(dir, 'token.txt'), 'cli-token-0123456789abcdefghijklmnopqrstuvw\n')
  writeFileSync(join(dir, 'hook.yaml'), CONFIG)
  writeFileSync(join(dir, 'job.yaml'), fixture('../../examples/manifests/job.yaml'))
  writeFileSync(join(dir, 'nginx.yaml'), fixture('../../examples/manifests/nginx.yaml'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const expected = (...files: string[]) =>
  stringifyManifests(
    injectHook(
      files.flatMap((f) => parseManifests(fixture(`../../examples/manifests/${f}`))),
      {
        kind: 'complete',
        app: { name: 'demo', namespace: 'secondary' },
        apiEndpoint: 'https://krake-api:8443',
        token: 'cli-token-0123456789abcdefghijklmnopqrstuvw',
        tls: fixtureTls(),
      },
      { onConflict: 'error' },
    ).manifests,
  )

describe('krake-hooks inject --config HOOK.yaml [FILE...]', () => {
  it('hooks the files, in order, and prints the YAML on stdout (token and TLS read from files)', () => {
    const r = cli(['inject', '--config', 'hook.yaml', 'job.yaml', 'nginx.yaml'])
    expect(r.stderr).toBe(
      'krake-hooks: info: complete hook: hooked 2 workloads (2 containers), added 1 object; left alone 1 object: 1 not a workload, 0 opted out, 0 hooked already\n',
    )
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(expected('job.yaml', 'nginx.yaml'))
  })

  it('--references-only writes manifests fit for Git; --secrets-file puts the Secrets holding the values in a 0600 file', () => {
    const token = readFileSync(join(dir, 'token.txt'), 'utf8').trim()
    const keyLine = fixtureTls().keyPem.split('\n')[1]!
    const secrets = join(dir, 'secrets.yaml')
    writeFileSync(secrets, 'old\n', { mode: 0o644 }) // an existing file gets mode 0600 before a byte is written
    const r = cli(['inject', '-c', 'hook.yaml', '--references-only', '--secrets-file', secrets, 'job.yaml'])
    expect(r.code).toBe(0)
    for (const secret of [token, 'PRIVATE KEY', keyLine]) expect(r.stdout.includes(secret)).toBe(false)
    const [job] = parseManifests(r.stdout) as Array<Record<string, any>>
    expect(job!.spec.template.spec.containers[0].env[0].valueFrom).toEqual({
      secretKeyRef: { name: 'demo-krake-token', key: 'token' },
    })
    expect(parseManifests(r.stdout)).toHaveLength(1) // the Job alone: its Secrets are not in the output
    expect(statSync(secrets).mode & 0o777).toBe(0o600)
    const written = parseManifests(readFileSync(secrets, 'utf8')) as Array<Record<string, any>>
    expect(written.map((o) => [o.kind, o.metadata.name])).toEqual([
      ['Secret', 'demo-krake-cert'],
      ['Secret', 'demo-krake-token'],
    ])
    expect(r.stderr).toContain(`2 Secret(s) holding the token or the key written to ${secrets} (mode 0600)`)
    // without a file the Secrets are left out, and it says so
    const left = cli(['inject', '-c', 'hook.yaml', '--references-only', 'job.yaml'])
    expect([left.code, left.stdout.includes(token), left.stderr.includes('left out')]).toEqual([0, false, true])
    // a HookConfig that asks for the token as a value cannot be written as references only
    writeFileSync(join(dir, 'inline.yaml'), CONFIG.replace('  onConflict: error', '  tokenFrom: value'))
    const refused = cli(['inject', '-c', 'inline.yaml', '--references-only', 'job.yaml'])
    expect([refused.code, refused.stdout]).toEqual([1, ''])
    expect(refused.stderr).toContain('ERR_INVALID_CONFIG at /options/tokenFrom')
  })

  it('check, remove and inject read a HookConfig alike: an unknown field is refused by each with the same message and exit 1', () => {
    writeFileSync(
      join(dir, 'unknown.yaml'),
      CONFIG.replace('  tokenFile: token.txt\n', '  tokenFile: token.txt\n  colour: blue\n'),
    )
    const runs = ['inject', 'check', 'remove'].map((command) => cli([command, '-c', 'unknown.yaml', 'job.yaml']))
    expect(runs.map((r) => [r.code, r.stdout])).toEqual([
      [1, ''],
      [1, ''],
      [1, ''],
    ])
    expect(runs[0]!.stderr).toMatch(/^krake-hooks: unknown\.yaml: ERR_INVALID_HOOK at \/spec\/colour: /)
    expect(new Set(runs.map((r) => r.stderr)).size).toBe(1)
  })

  it('reads stdin when no file is given', () => {
    const r = cli(['inject', '-c', 'hook.yaml'], fixture('../../examples/manifests/job.yaml'))
    expect([r.code, r.stdout]).toEqual([0, expected('job.yaml')])
  })

  it('reports results on stderr and still succeeds', () => {
    writeFileSync(join(dir, 'http.yaml'), CONFIG.replace('https://krake-api:8443', 'http://krake-api:8080'))
    const r = cli(['inject', '--config', 'http.yaml', 'job.yaml'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe(
      "krake-hooks: warning: the endpoint's scheme http was changed to https because TLS is on\n" +
        'krake-hooks: info: complete hook: hooked 1 workload (1 container), added 1 object; left alone 0 objects: 0 not a workload, 0 opted out, 0 hooked already\n',
    )
  })

  it('a bad manifest: exit 1, nothing on stdout, the file, document, code and path on stderr', () => {
    writeFileSync(
      join(dir, 'bad.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: s}\n---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {template: {spec: {containers: []}}}\n',
    )
    const r = cli(['inject', '--config', 'hook.yaml', 'job.yaml', 'bad.yaml'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(
      'krake-hooks: bad.yaml: document 1: ERR_INVALID_WORKLOAD at /spec/template/spec/containers: spec.template.spec.containers must be a non-empty array of containers\n',
    )
  })

  it('a YAML error names the file, document and line', () => {
    writeFileSync(join(dir, 'broken.yaml'), 'a: 1\n---\nb: [\n')
    const r = cli(['inject', '--config', 'hook.yaml', 'broken.yaml'])
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/^krake-hooks: broken\.yaml: ERR_YAML_SYNTAX at \/1: YAML error in document 1 at line \d+/)
  })

  it('a conflict refused by the config (onConflict: error) is ERR_CONFLICT with its path', () => {
    writeFileSync(
      join(dir, 'conflict.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env: [{name: KRAKE_TOKEN, value: mine}]\n',
    )
    const r = cli(['inject', '--config', 'hook.yaml', 'conflict.yaml'])
    expect([r.code, r.stdout]).toEqual([1, ''])
    expect(r.stderr).toMatch(
      /^krake-hooks: conflict\.yaml: document 0: ERR_CONFLICT at \/spec\/containers\/0\/env\/0: env var "KRAKE_TOKEN"/,
    )
  })

  it.each([
    [
      'no token',
      CONFIG.replace('  tokenFile: token.txt\n', ''),
      /ERR_INVALID_CONFIG at \/spec\/token: spec.token or spec.tokenFile is required/,
    ],
    [
      'token and tokenFile',
      CONFIG.replace('  tokenFile: token.txt\n', '  tokenFile: token.txt\n  token: x\n'),
      /ERR_INVALID_CONFIG at \/spec\/tokenFile: set spec\.token or tokenFile, not both/,
    ],
    [
      'a missing TLS file',
      CONFIG.replace('certFile: cert.pem', 'certFile: nope.pem'),
      /ERR_INVALID_CONFIG at \/spec\/tls\/certFile: .*cannot read "nope.pem" \(ENOENT\)/,
    ],
    [
      'a wrong kind',
      CONFIG.replace('kind: HookConfig', 'kind: Hook'),
      /ERR_INVALID_CONFIG at \/kind: expected apiVersion krake-hooks\/v1alpha1 and kind HookConfig/,
    ],
    [
      'a bad option',
      CONFIG.replace('onConflict: error', 'onConflict: merge'),
      /ERR_INVALID_OPTION at \/options\/onConflict: /,
    ],
    [
      'a bad endpoint',
      CONFIG.replace('https://krake-api:8443', 'krake-api:8443'),
      /ERR_INVALID_ENDPOINT at \/spec\/apiEndpoint: /,
    ],
    [
      'an unknown hook field',
      CONFIG.replace('  kind: complete', '  kind: complete\n  hookUser: x'),
      /ERR_INVALID_HOOK at \/spec\/hookUser: unknown field/,
    ],
    [
      'a certFile that holds a key',
      CONFIG.replace('certFile: cert.pem', 'certFile: key.pem'),
      /ERR_INVALID_PEM at \/spec\/tls\/certFile: expected only CERTIFICATE blocks/,
    ],
  ])('a config with %s: exit 1 and the code and path inside the config', (_, text, message) => {
    writeFileSync(join(dir, 'c.yaml'), text)
    const r = cli(['inject', '--config', 'c.yaml', 'job.yaml'])
    expect([r.code, r.stdout]).toEqual([1, ''])
    expect(r.stderr).toMatch(/^krake-hooks: c\.yaml: /)
    expect(r.stderr).toMatch(message)
  })

  it('usage errors exit 2', () => {
    expect(cli(['inject']).code).toBe(2)
    expect(cli(['nope']).code).toBe(2)
    expect(cli([]).code).toBe(2)
    expect(cli(['--help'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage:/) })
  })
})

describe('krake-hooks token / hash', () => {
  it('token prints a fresh 43-character token; hash prints its sha256 digest', () => {
    const t = cli(['token'])
    expect(t.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/)
    expect(cli(['token']).stdout).not.toBe(t.stdout)
    expect(cli(['hash'], 'abc\n').stdout).toBe(
      'sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n',
    )
    expect(cli(['hash'], '').code).toBe(1)
  })
})

describe('krake-hooks fn (the command; the function itself is tested in krm.test.ts)', () => {
  it('reads a ResourceList on stdin and writes one on stdout; exit 1 with an error result', () => {
    const list = (token: string) =>
      `apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nfunctionConfig:\n  apiVersion: krake-hooks/v1alpha1\n  kind: HookConfig\n  spec: {kind: complete, app: {name: a, namespace: n}, apiEndpoint: 'http://k', token: ${token}}\nitems:\n  - {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: [{name: c}]}}\n`
    const ok = cli(['fn'], list('t'))
    expect([ok.code, ok.stderr]).toEqual([0, ''])
    expect((parseManifests(ok.stdout)[0] as Record<string, any>).items[0].spec.containers[0].env[0]).toEqual({
      name: 'KRAKE_TOKEN',
      value: 't',
    })
    const bad = cli(['fn'], list('42'))
    expect(bad.code).toBe(1)
    expect((parseManifests(bad.stdout)[0] as Record<string, any>).results[0].severity).toBe('error')
  })

  it('input that is not one ResourceList: exit 1 with the reason on stderr', () => {
    const r = cli(['fn'], 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('krake-hooks fn: ERR_INVALID_CONFIG: a KRM function reads one ResourceList on stdin\n')
  })
})

describe("krake-hooks: the command's manners (issue 11)", () => {
  it('--version and --help on every level, exit 0', () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` })
    for (const command of ['inject', 'fn', 'token', 'hash', 'signal']) {
      expect(cli([command, '--help'])).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(new RegExp(`^usage: krake-hooks ${command}`)),
      })
      expect(cli([command, '--version'])).toMatchObject({ code: 0, stdout: `${version}\n` })
    }
  })

  it('an unknown option or a missing value prints the usage and exits 2, never a stack trace', () => {
    for (const argv of [
      ['inject', '--nope'],
      ['inject', '--config'],
      ['fn', '--nope'],
      ['inject', '--config', 'c.yaml', '--load-restrictor', 'sometimes'],
      ['token', 'extra'],
      ['hash', 'x'],
    ]) {
      const r = cli(argv)
      expect([argv, r.code]).toEqual([argv, 2])
      expect(r.stderr).toMatch(/usage: krake-hooks/)
      expect(r.stderr).not.toMatch(/\n\s+at /)
    }
  })
})

describe('krake-hooks inject: the files a HookConfig names stay inside the working directory (issue 11)', () => {
  let base: string
  let outside: string
  const config = (tokenFile: string) =>
    `apiVersion: krake-hooks/v1alpha1\nkind: HookConfig\nspec: {kind: complete, app: {name: a, namespace: n}, apiEndpoint: 'http://k', tokenFile: ${JSON.stringify(tokenFile)}}\n`
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c}]}\n'
  function injectWith(tokenFile: string, extra: string[] = []) {
    writeFileSync(join(base, 'hook.yaml'), config(tokenFile))
    const r = spawnSync(process.execPath, [MAIN, 'inject', '--config', 'hook.yaml', ...extra], {
      cwd: base,
      input: pod,
      encoding: 'utf8',
      timeout: 10_000,
    })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal }
  }
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'krake-hooks-base-'))
    outside = mkdtempSync(join(tmpdir(), 'krake-hooks-outside-'))
    writeFileSync(join(base, 'token'), 'inside-token_0123456789abcdefghijklmnopqrst\n')
    writeFileSync(join(base, '..token'), 'dotted-token_0123456789abcdefghijklmnopqrst\n')
    writeFileSync(join(outside, 'secret'), 'outside-secret_0123456789abcdefghijklmnopqr\n')
    symlinkSync(join(outside, 'secret'), join(base, 'link-out'))
    symlinkSync(join(base, 'token'), join(base, 'link-in'))
    mkdirSync(join(base, 'dir'))
    writeFileSync(join(base, 'big'), Buffer.alloc(2 * 1024 * 1024, 0x61))
    execFileSync('mkfifo', [join(base, 'fifo')])
  })
  afterAll(() => {
    rmSync(base, { recursive: true, force: true })
    rmSync(outside, { recursive: true, force: true })
  })

  it('a file named ..token inside the base directory is inside (issue 16)', () => {
    const r = injectWith('..token')
    expect([r.code, r.stderr]).toEqual([
      0,
      'krake-hooks: info: complete hook: hooked 1 workload (1 container), added 0 objects; left alone 0 objects: 0 not a workload, 0 opted out, 0 hooked already\n',
    ])
    expect(r.stdout).toContain('dotted-token')
  })

  it('a good file, and a symlink that stays inside: the token is read', () => {
    for (const file of ['token', './link-in']) {
      const r = injectWith(file)
      expect([file, r.code]).toEqual([file, 0])
      expect(r.stdout).toContain('inside-token')
    }
  })

  it.each([
    ['a path through ..', () => `../${basename(outside)}/secret`, /is outside the base directory/],
    ['an absolute path', () => join(outside, 'secret'), /is outside the base directory/],
    ['a symlink that leads out', () => 'link-out', /is outside the base directory/],
    ['a directory', () => 'dir', /is not a regular file/],
    ['/dev/zero', () => '/dev/zero', /is outside the base directory/],
    ['a FIFO (must not hang)', () => 'fifo', /is not a regular file/],
    ['a 2 MiB file', () => 'big', /is larger than 1048576 bytes/],
    ['a missing file', () => 'nope', /cannot read "nope" \(ENOENT\)/],
  ])('%s is refused fast with exit 1, naming the key and never quoting the content', (_, file, message) => {
    const r = injectWith(file())
    // it ended by itself: a command that hangs (on the FIFO) is killed by spawnSync's timeout, and has a signal
    expect(r.signal).toBeNull()
    expect([r.code, r.stdout]).toEqual([1, ''])
    expect(r.stderr).toMatch(/ERR_INVALID_CONFIG at \/spec\/tokenFile: /)
    expect(r.stderr).not.toContain('/spec/tokenFile: /spec/tokenFile') // the path once, never again in the message (issue 15)
    expect(r.stderr).toMatch(message)
    expect(r.stderr).not.toContain('outside-secret')
    expect(r.stderr).not.toContain('aaaa')
  })

  it('--load-restrictor none reads files outside, on request; still regular files only', () => {
    const r = injectWith(join(outside, 'secret'), ['--load-restrictor', 'none'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('outside-secret')
    expect(injectWith('/dev/zero', ['--load-restrictor', 'LoadRestrictionsNone'])).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is not a regular file/),
    })
  })
})

describe('krake-hooks inject --config FILE reads FILE as a regular file of at most 1 MiB (issue 16)', () => {
  beforeAll(() => {
    mkdirSync(join(dir, 'config-dir'), { recursive: true })
    execFileSync('mkfifo', [join(dir, 'config-fifo')])
  })

  it.each([
    ['a directory', 'config-dir', /ERR_INVALID_CONFIG: "config-dir" is not a regular file/],
    ['a FIFO (must not hang)', 'config-fifo', /ERR_INVALID_CONFIG: "config-fifo" is not a regular file/],
    ['/dev/zero (must not abort)', '/dev/zero', /ERR_INVALID_CONFIG: "\/dev\/zero" is not a regular file/],
    ['a missing file', 'nope.yaml', /ERR_INVALID_CONFIG: cannot read "nope.yaml" \(ENOENT\)/],
  ])('%s is exit 1 with one line naming it, never a stack', (_, config, message) => {
    const r = cli(['inject', '--config', config, 'job.yaml'])
    // it ended by itself: a command that hangs (on the FIFO) is killed by cli()'s timeout, with no exit code
    expect(r.signal).toBeNull()
    expect([r.code, r.stdout]).toEqual([1, ''])
    expect(r.stderr).toMatch(new RegExp(`^krake-hooks: ${config.replace(/\//g, '\\/')}: `))
    expect(r.stderr).toMatch(message)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})

describe('inject, remove and check read their manifest inputs bounded (issue 33)', () => {
  it.each(['inject', 'remove', 'check'])(
    '%s: /dev/zero as a file is refused unread, exit 1 with one line',
    (command) => {
      // spawnSync's own timeout: a regression that reads forever fails here instead of hanging the worker
      const r = spawnSync(process.execPath, [MAIN, command, '-c', 'hook.yaml', '/dev/zero'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30_000,
      })
      expect([r.status, r.signal, r.stdout]).toEqual([1, null, ''])
      expect(r.stderr).toBe('krake-hooks: /dev/zero is not a regular file or a pipe\n')
    },
  )

  it('a pipe that never ends (cat /dev/zero) is read up to 64 MiB and refused, not held', () => {
    const r = spawnSync('sh', ['-c', `cat /dev/zero | "${process.execPath}" "${MAIN}" inject -c hook.yaml`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect([r.status, r.signal, r.stdout]).toEqual([1, null, ''])
    expect(r.stderr).toBe('krake-hooks: stdin is larger than 67108864 bytes\n')
  })
})
