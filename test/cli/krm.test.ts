// The KRM function in-process: the ResourceList protocol of kpt and kustomize.
import { describe, expect, it } from 'vitest'
import { fieldPath, runKrmFunction } from '../../src/cli/krm.js'
import { parseManifests } from '../../src/index.js'
import { fixtureTls, hookErrorOf } from '../helpers.js'

describe('runKrmFunction(input) (krake-hooks fn)', () => {
  const list = (functionConfig: string, items: string) => `apiVersion: config.kubernetes.io/v1
kind: ResourceList
functionConfig:
${functionConfig.replace(/^/gm, '  ')}
items:
${items.replace(/^/gm, '  ')}
`
  const inlineConfig = (extra = '') => {
    const tls = fixtureTls()
    const block = (s: string) => '|\n' + s.trimEnd().replace(/^/gm, '      ')
    return `apiVersion: krake-hooks/v1alpha1
kind: HookConfig
metadata: {name: hook}
spec:
  kind: complete
  app: {name: demo, namespace: secondary}
  apiEndpoint: http://krake-api:8080
  token: fn-token
  tls:
    caBundlePem: ${block(tls.caBundlePem)}
    certPem: ${block(tls.certPem)}
    keyPem: ${block(tls.keyPem)}
${extra}`
  }
  const job = `- apiVersion: batch/v1
  kind: Job
  metadata:
    name: report
    namespace: secondary
    annotations: {config.kubernetes.io/index: '0', internal.config.kubernetes.io/path: job.yaml}
  spec: {template: {spec: {containers: [{name: c, env: [{name: KRAKE_TOKEN, value: old}]}]}}}`

  it('hooks the items, keeps the functionConfig and kustomize annotations, and reports results in KRM form', () => {
    const r = runKrmFunction(list(inlineConfig(), job))
    expect(r.failed).toBe(false)
    const [out] = parseManifests(r.output) as Array<Record<string, any>>
    expect(out!.kind).toBe('ResourceList')
    expect(out!.functionConfig.kind).toBe('HookConfig')
    expect(out!.items.map((i: any) => i.kind)).toEqual(['Job', 'ConfigMap'])
    expect(out!.items[0].metadata.annotations).toEqual({
      'config.kubernetes.io/index': '0',
      'internal.config.kubernetes.io/path': 'job.yaml',
    })
    expect(out!.items[0].spec.template.spec.containers[0].env).toEqual([
      { name: 'KRAKE_TOKEN', value: 'fn-token' },
      {
        name: 'KRAKE_COMPLETE_URL',
        value: 'https://krake-api:8080/kubernetes/namespaces/secondary/applications/demo/complete',
      },
    ])
    expect(out!.results).toEqual([
      { message: "the endpoint's scheme http was changed to https because TLS is on", severity: 'warning' },
      {
        message: `env var "KRAKE_TOKEN" of container "c" is already set to something else; replaced it with the hook's`,
        severity: 'info',
        resourceRef: { apiVersion: 'batch/v1', kind: 'Job', name: 'report', namespace: 'secondary' },
        field: { path: 'spec.template.spec.containers[0].env[0]' },
        file: { path: 'job.yaml', index: 0 },
      },
      {
        message:
          'complete hook: hooked 1 workload (1 container), added 1 object; left alone 0 objects: 0 not a workload, 0 opted out, 0 hooked already',
        severity: 'info',
      },
    ])
  })

  it('an error: exit 1, the items unchanged, one error result pointing at the item and field', () => {
    const r = runKrmFunction(list(inlineConfig('options: {onConflict: error}\n'), job))
    expect(r.failed).toBe(true)
    const [out] = parseManifests(r.output) as Array<Record<string, any>>
    expect(out!.items[0].spec.template.spec.containers[0].env).toEqual([{ name: 'KRAKE_TOKEN', value: 'old' }])
    expect(out!.items).toHaveLength(1)
    expect(out!.results).toEqual([
      {
        message: expect.stringMatching(/^ERR_CONFLICT: env var "KRAKE_TOKEN"/),
        severity: 'error',
        resourceRef: { apiVersion: 'batch/v1', kind: 'Job', name: 'report', namespace: 'secondary' },
        field: { path: 'spec.template.spec.containers[0].env[0]' },
        file: { path: 'job.yaml', index: 0 },
      },
    ])
  })

  it('a bad functionConfig: exit 1 and an error result pointing into it', () => {
    const r = runKrmFunction(list(inlineConfig().replace('token: fn-token', 'token: 42'), job))
    expect(r.failed).toBe(true)
    const [out] = parseManifests(r.output) as Array<Record<string, any>>
    expect(out!.results).toEqual([
      {
        message: expect.stringMatching(/^ERR_INVALID_HOOK: token must be a string/),
        severity: 'error',
        field: { path: 'functionConfig.spec.token' },
      },
    ])
  })

  it('input that is not one ResourceList is ERR_INVALID_CONFIG', () => {
    expect(hookErrorOf(() => runKrmFunction('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')).code).toBe(
      'ERR_INVALID_CONFIG',
    )
    expect(hookErrorOf(() => runKrmFunction('')).code).toBe('ERR_INVALID_CONFIG')
  })

  it('a missing functionConfig is an error result that says what to give, not a crash', () => {
    const r = runKrmFunction('apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n')
    expect(r.failed).toBe(true)
    expect((parseManifests(r.output)[0] as Record<string, any>).results).toEqual([
      {
        message: expect.stringMatching(
          /^ERR_INVALID_CONFIG: the ResourceList has no functionConfig: give a HookConfig \(krake-hooks\/v1alpha1\), or key=value pairs/,
        ),
        severity: 'error',
      },
    ])
  })

  it('a ConfigMap functionConfig (what kpt fn eval -- key=value sends) configures the hook; strings become options', () => {
    const cm = `apiVersion: v1
kind: ConfigMap
metadata: {name: function-input}
data: {kind: shutdown, appName: demo, appNamespace: secondary, apiEndpoint: 'http://krake-api:8080', token: cm-token, envToken: MY_TOKEN, initContainers: 'true', onConflict: keep}`
    const r = runKrmFunction(list(cm, job))
    expect(r.failed).toBe(false)
    const [out] = parseManifests(r.output) as Array<Record<string, any>>
    expect(out!.items[0].spec.template.spec.containers[0].env.map((e: any) => e.name)).toEqual([
      'KRAKE_TOKEN',
      'MY_TOKEN',
      'KRAKE_SHUTDOWN_URL',
    ])
  })

  it('a ConfigMap with an unknown key, a bad value or a bad option: an error result at its own data key', () => {
    const bad = (data: string) => {
      const r = runKrmFunction(
        list(
          `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata: {kind: complete, appName: demo, appNamespace: ns, apiEndpoint: 'http://k', token: t, ${data}}`,
          job,
        ),
      )
      expect(r.failed).toBe(true)
      return (parseManifests(r.output)[0] as Record<string, any>).results[0]
    }
    expect(bad('appname: x')).toEqual({
      message: expect.stringMatching(/^ERR_INVALID_CONFIG: unknown key "appname"/),
      severity: 'error',
      field: { path: 'functionConfig.data.appname' },
    })
    expect(bad("initContainers: 'yes'")).toMatchObject({ field: { path: 'functionConfig.data.initContainers' } })
    expect(bad('certDest: relative')).toMatchObject({
      message: expect.stringMatching(/^ERR_INVALID_OPTION/),
      field: { path: 'functionConfig.data.certDest' },
    })
    expect(bad("envUrl: '1X'")).toMatchObject({ field: { path: 'functionConfig.data.envUrl' } })
  })

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'a ConfigMap key %j is an unknown key, an error result, never a TypeError (issue 16)',
    (key) => {
      const r = runKrmFunction(
        list(
          `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: f}\ndata: {kind: complete, appName: demo, appNamespace: ns, apiEndpoint: 'http://k', token: t, ${JSON.stringify(key)}: x}`,
          job,
        ),
      )
      expect(r.failed).toBe(true)
      expect((parseManifests(r.output)[0] as Record<string, any>).results[0]).toEqual({
        message: expect.stringMatching(new RegExp(`^ERR_INVALID_CONFIG: unknown key "${key}"`)),
        severity: 'error',
        field: { path: `functionConfig.data.${key}` },
      })
    },
  )

  it("keeps the input's results before its own, and names each item's file from config.kubernetes.io/path", () => {
    const input =
      list(
        inlineConfig(),
        job.replace('internal.config.kubernetes.io/path: job.yaml', 'config.kubernetes.io/path: jobs/job.yaml'),
      ) +
      `results:
- {message: from an earlier function, severity: info}
`
    const [out] = parseManifests(runKrmFunction(input).output) as Array<Record<string, any>>
    expect(out!.results[0]).toEqual({ message: 'from an earlier function', severity: 'info' })
    expect(out!.results[2].file).toEqual({ path: 'jobs/job.yaml', index: 0 })
  })

  it('an error about an item that is not a Kubernetes object points into items', () => {
    const r = runKrmFunction(list(inlineConfig(), '- 42'))
    expect((parseManifests(r.output)[0] as Record<string, any>).results[0]).toEqual({
      message: expect.stringMatching(/^ERR_INVALID_MANIFEST/),
      severity: 'error',
      field: { path: 'items[0]' },
    })
  })
})

describe('fieldPath(pointer)', () => {
  it.each([
    ['', ''],
    ['/spec/containers/0/env', 'spec.containers[0].env'],
    ['/metadata/annotations/a.b~1c', 'metadata.annotations["a.b/c"]'],
    ['/0/x', '[0].x'],
  ])('fieldPath(%j) is %j', (pointer, path) => {
    expect(fieldPath(pointer)).toBe(path)
  })
})
