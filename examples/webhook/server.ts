// A mutating admission webhook that hooks every Pod the API server sends it,
// in a few lines around reviewAdmission: the way Istio's and Vault's
// injectors work, so that Pods made by any controller (a Deployment's
// ReplicaSet, a CronJob's Job) carry the hook without their manifests being
// changed. The API server calls it over TLS and trusts the certificate by the
// `caBundle` of mutating-webhook.yaml.
//
//   tsx examples/webhook/server.ts --key tls.key --cert tls.crt --hook hook.json [--port 8443]
//   tsx examples/webhook/server.ts --print-config --ca ca.pem   # the MutatingWebhookConfiguration, caBundle filled in
//
// hook.json is `{ "hook": HookSpec, "options": InjectOptions }`: one
// application per webhook, to keep the example short. Create the hook's
// ConfigMap or Secret (`hookPatch(...).objects`) in the Pods' namespace
// first: a webhook can change the object it is sent, not add others.
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:https'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import {
  readRequestBody,
  reviewAdmission,
  type AdmissionReview,
  type HookSpec,
  type InjectOptions,
} from '../../src/index.js'

export interface WebhookOptions {
  key: string
  cert: string
  hook: HookSpec
  options?: InjectOptions
  /** Largest request body read; the API server's objects stay under 3 MiB. Default 3 MiB. */
  maxBodyBytes?: number
  host?: string
  port?: number
}

export interface Webhook {
  server: Server
  url: string
  close(): Promise<void>
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

export async function startWebhook(options: WebhookOptions): Promise<Webhook> {
  const limit = options.maxBodyBytes ?? 3 * 1024 * 1024
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.url !== '/mutate') {
      json(res, 404, { reason: 'not found' })
      return
    }
    if (req.method !== 'POST') {
      json(res, 405, { reason: 'POST an AdmissionReview' })
      return
    }
    const body = await readRequestBody(req, { maxBytes: limit, timeoutMs: 10_000 })
    if (typeof body === 'number') {
      // answer at once and close: the rest of the body is never read
      res.on('finish', () => req.destroy())
      res
        .writeHead(body, { 'content-type': 'application/json', connection: 'close' })
        .end(JSON.stringify({ reason: body === 413 ? 'request body too large' : 'request body not received' }))
      return
    }
    let review: AdmissionReview
    try {
      review = JSON.parse(body.toString('utf8')) as AdmissionReview
    } catch {
      json(res, 400, { reason: 'the body is not JSON' })
      return
    }
    json(res, 200, reviewAdmission(review, options.hook, options.options))
  }
  const server = createServer({ key: options.key, cert: options.cert }, (req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    server,
    url: `https://localhost:${port}/mutate`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

/** mutating-webhook.yaml with its `caBundle` set to `caPem`, the CA that signed the webhook's serving certificate. */
export function webhookConfiguration(caPem: string): string {
  const template = readFileSync(new URL('./mutating-webhook.yaml', import.meta.url), 'utf8')
  return template.replace('caBundle: CA_BUNDLE', `caBundle: ${Buffer.from(caPem, 'utf8').toString('base64')}`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      key: { type: 'string' },
      cert: { type: 'string' },
      hook: { type: 'string' },
      port: { type: 'string', default: '8443' },
      'print-config': { type: 'boolean', default: false },
      ca: { type: 'string' },
    },
  })
  if (values['print-config']) {
    if (!values.ca) {
      console.error('usage: server --print-config --ca CA_PEM')
      process.exit(2)
    }
    process.stdout.write(webhookConfiguration(readFileSync(values.ca, 'utf8')))
  } else {
    if (!values.key || !values.cert || !values.hook) {
      console.error('usage: server --key KEY --cert CERT --hook HOOK_JSON [--port 8443]')
      process.exit(2)
    }
    const { hook, options } = JSON.parse(readFileSync(values.hook, 'utf8')) as {
      hook: HookSpec
      options?: InjectOptions
    }
    const webhook = await startWebhook({
      key: readFileSync(values.key, 'utf8'),
      cert: readFileSync(values.cert, 'utf8'),
      hook,
      options: options ?? {},
      host: '0.0.0.0',
      port: Number(values.port),
    })
    console.error(`krake-hooks webhook listening on ${webhook.url}`)
  }
}
