// npm run demo: the complete hook with TLS on the example manifests, from a
// throwaway PKI, printed as YAML. `npm run demo -- --no-tls` shows TLS off.
import { readFileSync } from 'node:fs'
import { load } from 'js-yaml'
import {
  buildCaBundle,
  createCertificateIssuer,
  createHookToken,
  injectHook,
  parseManifests,
  stringifyManifests,
  type HookSpec,
} from 'krake-hooks'
import { makeThrowawayPki } from './throwaway-pki.js'

// The files of the example application, as its kustomize base lists them.
const dir = new URL('./manifests/', import.meta.url)
const files = (load(readFileSync(new URL('kustomization.yaml', dir), 'utf8')) as { resources: string[] }).resources
const manifests = files.flatMap((f) => parseManifests(readFileSync(new URL(f, dir), 'utf8')))

const hook: HookSpec = {
  kind: 'complete',
  app: { name: 'demo', namespace: 'secondary' },
  apiEndpoint: 'https://krake-api:8443',
  token: createHookToken(),
}

if (!process.argv.includes('--no-tls')) {
  const pki = await makeThrowawayPki()
  const issuer = await createCertificateIssuer({ certPem: pki.intermediatePem, keyPem: pki.intermediateKeyPem })
  const leaf = await issuer.issue({
    hookUser: 'system:complete-hook',
    keyAlgorithm: 'ECDSA-P256',
    app: hook.app,
    kind: hook.kind,
  })
  hook.tls = { caBundlePem: buildCaBundle([pki.rootPem, pki.intermediatePem]), ...leaf }
}

const { manifests: hooked, results } = injectHook(manifests, hook)
process.stdout.write(stringifyManifests(hooked))
process.stderr.write(
  `# krake-hooks demo: ${files.join(', ')} -> ${hooked.length} objects, TLS ${hook.tls ? 'on' : 'off'}\n`,
)
for (const r of results) process.stderr.write(`# ${r.severity}: ${r.message}\n`)
