// A controller's flow with the real @kubernetes/client-node against a small
// node:http stand-in for the API server on 127.0.0.1 (no API server can run
// here): read the Deployment with AppsV1Api, hook it, create the hook's
// ConfigMap with CoreV1Api, replace the Deployment; then check the bodies the
// server received.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  V1Deployment,
} from '@kubernetes/client-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hookApplyConfiguration, hookStrategicPatch, injectHook } from '../../src/index.js'
import { fixtureTls, podSpecOf, spec, beforeSummary } from '../helpers.js'

const PATH = '/apis/apps/v1/namespaces/prod/deployments/web'
const STORED = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'prod',
    uid: '6f1e2a5c-0d1b-4c1e-9d0e-2b8c1a7f4e21',
    resourceVersion: '4711',
    generation: 3,
    creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { app: 'web' },
    managedFields: [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'apps/v1',
        time: '2024-05-01T10:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:spec': {} },
      },
    ],
  },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
    },
  },
  status: { replicas: 2, readyReplicas: 2 },
}

interface Received {
  method: string
  url: string
  contentType: string | undefined
  body: unknown
}

let server: Server
let baseUrl: string
const received: Received[] = []

const bodyOf = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
  })

beforeAll(async () => {
  server = createServer((req, res) => void answer(req, res))
  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await bodyOf(req)
    received.push({
      method: req.method!,
      url: req.url!,
      contentType: req.headers['content-type'],
      body: text === '' ? undefined : JSON.parse(text),
    })
    const send = (status: number, body: unknown) =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (req.url === PATH && req.method === 'GET') send(200, STORED)
    else if (req.url === PATH && req.method === 'PUT') send(200, JSON.parse(text))
    else if (req.url?.split('?')[0] === PATH && req.method === 'PATCH') send(200, STORED)
    // discovery, as KubernetesObjectApi asks it the resource of a kind
    else if (req.url === '/apis/apps/v1' && req.method === 'GET')
      send(200, {
        kind: 'APIResourceList',
        apiVersion: 'v1',
        groupVersion: 'apps/v1',
        resources: [
          { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', verbs: ['patch'] },
        ],
      })
    else if (req.url === '/api/v1/namespaces/prod/configmaps' && req.method === 'POST') send(201, JSON.parse(text))
    else send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' })
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: 'stand-in', server: baseUrl, skipTLSVerify: true }],
    users: [{ name: 'controller', token: 'controller-token' }],
    contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'controller', namespace: 'prod' }],
    currentContext: 'stand-in',
  })
  return kc
}

describe('a controller with @kubernetes/client-node', () => {
  it('reads a Deployment with AppsV1Api, hooks the model, creates the ConfigMap and replaces the Deployment: the server gets the hooked objects', async () => {
    const kc = kubeConfig()
    const apps = kc.makeApiClient(AppsV1Api)
    const core = kc.makeApiClient(CoreV1Api)
    const hook = spec({
      app: { name: 'web', namespace: 'krake' },
      apiEndpoint: 'https://krake-api:8443',
      tls: fixtureTls(),
    })

    const current = await apps.readNamespacedDeployment({ name: 'web', namespace: 'prod' })
    expect(current).toBeInstanceOf(V1Deployment)
    expect(current.metadata?.creationTimestamp).toBeInstanceOf(Date)

    // the model goes in as it is: no cast, no JSON round trip
    const { manifests, results } = injectHook([current], hook)
    expect(beforeSummary(results)).toEqual([])
    const [hooked, ...objects] = manifests
    if (hooked === undefined) throw new Error('injectHook returned no Deployment')
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['ConfigMap/web-krake-configmap'])
    for (const o of objects) await core.createNamespacedConfigMap({ namespace: 'prod', body: o })
    await apps.replaceNamespacedDeployment({ name: 'web', namespace: 'prod', body: hooked })

    const put = received.find((r) => r.method === 'PUT')!.body as typeof STORED
    // resourceVersion kept: the replace is an optimistic-concurrency update of what was read
    expect(put.metadata.resourceVersion).toBe('4711')
    expect(put.metadata.uid).toBe(STORED.metadata.uid)
    // Dates come back as RFC 3339 strings, the instant unchanged
    expect(new Date(put.metadata.creationTimestamp).toISOString()).toBe(
      new Date(STORED.metadata.creationTimestamp).toISOString(),
    )
    expect(new Date(put.metadata.managedFields[0]!.time).getTime()).toBe(Date.parse('2024-05-01T10:00:00Z'))
    const container = podSpecOf(put).containers[0]
    expect(container.env).toEqual([
      { name: 'KRAKE_TOKEN', value: hook.token },
      {
        name: 'KRAKE_COMPLETE_URL',
        value: 'https://krake-api:8443/kubernetes/namespaces/krake/applications/web/complete',
      },
    ])
    expect(container.volumeMounts).toEqual([{ name: 'web-krake-volume', mountPath: '/etc/krake_cert', readOnly: true }])
    expect(podSpecOf(put).volumes).toEqual([{ name: 'web-krake-volume', configMap: { name: 'web-krake-configmap' } }])
    expect(container.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }])

    const posted = received.find((r) => r.method === 'POST')!.body as {
      metadata: { name: string }
      data: Record<string, string>
    }
    expect(posted.metadata.name).toBe('web-krake-configmap')
    expect(Object.keys(posted.data).sort()).toEqual(['ca-bundle.pem', 'cert.pem', 'key.pem'])
  })

  it('sends the strategic merge patch with its content type, and the apply configuration as a server-side apply for field manager krake-hooks', async () => {
    const kc = kubeConfig()
    const hook = spec({
      app: { name: 'web', namespace: 'krake' },
      apiEndpoint: 'https://krake-api:8443',
      tls: fixtureTls(),
    })
    const apps = kc.makeApiClient(AppsV1Api)
    const current = await apps.readNamespacedDeployment({ name: 'web', namespace: 'prod' })

    const { patch } = hookStrategicPatch(current, hook)
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace: 'prod', body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    )
    const strategic = received.filter((r) => r.method === 'PATCH').at(-1)!
    expect(strategic.contentType).toBe('application/strategic-merge-patch+json')
    expect(strategic.body).toEqual(patch)

    const { applyConfiguration } = hookApplyConfiguration(current, hook)
    await KubernetesObjectApi.makeApiClient(kc).patch(
      applyConfiguration,
      undefined,
      undefined,
      'krake-hooks',
      true,
      PatchStrategy.ServerSideApply,
    )
    const applied = received.filter((r) => r.method === 'PATCH').at(-1)!
    expect(applied.contentType).toBe('application/apply-patch+yaml')
    expect(new URL(applied.url, baseUrl).searchParams.get('fieldManager')).toBe('krake-hooks')
    expect(new URL(applied.url, baseUrl).searchParams.get('force')).toBe('true')
    expect(applied.body).toEqual(applyConfiguration)
    expect(applyConfiguration).toMatchObject({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'prod' },
    })
  })
})
