// kubectl's built-in kustomize runs krake-hooks as an exec plugin through the
// two-line wrapper of examples/kustomize: a real peer, offline.
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseManifests } from '../../src/index.js'
import { fixtureTls, podSpecOf, root } from '../helpers.js'

let dir: string
type Obj = Record<string, any>

function kustomize(app: string) {
  const env = {
    ...process.env,
    PATH: `${join(dir, 'bin')}:${process.env.PATH}`,
    KUSTOMIZE_PLUGIN_HOME: join(dir, 'examples/kustomize/plugins'),
  }
  const r = spawnSync('kubectl', ['kustomize', '--enable-alpha-plugins', join(dir, app)], { env, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'krake-hooks-kustomize-'))
  cpSync(join(root, 'examples'), join(dir, 'examples'), { recursive: true })
  mkdirSync(join(dir, 'bin'))
  // what `npm install -g krake-hooks` would put on PATH
  writeFileSync(
    join(dir, 'bin/krake-hooks'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'dist/cli/main.js')}" "$@"\n`,
  )
  chmodSync(join(dir, 'bin/krake-hooks'), 0o755)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('kubectl kustomize --enable-alpha-plugins with the krake-hooks exec plugin', () => {
  it('hooks the Deployment, the Job and the CronJob of examples/kustomize and leaves the Service', () => {
    const r = kustomize('examples/kustomize')
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const docs = parseManifests(r.stdout) as Obj[]
    expect(docs.map((d) => d.kind).sort()).toEqual(['CronJob', 'Deployment', 'Job', 'Service'])
    for (const w of docs.filter((d) => d.kind !== 'Service')) {
      for (const c of podSpecOf(w).containers) {
        expect(c.env.filter((e: Obj) => e.name.startsWith('KRAKE_'))).toEqual([
          { name: 'KRAKE_TOKEN', value: 'replace-me-with-krake-hooks-token' },
          {
            name: 'KRAKE_COMPLETE_URL',
            value: 'http://krake-api:8080/kubernetes/namespaces/secondary/applications/demo/complete',
          },
        ])
      }
    }
    expect(docs.find((d) => d.kind === 'Service')!.spec.ports).toEqual([
      { port: 8080, protocol: 'TCP', targetPort: 80 },
    ])
  })

  it('with TLS from files next to the kustomization: the ConfigMap, volume and mounts', () => {
    const app = join(dir, 'examples/tls')
    mkdirSync(app)
    const tls = fixtureTls()
    writeFileSync(join(app, 'ca-bundle.pem'), tls.caBundlePem)
    writeFileSync(join(app, 'cert.pem'), tls.certPem)
    writeFileSync(join(app, 'key.pem'), tls.keyPem)
    writeFileSync(join(app, 'token'), 'tls-token_0123456789abcdefghijklmnopqrstuvw\n')
    writeFileSync(join(app, 'kustomization.yaml'), 'resources:\n  - ../manifests\ntransformers:\n  - hook.yaml\n')
    writeFileSync(
      join(app, 'hook.yaml'),
      'apiVersion: krake-hooks/v1alpha1\nkind: HookConfig\nmetadata: {name: h}\nspec:\n  kind: complete\n  app: {name: demo, namespace: secondary}\n  apiEndpoint: https://krake-api:8443\n  tokenFile: token\n  tls: {caBundleFile: ca-bundle.pem, certFile: cert.pem, keyFile: key.pem}\n',
    )
    const r = kustomize('examples/tls')
    expect(r.stderr).toBe('')
    const docs = parseManifests(r.stdout) as Obj[]
    const cm = docs.find((d) => d.kind === 'ConfigMap')!
    expect(cm.metadata).toMatchObject({ name: 'demo-krake-configmap', namespace: 'secondary' })
    expect(cm.data['cert.pem']).toBe(tls.certPem)
    expect(docs.map((d) => d.kind).sort()).toEqual(['ConfigMap', 'CronJob', 'Deployment', 'Job', 'Service'])
    for (const w of docs.filter((d) => d.kind === 'Job' || d.kind === 'CronJob' || d.kind === 'Deployment')) {
      const pod = podSpecOf(w)
      expect(pod.volumes).toEqual([{ configMap: { name: 'demo-krake-configmap' }, name: 'demo-krake-volume' }])
      expect(pod.containers[0].volumeMounts).toEqual([
        { mountPath: '/etc/krake_cert', name: 'demo-krake-volume', readOnly: true },
      ])
      expect(pod.containers[0].env.find((e: Obj) => e.name === 'KRAKE_TOKEN').value).toBe(
        'tls-token_0123456789abcdefghijklmnopqrstuvw',
      )
    }
  })

  it('a refused injection fails the build with the code and path on stderr', () => {
    const app = join(dir, 'examples/conflict')
    mkdirSync(app)
    writeFileSync(
      join(app, 'pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      env: [{name: KRAKE_TOKEN, value: mine}]\n',
    )
    cpSync(join(dir, 'examples/kustomize/hook.yaml'), join(app, 'hook.yaml'))
    writeFileSync(join(app, 'kustomization.yaml'), 'resources: [pod.yaml]\ntransformers: [hook.yaml]\n')
    const r = kustomize('examples/conflict')
    expect(r.code).not.toBe(0)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/ERR_CONFLICT at \/spec\/containers\/0\/env\/0: env var "KRAKE_TOKEN" of container "c"/)
  })
})
