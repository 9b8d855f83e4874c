// krake-hooks inject --output/--diff, remove and check, as users run them
// (dist/cli/main.js in a child process), each output read by the peer that
// consumes it: fast-json-patch for json-patch, kubectl for strategic and
// apply, GNU patch for --diff.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import jsonpatch from 'fast-json-patch'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { injectHook, parseManifests, stringifyManifests } from '../../src/index.js'
import { fixture, fixtureTls, root } from '../helpers.js'

type Obj = Record<string, any>
const MAIN = join(root, 'dist/cli/main.js')
let dir: string

function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: dir, input, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

const CONFIG = `apiVersion: krake-hooks/v1alpha1
kind: HookConfig
metadata: {name: complete-hook}
spec:
  kind: complete
  app: {name: demo, namespace: secondary}
  apiEndpoint: https://krake-api:8443
  token: cli-token-0123456789
  tls: {caBundleFile: ca-bundle.pem, certFile: cert.pem, keyFile: key.pem}
`
const hook = {
  kind: 'complete' as const,
  app: { name: 'demo', namespace: 'secondary' },
  apiEndpoint: 'https://krake-api:8443',
  token: 'cli-token-0123456789',
  tls: fixtureTls(),
}
const input = () =>
  [
    ...parseManifests(fixture('../../examples/manifests/job.yaml')),
    ...parseManifests(fixture('../../examples/manifests/nginx.yaml')),
  ] as Obj[]

const kubectlPatch = (manifest: object, patch: object) =>
  JSON.parse(
    execFileSync(
      'kubectl',
      ['patch', '--local', '--type', 'strategic', '-f', '-', '-o', 'json', '-p', JSON.stringify(patch)],
      {
        input: JSON.stringify(manifest),
        encoding: 'utf8',
      },
    ),
  ) as Obj
