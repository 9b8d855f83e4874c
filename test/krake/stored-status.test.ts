// What mangleApplication does with the status it stored on an earlier run
// (issue 17), on fixed clocks: renewal before expiry as cert-manager does it
// (a third of the lifetime actually issued, or renewBefore days, never on
// every run for a certificate clamped to its intermediate's end), a stored
// certificate of another CN, a stored key that is not the certificate's, and
// a stored token that is not a token.
import { X509Certificate } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  mangleApplication,
  parseKrakeHooksConfig,
  type KrakeApplication,
  type KrakeHooksContext,
} from '../../src/index.js'
import { beforeSummary, deepFreeze, deployment, hookErrorOfAsync } from '../helpers.js'
import { makePki, type Pki } from '../pki.js'

type Obj = Record<string, any>
const DAY = 24 * 3600 * 1000
const in2020 = (complete: Obj = {}) =>
  parseKrakeHooksConfig(
    { complete: { intermediate_src: 'i.pem', intermediate_key_src: 'i-key.pem', ...complete } },
    { layout: '2020' },
  )
const app = (status?: Obj): KrakeApplication =>
  deepFreeze({
    metadata: { name: 'report', namespace: 'batch', uid: 'u-1' },
    spec: { manifest: [deployment('report', 'batch')], hooks: ['complete'] },
    ...(status ? { status } : {}),
  })

let pki: Pki
let t0: number
beforeAll(() => {
  pki = makePki()
  // a fixed start inside the intermediates' validity (they begin when the PKI is made)
  t0 = Date.parse(new X509Certificate(pki.read('inter-ec-sec1.pem')).validFrom) + DAY
})
afterAll(() => pki?.cleanup())

const ctx = (at: number, over: Partial<KrakeHooksContext> = {}, intermediate = 'inter-ec-sec1'): KrakeHooksContext => ({
  apiEndpoint: 'https://krake-api:8443',
  tls: {
    caPems: [pki.read('root.pem')],
    complete: { certPem: pki.read(`${intermediate}.pem`), keyPem: pki.read(`${intermediate}-key.pem`) },
  },
  keyAlgorithm: 'ECDSA-P256',
  now: new Date(at),
  ...over,
})
const run = (status: Obj | undefined, context: KrakeHooksContext, config = in2020()) =>
  mangleApplication(app(status), config, context)
const notAfter = (status: Obj) => Date.parse(new X509Certificate(status.complete_cert as string).validTo)

describe('the stored certificate, renewed before it expires', () => {
  it('is kept while more than a third of its lifetime is left, and issued anew once less is', async () => {
    const first = await run(undefined, ctx(t0))
    const end = notAfter(first.status)
    expect(end - t0).toBe(365 * DAY)
    const kept = await run(first.status, ctx(t0 + 240 * DAY)) // 125 days left of 365: more than a third
    expect(kept.status.complete_cert).toBe(first.status.complete_cert)
    expect(beforeSummary(kept.results)).toEqual([])
    const renewed = await run(first.status, ctx(t0 + 250 * DAY)) // 115 days left: less than a third
    expect(renewed.status.complete_cert).not.toBe(first.status.complete_cert)
    expect(notAfter(renewed.status)).toBe(t0 + 250 * DAY + 365 * DAY)
    expect(renewed.status.token).toBe(first.status.token) // the token is not the certificate's to change
    expect(beforeSummary(renewed.results)).toEqual([
      {
        severity: 'info',
        message: "the complete hook's stored certificate no longer serves (due for renewal): issued a new one",
      },
    ])
    const next = await run(renewed.status, ctx(t0 + 251 * DAY))
    expect(next.status.complete_cert).toBe(renewed.status.complete_cert)
  })

  it('with renewBefore, is issued anew that many days before its end', async () => {
    const first = await run(undefined, ctx(t0))
    const at = (days: number) => run(first.status, ctx(t0 + days * DAY, { renewBefore: 30 }))
    expect((await at(300)).status.complete_cert).toBe(first.status.complete_cert) // 65 days left
    expect((await at(340)).status.complete_cert).not.toBe(first.status.complete_cert) // 25 days left
  })

  it('clamped to an intermediate that ends sooner, is not issued anew on every run, even with a renewBefore longer than it', async () => {
    const start = Date.parse(new X509Certificate(pki.read('inter-short.pem')).validFrom) + 3600 * 1000
    const end = Date.parse(new X509Certificate(pki.read('inter-short.pem')).validTo)
    const context = (at: number) => ctx(at, { renewBefore: 30 }, 'inter-short')
    const first = await run(undefined, context(start))
    expect(notAfter(first.status)).toBe(end) // clamped: under two days instead of 365
    const minuteLater = await run(first.status, context(start + 60_000))
    expect(minuteLater.status.complete_cert).toBe(first.status.complete_cert)
    // a third of its own lifetime left: issued anew, clamped again, and then kept
    const late = start + ((end - start) * 3) / 4
    const renewed = await run(first.status, context(late))
    expect(renewed.status.complete_cert).not.toBe(first.status.complete_cert)
    expect(notAfter(renewed.status)).toBe(end)
    expect((await run(renewed.status, context(late + 60_000))).status.complete_cert).toBe(renewed.status.complete_cert)
  })
})

