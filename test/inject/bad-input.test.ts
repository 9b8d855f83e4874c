import { describe, expect, it } from 'vitest'
import { HookError, injectHook, type HookErrorCode } from '../../src/index.js'
import { container, deepFreeze, deployment, fixture, fixtureTls, snapshot, spec } from '../helpers.js'

const good = () => [deployment('web', 'prod')]
const withPod = (podSpec: unknown) => [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: podSpec }]
const withContainer = (c: unknown) => withPod({ containers: [c] })
const cyclic = () => {
  const d: any = deployment('web', 'prod')
  d.spec.template.spec.containers[0].self = d.spec
  return [d]
}
const deep = () => {
  let v: any = 'leaf'
  for (let i = 0; i < 2000; i++) v = { v }
  return [{ ...deployment('web', 'prod'), deep: v }]
}
const tls = fixtureTls()
// a valid key (SEC1), but the root's, not the leaf's
const otherKey = fixture('pki/root-key.pem')

type Case = [name: string, manifests: unknown, hook: unknown, options: unknown, code: HookErrorCode, path: string, message: RegExp]

const CASES: Case[] = [
  // the manifest list
  ['manifests is not an array', { items: [] }, spec(), undefined, 'ERR_INVALID_MANIFESTS', '', /must be an array/],
  ['an item is not an object', [42], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0', /must be a Kubernetes object/],
  ['an item is null', [good()[0], null], spec(), undefined, 'ERR_INVALID_MANIFEST', '/1', /must be a Kubernetes object/],
  ['an item is an array', [[]], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0', /must be a Kubernetes object/],
  ['no apiVersion', [{ kind: 'Pod', metadata: { name: 'p' } }], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0/apiVersion', /non-empty string/],
  ['no kind', [{ apiVersion: 'v1', metadata: { name: 'p' } }], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0/kind', /non-empty string/],
  ['no metadata', [{ apiVersion: 'v1', kind: 'Service' }], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0/metadata', /must be an object/],
  ['no metadata.name', [{ apiVersion: 'v1', kind: 'Service', metadata: {} }], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0/metadata/name', /non-empty string/],
  ['a numeric namespace', [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 3 } }], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0/metadata/namespace', /must be a string/],
  ['List items not an array', [{ apiVersion: 'v1', kind: 'List', items: {} }], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0/items', /must be an array/],
  ['a bad item in a List', [{ apiVersion: 'v1', kind: 'List', items: [good()[0], { kind: 'Pod' }] }], spec(), undefined, 'ERR_INVALID_MANIFEST', '/0/items/1/apiVersion', /non-empty string/],
  // values that are not JSON
  ['a function', [{ ...good()[0], f: () => 1 }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/f', /function is not a JSON value/],
  ['NaN', [{ ...good()[0], n: NaN }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/n', /NaN is not a JSON number/],
  ['a Map (JSON.stringify would write {})', [{ ...good()[0], d: new Map([['a', 1]]) }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/d', /a Map is not a JSON value/],
  ['a typed array', [{ ...good()[0], t: new Uint8Array(2) }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/t', /a Uint8Array is not a JSON value/],
  ['an undefined list entry', [{ ...good()[0], l: [1, undefined] }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/l/1', /undefined is not a JSON value/],
  ['a sparse array', [{ ...good()[0], s: [1, , 3] }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/s/1', /hole/],
  ['a bigint', [{ ...good()[0], b: 1n }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/b', /bigint/],
  ['a key with / and ~ in the path', [{ ...good()[0], 'a/b~c': Symbol('x') }], spec(), undefined, 'ERR_INVALID_VALUE', '/0/a~1b~0c', /symbol/],
  ['a cycle', cyclic(), spec(), undefined, 'ERR_CYCLE', expect.stringMatching(/^\/0\/spec\/template\/spec\/containers\/0\/self/) as unknown as string, /cycle/],
  ['nesting too deep', deep(), spec(), undefined, 'ERR_TOO_DEEP', expect.stringMatching(/^\/0\/deep\/v\/v/) as unknown as string, /deeper than 512/],
  // workloads
  ['a Deployment without a template', [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: {} }], spec(), undefined, 'ERR_INVALID_WORKLOAD', '/0/spec/template', /is missing/],
  ['a Pod spec that is a string', withPod('nope'), spec(), undefined, 'ERR_INVALID_WORKLOAD', '/0/spec', /is not an object/],
  ['containers missing', withPod({}), spec(), undefined, 'ERR_INVALID_WORKLOAD', '/0/spec/containers', /non-empty array/],
  ['containers empty', withPod({ containers: [] }), spec(), undefined, 'ERR_INVALID_WORKLOAD', '/0/spec/containers', /non-empty array/],
  ['containers an object', withPod({ containers: { name: 'a' } }), spec(), undefined, 'ERR_INVALID_WORKLOAD', '/0/spec/containers', /non-empty array/],
  ['a container that is a string', withPod({ containers: ['nginx'] }), spec(), undefined, 'ERR_INVALID_WORKLOAD', '/0/spec/containers/0', /container object/],
  ['a container without a name', withPod({ containers: [container('a'), { image: 'x' }] }), spec(), undefined, 'ERR_INVALID_WORKLOAD', '/0/spec/containers/1/name', /non-empty string/],
  ['initContainers not an array (when hooked)', withPod({ containers: [container('a')], initContainers: 'x' }), spec(), { initContainers: true }, 'ERR_INVALID_WORKLOAD', '/0/spec/initContainers', /array/],
  ['env not an array', withContainer({ name: 'a', env: { KRAKE_TOKEN: 'x' } }), spec(), undefined, 'ERR_INVALID_ENV', '/0/spec/containers/0/env', /must be an array/],
  ['an env entry without a name', withContainer({ name: 'a', env: [{ value: 'x' }] }), spec(), undefined, 'ERR_INVALID_ENV', '/0/spec/containers/0/env/0', /string name/],
  ['volumes not an array', withPod({ containers: [container('a')], volumes: 'x' }), spec({ apiEndpoint: 'https://k', tls }), undefined, 'ERR_INVALID_VOLUMES', '/0/spec/volumes', /must be an array/],
  ['volumeMounts not an array', withContainer({ name: 'a', volumeMounts: {} }), spec({ apiEndpoint: 'https://k', tls }), undefined, 'ERR_INVALID_VOLUME_MOUNTS', '/0/spec/containers/0/volumeMounts', /must be an array/],
  // the hook
  ['hook is null', good(), null, undefined, 'ERR_INVALID_HOOK', '', /must be an object/],
  ['unknown kind', good(), spec({ kind: 'finish' as 'complete' }), undefined, 'ERR_INVALID_HOOK', '/kind', /"complete" or "shutdown"/],
  // found by `npm run fuzz`: the message itself threw a TypeError (JSON.stringify of a BigInt)
  ['a kind holding a BigInt', good(), spec({ kind: [0n] as never }), undefined, 'ERR_INVALID_HOOK', '/kind', /not an array$/],
  ['an onConflict that is a BigInt', good(), spec(), { onConflict: 10n }, 'ERR_INVALID_OPTION', '/onConflict', /not 10n$/],
  ['a typo in the hook', good(), { ...spec(), external_endpoint: 'x' }, undefined, 'ERR_INVALID_HOOK', '/external_endpoint', /unknown field/],
  ['app without namespace', good(), spec({ app: { name: 'a' } as never }), undefined, 'ERR_INVALID_HOOK', '/app/namespace', /non-empty string/],
  ['app name with a lone surrogate', good(), spec({ app: { name: 'a\ud800', namespace: 'n' } }), undefined, 'ERR_INVALID_HOOK', '/app/name', /non-empty string/],
  ['a numeric token', good(), spec({ token: 12345 as never }), undefined, 'ERR_INVALID_HOOK', '/token', /token must be a string/],
  ['an empty token', good(), spec({ token: '' }), undefined, 'ERR_INVALID_HOOK', '/token', /token must be a string/],
  ['a token with a quote', good(), spec({ token: 'a"b' }), undefined, 'ERR_INVALID_HOOK', '/token', /other than "/],
  ['a relative endpoint', good(), spec({ apiEndpoint: '/krake' }), undefined, 'ERR_INVALID_ENDPOINT', '/apiEndpoint', /not an absolute URL/],
  ['an endpoint without scheme', good(), spec({ apiEndpoint: 'localhost:8443' }), undefined, 'ERR_INVALID_ENDPOINT', '/apiEndpoint', /not an absolute URL/],
  ['an ftp endpoint', good(), spec({ apiEndpoint: 'ftp://krake' }), undefined, 'ERR_INVALID_ENDPOINT', '/apiEndpoint', /scheme "ftp"/],
  ['credentials in the external endpoint', good(), spec({ externalEndpoint: 'https://user:pw@krake' }), undefined, 'ERR_INVALID_ENDPOINT', '/externalEndpoint', /credentials/],
  // issue 11: the password is never in the message
  ['a password in the endpoint is not shown', good(), spec({ apiEndpoint: 'https://admin:s3cret-pw@krake:8443/base' }), undefined, 'ERR_INVALID_ENDPOINT', '/apiEndpoint', /^endpoint "https:\/\/\*\*\*@krake:8443\/base" carries credentials/],
  ['a query in the endpoint', good(), spec({ apiEndpoint: 'http://krake/?x=1' }), undefined, 'ERR_INVALID_ENDPOINT', '/apiEndpoint', /query or fragment/],
  ['a numeric endpoint', good(), spec({ apiEndpoint: 8443 as never }), undefined, 'ERR_INVALID_ENDPOINT', '/apiEndpoint', /non-empty string/],
  ['tls is a string', good(), spec({ tls: 'on' as never }), undefined, 'ERR_INVALID_HOOK', '/tls', /caBundlePem/],
  ['an invalid PEM certificate', good(), spec({ tls: { ...tls, certPem: 'not a pem' } }), undefined, 'ERR_INVALID_PEM', '/tls/certPem', /no PEM block/],
  ['a key in the CA bundle', good(), spec({ tls: { ...tls, caBundlePem: tls.caBundlePem + tls.keyPem } }), undefined, 'ERR_INVALID_PEM', '/tls/caBundlePem', /only CERTIFICATE/],
  ['corrupt base64 in the key', good(), spec({ tls: { ...tls, keyPem: '-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n' } }), undefined, 'ERR_INVALID_PEM', '/tls/keyPem', /base64/],
  ['a key that does not match the certificate', good(), spec({ tls: { ...tls, keyPem: otherKey } }), undefined, 'ERR_KEY_MISMATCH', '/tls/keyPem', /not the key/],
  // options
  ['options is a string', good(), spec(), 'replace', 'ERR_INVALID_OPTION', '', /must be an object/],
  ['an unknown option', good(), spec(), { onConflit: 'error' }, 'ERR_INVALID_OPTION', '/onConflit', /unknown field/],
  ['an env name with a dash', good(), spec(), { env: { token: 'KRAKE-TOKEN' } }, 'ERR_INVALID_OPTION', '/env/token', /not a valid environment variable name/],
  ['an env name starting with a digit', good(), spec(), { env: { url: '1URL' } }, 'ERR_INVALID_OPTION', '/env/url', /not a valid environment variable name/],
  ['both env names the same', good(), spec(), { env: { token: 'X', url: 'X' } }, 'ERR_INVALID_OPTION', '/env/url', /both "X"/],
  ['a relative certDest', good(), spec(), { certDest: 'etc/krake' }, 'ERR_INVALID_OPTION', '/certDest', /absolute path/],
  ['certDest with ..', good(), spec(), { certDest: '/etc/../root' }, 'ERR_INVALID_OPTION', '/certDest', /absolute path/],
  // issue 11: only clean absolute paths
  ['certDest "//" (an empty mount path once cleaned)', good(), spec(), { certDest: '//' }, 'ERR_INVALID_OPTION', '/certDest', /clean absolute path/],
  ['certDest "/." (the root)', good(), spec(), { certDest: '/.' }, 'ERR_INVALID_OPTION', '/certDest', /clean absolute path/],
  ['certDest with an empty segment', good(), spec(), { certDest: '/etc//krake' }, 'ERR_INVALID_OPTION', '/certDest', /clean absolute path/],
  ['certDest with a "." segment', good(), spec(), { certDest: '/etc/./krake' }, 'ERR_INVALID_OPTION', '/certDest', /clean absolute path/],
  ['certDest with a NUL', good(), spec(), { certDest: '/etc/krake\u0000x' }, 'ERR_INVALID_OPTION', '/certDest', /clean absolute path/],
  ['certDest with a newline', good(), spec(), { certDest: '/etc/krake\nx' }, 'ERR_INVALID_OPTION', '/certDest', /clean absolute path/],
  ['certDest with two trailing slashes', good(), spec(), { certDest: '/etc/krake//' }, 'ERR_INVALID_OPTION', '/certDest', /clean absolute path/],
  ['an unknown onConflict', good(), spec(), { onConflict: 'merge' }, 'ERR_INVALID_OPTION', '/onConflict', /"replace", "error", "keep"/],
  ['an unknown certStorage', good(), spec(), { certStorage: 'Volume' }, 'ERR_INVALID_OPTION', '/certStorage', /"ConfigMap", "Secret"/],
  ['initContainers as a string', good(), spec(), { initContainers: 'yes' }, 'ERR_INVALID_OPTION', '/initContainers', /boolean/],
]

describe('injectHook: bad input is a HookError with a stable code and a path', () => {
  it(`the table has at least 25 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(25)
  })

  it.each(CASES)('injectHook: %s', (_, manifests, hook, options, code, path, message) => {
    const frozen = deepFreeze(manifests)
    const before = code === 'ERR_CYCLE' ? undefined : snapshot(frozen)
    let caught: unknown
    try {
      injectHook(frozen as never, hook as never, options as never)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(HookError)
    const err = caught as HookError
    expect(err.name).toBe('HookError')
    expect(err.code).toBe(code)
    expect(err.path).toEqual(path)
    expect(err.message).toMatch(message)
    if (before !== undefined) expect(snapshot(frozen)).toBe(before)
  })
})
