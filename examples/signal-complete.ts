// The application side of the complete hook: the TypeScript twin of the
// seed's curl and Python examples. Reads the token and URL from the
// environment the hook injected and, when the certificate directory exists,
// the three files mounted from the hook's ConfigMap; PUTs {"token": ...};
// retries with backoff on network errors and 5xx, never on 4xx.
//
//   tsx examples/signal-complete.ts [--token-env KRAKE_TOKEN] [--url-env KRAKE_COMPLETE_URL]
//                                   [--cert-dir /etc/krake_cert] [--retries 4] [--backoff-ms 500]
import { existsSync, readFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { parseArgs } from 'node:util'

interface Answer {
  status: number
  body: string
}

function put(url: URL, body: string, tls: { ca: string; cert: string; key: string } | undefined, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    const req = request(
      url,
      { method: 'PUT', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs, ...(tls ?? {}) },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'token-env': { type: 'string', default: 'KRAKE_TOKEN' },
      'url-env': { type: 'string', default: 'KRAKE_COMPLETE_URL' },
      'cert-dir': { type: 'string', default: '/etc/krake_cert' },
      retries: { type: 'string', default: '4' },
      'backoff-ms': { type: 'string', default: '500' },
      'timeout-ms': { type: 'string', default: '10000' },
    },
  })
  const token = process.env[values['token-env']]
  const rawUrl = process.env[values['url-env']]
  if (!token) return fail(`${values['token-env']} is not set: is the Krake complete hook enabled for this application?`)
  if (!rawUrl) return fail(`${values['url-env']} is not set: is the Krake complete hook enabled for this application?`)
  let url: URL
  try {
    url = new URL(rawUrl)
  } catch {
    return fail(`${values['url-env']} is not a URL`)
  }
  const dir = values['cert-dir']
  let tls: { ca: string; cert: string; key: string } | undefined
  if (url.protocol === 'https:') {
    if (!existsSync(dir)) return fail(`the hook URL is https but ${dir} does not exist: the certificate volume is not mounted`)
    tls = { ca: readFileSync(`${dir}/ca-bundle.pem`, 'utf8'), cert: readFileSync(`${dir}/cert.pem`, 'utf8'), key: readFileSync(`${dir}/key.pem`, 'utf8') }
  }
  const retries = Number(values.retries)
  const backoff = Number(values['backoff-ms'])
  const body = JSON.stringify({ token })
  for (let attempt = 0; ; attempt++) {
    let why: string
    try {
      const answer = await put(url, body, tls, Number(values['timeout-ms']))
      if (answer.status >= 200 && answer.status < 300) {
        console.error(`krake: complete hook accepted (${answer.status})`)
        return 0
      }
      if (answer.status < 500) return fail(`the Krake API refused the call: ${answer.status} ${answer.body}`)
      why = `${answer.status} ${answer.body}`
    } catch (e) {
      why = (e as Error).message
    }
    if (attempt >= retries) return fail(`giving up after ${attempt + 1} attempts: ${why}`)
    const delay = backoff * 2 ** attempt
    console.error(`krake: attempt ${attempt + 1} failed (${why}); retrying in ${delay} ms`)
    await sleep(delay)
  }
}

function fail(message: string): number {
  console.error(`krake: ${message}`)
  return 1
}

process.exitCode = await main()
