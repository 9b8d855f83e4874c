// `npm run demo`, as a user runs it: the TLS-hooked YAML it prints carries a
// certificate that openssl accepts against the CA bundle beside it.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseManifests } from '../src/index.js'
import { root } from './helpers.js'
import { openssl } from './pki.js'

const tsx = join(root, 'node_modules', '.bin', 'tsx')
type Obj = Record<string, any>

describe('npm run demo', () => {
  it('prints the example manifests hooked with TLS, and openssl verifies the certificate', () => {
    const out = execFileSync(tsx, ['examples/demo.ts'], { cwd: root, encoding: 'utf8' })
    const docs = parseManifests(out) as Obj[]
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'Job', 'CronJob', 'ConfigMap'])
    const cm = docs[4]!
    expect(cm.metadata).toMatchObject({ name: 'demo-krake-configmap', namespace: 'secondary' })
    const dir = mkdtempSync(join(tmpdir(), 'krake-demo-'))
    try {
      const [rootPem, interPem] = cm.data['ca-bundle.pem'].match(
        /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/g,
      )
      writeFileSync(join(dir, 'root.pem'), rootPem)
      writeFileSync(join(dir, 'intermediate.pem'), interPem)
      writeFileSync(join(dir, 'cert.pem'), cm.data['cert.pem'])
      const verdict = openssl([
        'verify',
        '-x509_strict',
        '-purpose',
        'sslclient',
        '-CAfile',
        join(dir, 'root.pem'),
        '-untrusted',
        join(dir, 'intermediate.pem'),
        join(dir, 'cert.pem'),
      ])
      expect(verdict.trim()).toBe(`${join(dir, 'cert.pem')}: OK`)
      expect(openssl(['x509', '-noout', '-subject'], cm.data['cert.pem']).trim()).toBe(
        'subject=O = Krake, CN = system:complete-hook',
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
    for (const d of docs.filter((x) => x.kind !== 'Service' && x.kind !== 'ConfigMap')) {
      const pod = d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec
      for (const c of pod.containers) {
        expect(c.env.map((e: Obj) => e.name).slice(-2)).toEqual(['KRAKE_TOKEN', 'KRAKE_COMPLETE_URL'])
        expect(c.volumeMounts).toContainEqual({
          name: 'demo-krake-volume',
          mountPath: '/etc/krake_cert',
          readOnly: true,
        })
      }
    }
  })

  it('`npm run --silent demo > out.yaml`, as the README writes it, gives YAML and nothing else (issue 15)', () => {
    const out = execFileSync('npm', ['run', '--silent', 'demo'], { cwd: root, encoding: 'utf8' })
    expect(out.startsWith('apiVersion: ') || out.startsWith('---')).toBe(true)
    expect(out).not.toMatch(/^> /m)
    expect((parseManifests(out) as Obj[]).map((d) => d.kind)).toEqual([
      'Deployment',
      'Service',
      'Job',
      'CronJob',
      'ConfigMap',
    ])
  })

  it('--no-tls prints the hook without certificates and an http URL', () => {
    const docs = parseManifests(
      execFileSync(tsx, ['examples/demo.ts', '--no-tls'], { cwd: root, encoding: 'utf8' }),
    ) as Obj[]
    expect(docs.map((d) => d.kind)).toEqual(['Deployment', 'Service', 'Job', 'CronJob'])
    expect(docs[0]!.spec.template.spec.containers[0].env[1].value).toBe(
      'http://krake-api:8443/kubernetes/namespaces/secondary/applications/demo/complete',
    )
  })
})