describe('a stored certificate or key that no longer fits', () => {
  it("is issued anew when its CN is not the configured hook_user (the configuration changed): Krake's API would answer 403", async () => {
    const first = await run(undefined, ctx(t0))
    const changed = await run(first.status, ctx(t0 + DAY), in2020({ hook_user: 'system:report-hook' }))
    expect(new X509Certificate(changed.status.complete_cert as string).subject).toMatch(/CN=system:report-hook$/)
    expect(beforeSummary(changed.results)).toEqual([
      {
        severity: 'info',
        message:
          "the complete hook's stored certificate no longer serves (its CN is not the configured hook_user): issued a new one",
      },
    ])
  })

  it("is issued anew with a warning when the stored key is not the certificate's, where every later run used to fail", async () => {
    const first = await run(undefined, ctx(t0))
    const other = await run(undefined, ctx(t0))
    const mixed = { ...first.status, complete_key: other.status.complete_key }
    const r = await run(mixed, ctx(t0 + DAY))
    const cert = new X509Certificate(r.status.complete_cert as string)
    expect(r.status.complete_cert).not.toBe(first.status.complete_cert)
    expect(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(r.status.complete_key as string))).toBe(
      true,
    )
    expect(beforeSummary(r.results)).toEqual([
      {
        severity: 'warning',
        message:
          "the complete hook's stored certificate no longer serves (the stored key is not the certificate's): issued a new one",
      },
    ])
  })
})

describe('a stored token that is not a token', () => {
  it('is an error at the status key the caller wrote, naming no value', async () => {
    for (const [status, path] of [
      [{ token: 'has a space' }, '/status/token'],
      [{ complete_token: 7 }, '/status/complete_token'],
    ] as const) {
      const e = await hookErrorOfAsync(run(status, { apiEndpoint: 'http://krake-api:8080' }))
      expect([e.code, e.path]).toEqual(['ERR_INVALID_APPLICATION', path])
      expect(e.message.includes('has a space')).toBe(false)
    }
    const shutdown = parseKrakeHooksConfig(
      {
        complete: { intermediate_src: 'i', intermediate_key_src: 'k' },
        shutdown: { intermediate_src: 'i', intermediate_key_src: 'k' },
      },
      { layout: '2020' },
    )
    const e = await hookErrorOfAsync(
      mangleApplication(
        { ...app({ shutdown_token: ['x'] }), spec: { manifest: [deployment('report', 'batch')], hooks: ['shutdown'] } },
        shutdown,
        { apiEndpoint: 'http://krake-api:8080' },
      ),
    )
    expect([e.code, e.path]).toEqual(['ERR_INVALID_APPLICATION', '/status/shutdown_token'])
  })

  it('an empty or absent one is made anew, and a bad renewBefore is refused', async () => {
    const r = await run({ token: '' }, { apiEndpoint: 'http://krake-api:8080' })
    expect(r.status.token).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const e = await hookErrorOfAsync(run(undefined, ctx(t0, { renewBefore: -1 })))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_ARGUMENT', '/renewBefore'])
  })
})

describe('a second reconcile, a reschedule and a migration', () => {
  it('give the same manifests and status as the first run, as Krake keeps token and certificate in the status', async () => {
    const first = await run(undefined, ctx(t0))
    // the controller reconciles again with what it stored; a reschedule or a migration to
    // another cluster runs the same hook code on the same status days later
    for (const at of [t0, t0 + 60_000, t0 + 10 * DAY]) {
      const again = await run(first.status, ctx(at))
      expect(again.status).toEqual(first.status)
      expect(again.manifests).toEqual(first.manifests)
      expect(beforeSummary(again.results)).toEqual([])
    }
  })
})
