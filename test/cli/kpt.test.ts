// kpt (on the machine) driving `krake-hooks fn` as an exec function: `kpt fn
// eval --exec` with key=value pairs (a ConfigMap functionConfig) and `kpt fn
// render` with a Kptfile pipeline, with a ConfigMap and with a HookConfig.
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseManifests } from '../../src/index.js'
import { podSpecOf, root } from '../helpers.js'

type Obj = Record<string, any>
let work: string
let fn: string

const JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: report
  namespace: batch
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: report
        image: busybox
`

/** A fresh kpt package with the Job, a token file and, when given, a Kptfile and more files. */
function pkg(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(work, 'pkg-'))
  writeFileSync(join(dir, 'job.yaml'), JOB)
  writeFileSync(join(dir, 'token'), 'kpt-token-123_0123456789abcdefghijklmnopqrs\n')
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  return dir
}

function kpt(args: string[], cwd: string) {
  const r = spawnSync('kpt', args, { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, HOME: work } })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** The items of kpt's `-o stdout` ResourceList. */
const itemsOf = (stdout: string) => (parseManifests(stdout)[0] as Obj).items as Obj[]
const jobOf = (stdout: string) => itemsOf(stdout).find((i) => i.kind === 'Job')!

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'krake-hooks-kpt-'))
  fn = join(work, 'krake-hooks-fn')
  writeFileSync(fn, `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'dist/cli/main.js')}" fn "$@"\n`)
  chmodSync(fn, 0o755)
})
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('kpt and krake-hooks fn', () => {
  it('kpt fn eval --exec with key=value pairs hooks the Job', () => {
    const dir = pkg()
    const r = kpt(
      [
        'fn',
        'eval',
        '--exec',
        fn,
        '-o',
        'stdout',
        '.',
        '--',
        'kind=complete',
        'appName=report',
        'appNamespace=krake',
        'apiEndpoint=http://krake-api:8080',
        'tokenFile=token',
      ],
      dir,
    )
    expect(r.code).toBe(0)
    expect(podSpecOf(jobOf(r.stdout)).containers[0].env).toEqual([
      { name: 'KRAKE_TOKEN', value: 'kpt-token-123_0123456789abcdefghijklmnopqrs' },
      {
        name: 'KRAKE_COMPLETE_URL',
        value: 'http://krake-api:8080/kubernetes/namespaces/krake/applications/report/complete',
      },
    ])
  })

  it('kpt fn eval writes the hooked Job back into its file when no -o is given', () => {
    const dir = pkg()
    const r = kpt(
      [
        'fn',
        'eval',
        '--exec',
        fn,
        '.',
        '--',
        'kind=shutdown',
        'appName=report',
        'appNamespace=krake',
        'apiEndpoint=http://krake-api:8080',
        'token=inline',
      ],
      dir,
    )
    expect(r.code).toBe(0)
    const [job] = parseManifests(readFileSync(join(dir, 'job.yaml'), 'utf8')) as Obj[]
    expect(podSpecOf(job!).containers[0].env.map((e: Obj) => e.name)).toEqual([
      'KRAKE_SHUTDOWN_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
  })

  it('an error fails kpt with our message and the file of the item', () => {
    const dir = pkg({ 'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: []}\n' })
    const r = kpt(
      [
        'fn',
        'eval',
        '--exec',
        fn,
        '-o',
        'stdout',
        '--results-dir',
        join(dir, 'results'),
        '.',
        '--',
        'kind=complete',
        'appName=a',
        'appNamespace=n',
        'apiEndpoint=http://k',
        'token=t',
      ],
      dir,
    )
    expect(r.code).not.toBe(0)
    expect(r.stderr).toContain('ERR_INVALID_WORKLOAD')
    const results = readFileSync(join(dir, 'results', 'results.yaml'), 'utf8')
    expect(results).toMatch(/file:\s+path: pod\.yaml/)
  })

  it('kpt fn render runs the Kptfile pipeline: a mutator with configMap, and one with configPath to a HookConfig', () => {
    const kptfile = (mutator: string) =>
      `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\npipeline:\n  mutators:\n${mutator}`
    const withMap = pkg({
      Kptfile: kptfile(
        `  - exec: ${fn}\n    configMap: {kind: complete, appName: report, appNamespace: krake, apiEndpoint: 'http://krake-api:8080', tokenFile: token}\n`,
      ),
    })
    const a = kpt(['fn', 'render', '--allow-exec', '-o', 'stdout', '.'], withMap)
    expect(a.code).toBe(0)
    expect(podSpecOf(jobOf(a.stdout)).containers[0].env[0]).toEqual({
      name: 'KRAKE_TOKEN',
      value: 'kpt-token-123_0123456789abcdefghijklmnopqrs',
    })

    const hookConfig = `apiVersion: krake-hooks/v1alpha1\nkind: HookConfig\nmetadata:\n  name: hook\n  annotations: {config.kubernetes.io/local-config: 'true'}\nspec: {kind: shutdown, app: {name: report, namespace: krake}, apiEndpoint: 'http://krake-api:8080', tokenFile: token}\n`
    const withConfig = pkg({
      'hook.yaml': hookConfig,
      Kptfile: kptfile(`  - exec: ${fn}\n    configPath: hook.yaml\n`),
    })
    const b = kpt(['fn', 'render', '--allow-exec', '-o', 'stdout', '.'], withConfig)
    expect(b.code).toBe(0)
    expect(podSpecOf(jobOf(b.stdout)).containers[0].env.map((e: Obj) => e.name)).toEqual([
      'KRAKE_SHUTDOWN_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
  })

  it('kpt fn render with referencesOnly writes a package fit for Git: references in the Job, the Secret in a 0600 file outside', () => {
    const secrets = join(work, 'report-secrets.yaml')
    const hookConfig = `apiVersion: krake-hooks/v1alpha1\nkind: HookConfig\nmetadata:\n  name: hook\n  annotations: {config.kubernetes.io/local-config: 'true'}\nspec: {kind: complete, app: {name: report, namespace: batch}, apiEndpoint: 'http://krake-api:8080', tokenFile: token}\nreferencesOnly: {secretsFile: ${secrets}}\n`
    const dir = pkg({
      'hook.yaml': hookConfig,
      Kptfile: `apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: pkg\npipeline:\n  mutators:\n  - exec: ${fn}\n    configPath: hook.yaml\n`,
    })
    // kpt fn render with no -o writes the result back into the package's files
    const r = kpt(['fn', 'render', '--allow-exec', '.'], dir)
    expect(r.code).toBe(0)
    const job = parseManifests(readFileSync(join(dir, 'job.yaml'), 'utf8'))[0] as Obj
    expect(podSpecOf(job).containers[0].env[0]).toEqual({
      name: 'KRAKE_TOKEN',
      valueFrom: { secretKeyRef: { name: 'report-krake-token', key: 'token' } },
    })
    // nothing in the package holds the token, apart from the token file the user put there
    const written = readdirSync(dir).filter((f) => f !== 'token')
    for (const f of written)
      expect([f, readFileSync(join(dir, f), 'utf8').includes('kpt-token-123_0123456789abcdefghijklmnopqrs')]).toEqual([
        f,
        false,
      ])
    expect(statSync(secrets).mode & 0o777).toBe(0o600)
    const [secret] = parseManifests(readFileSync(secrets, 'utf8')) as Obj[]
    expect([secret!.kind, secret!.metadata.name]).toEqual(['Secret', 'report-krake-token'])
    expect(Buffer.from(secret!.data.token, 'base64').toString()).toBe('kpt-token-123_0123456789abcdefghijklmnopqrs')
  })
})