const identity = (m: Obj) => `${m.apiVersion}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name}`
const sameRef = (m: Obj, ref: Obj) => identity(m) === identity({ ...ref, metadata: ref })

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'krake-hooks-outputs-'))
  const tls = fixtureTls()
  writeFileSync(join(dir, 'ca-bundle.pem'), tls.caBundlePem)
  writeFileSync(join(dir, 'cert.pem'), tls.certPem)
  writeFileSync(join(dir, 'key.pem'), tls.keyPem)
  writeFileSync(join(dir, 'hook.yaml'), CONFIG)
  writeFileSync(join(dir, 'all.yaml'), stringifyManifests(input()))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('krake-hooks inject --output', () => {
  const hooked = () => injectHook(input(), hook).manifests as Obj[]
  const hookObjects = () => hooked().slice(input().length)

  it('json: the hooked manifests as a v1 List', () => {
    const r = cli(['inject', '-c', 'hook.yaml', '-o', 'json', 'all.yaml'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ apiVersion: 'v1', kind: 'List', items: hooked() })
  })

  it('json-patch: RFC 6902 patches that fast-json-patch applies to give the hooked workloads, and the objects', () => {
    const r = cli(['inject', '-c', 'hook.yaml', '-o', 'json-patch', 'all.yaml'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {
      patches: Array<{ resourceRef: Obj; patch: jsonpatch.Operation[] }>
      objects: Obj[]
    }
    expect(out.objects).toEqual(hookObjects())
    const workloads = input().filter((m) => out.patches.some((p) => sameRef(m, p.resourceRef)))
    expect(workloads.map((w) => w.kind)).toEqual(['Job', 'Deployment'])
    for (const w of workloads) {
      const { patch } = out.patches.find((p) => sameRef(w, p.resourceRef))!
      const patched = jsonpatch.applyPatch(structuredClone(w), patch, true, false).newDocument
      expect(patched).toEqual(hooked().find((h) => identity(h) === identity(w)))
    }
  })

  it('strategic: patches that kubectl merges to give the hooked workloads, and the objects', () => {
    const r = cli(['inject', '-c', 'hook.yaml', '-o', 'strategic', 'all.yaml'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { patches: Array<{ resourceRef: Obj; patch: Obj }>; objects: Obj[] }
    expect(out.objects).toEqual(hookObjects())
    expect(out.patches).toHaveLength(2)
    for (const { resourceRef, patch } of out.patches) {
      const w = input().find((m) => sameRef(m, resourceRef))!
      expect(kubectlPatch(w, patch)).toEqual(hooked().find((h) => identity(h) === identity(w)))
    }
  })

  it('apply: apply configurations for field manager krake-hooks, then the objects, as YAML', () => {
    const r = cli(['inject', '-c', 'hook.yaml', '-o', 'apply', 'all.yaml'])
    expect(r.code).toBe(0)
    const docs = parseManifests(r.stdout) as Obj[]
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Job/report',
      'Deployment/nginx-demo',
      'ConfigMap/demo-krake-configmap',
    ])
    expect(docs[2]).toEqual(hookObjects()[0])
    for (const a of docs.slice(0, 2)) {
      expect(Object.keys(a.metadata)).toEqual(['name', 'namespace'])
      const w = input().find((m) => identity(m) === identity(a))!
      const merged = kubectlPatch(w, a)
      const expected = hooked().find((h) => identity(h) === identity(w))!
      // the workloads hold no env, mounts or volumes of their own: the merge's entry order is the hook's
      expect(merged).toEqual(expected)
    }
  })

  it('--diff: a unified diff that GNU patch applies to the YAML before, giving the YAML after', () => {
    const r = cli(['inject', '-c', 'hook.yaml', '--diff', 'all.yaml'])
    expect(r.code).toBe(0)
    expect(
      r.stdout
        .split('\n')
        .slice(0, 2)
        .map((l) => l.split('\t')[0]),
    ).toEqual(['--- a/all.yaml', '+++ b/all.yaml'])
    expect(r.stdout).toContain('+            - name: KRAKE_TOKEN\n+              value: cli-token-0123456789\n')
    const before = join(dir, 'before.yaml')
    writeFileSync(before, stringifyManifests(input()))
    execFileSync('patch', ['--quiet', before], { input: r.stdout })
    expect(execFileSync('cat', [before], { encoding: 'utf8' })).toBe(stringifyManifests(hooked()))
    // nothing to change: an empty diff
    const same = join(dir, 'hooked.yaml')
    writeFileSync(same, stringifyManifests(hooked()))
    expect(cli(['inject', '-c', 'hook.yaml', '--diff', 'hooked.yaml']).stdout).toBe('')
  })

  it('refuses an unknown output with the usage and exit 2', () => {
    const r = cli(['inject', '-c', 'hook.yaml', '-o', 'xml', 'all.yaml'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^krake-hooks inject: --output is yaml, json, json-patch, strategic, apply, not "xml"/)
  })
})

describe('krake-hooks remove', () => {
  it('gives back exactly the YAML that was hooked, and says so in its summary', () => {
    writeFileSync(join(dir, 'hooked.yaml'), stringifyManifests(injectHook(input(), hook).manifests))
    const r = cli(['remove', '-c', 'hook.yaml', 'hooked.yaml'])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(stringifyManifests(input()))
    expect(r.stderr).toBe(
      'krake-hooks: info: complete hook: removed from 2 workloads (2 containers), removed 1 object; left alone 1 object: 1 not a workload, 0 without the hook\n',
    )
  })
})

describe('krake-hooks check', () => {
  it('exit 0 and one ok line per container for the hooked manifests', () => {
    writeFileSync(join(dir, 'hooked.yaml'), stringifyManifests(injectHook(input(), hook).manifests))
    const r = cli([
      'check',
      '-c',
      'hook.yaml',
      '--hook-user',
      'system:complete-hook',
      '--now',
      '2030-01-01T00:00:00Z',
      'hooked.yaml',
    ])
    expect([r.code, r.stderr]).toEqual([0, ''])
    expect(r.stdout).toBe(
      'ok    Job/secondary/report report: accepted (certificate valid 33866 more days)\n' +
        'ok    Deployment/secondary/nginx-demo nginx: accepted (certificate valid 33866 more days)\n',
    )
  })

  it('exit 1 and the reason for each broken call: the manifests before the hook, another CN', () => {
    const before = cli(['check', '-c', 'hook.yaml', 'all.yaml'])
    expect(before.code).toBe(1)
    expect(before.stdout).toBe(
      "FAIL  Job/secondary/report report: no call: no KRAKE_COMPLETE_TOKEN or KRAKE_TOKEN in the container's environment\n" +
        "FAIL  Deployment/secondary/nginx-demo nginx: no call: no KRAKE_COMPLETE_TOKEN or KRAKE_TOKEN in the container's environment\n",
    )
    const user = cli(['check', '-c', 'hook.yaml', '--hook-user', 'system:admin', 'hooked.yaml'])
    expect(user.code).toBe(1)
    expect(user.stdout.split('\n')[0]).toBe(
      "FAIL  Job/secondary/report report: 403: The client certificate is not the hook user's.",
    )
    expect(cli(['check', '-c', 'hook.yaml', '--now', 'soon']).code).toBe(2)
  })
})
