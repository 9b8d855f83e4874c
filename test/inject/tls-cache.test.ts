// The TLS sets a plan remembers (src/inject/plan.ts): found by the leaf
// certificate, but only ever reused for the very same three strings, so a
// remembered good set never lets another key or bundle through.
import { describe, expect, it } from 'vitest'
import { injectHook } from '../../src/index.js'
import { deployment, fixture, fixtureTls, hookErrorOf, spec } from '../helpers.js'

const good = fixtureTls()
const hooked = (tls: typeof good) => injectHook([deployment('web', 'prod')], spec({ apiEndpoint: 'https://k', tls }))

describe('the remembered TLS sets', () => {
  it('refuse the remembered certificate with another key, and with a bundle that is not PEM, after the good set was seen', () => {
    hooked(good)
    const other = { ...good, keyPem: fixture('pki/intermediate-key.pem') }
    hooked({ ...good, certPem: good.certPem + '\n' }) // a second set, remembered by another leaf string
    const e = hookErrorOf(() => hooked(other))
    expect([e.code, e.path]).toEqual(['ERR_KEY_MISMATCH', '/tls/keyPem'])
    const bundle = hookErrorOf(() => hooked({ ...good, caBundlePem: 'not PEM' }))
    expect([bundle.code, bundle.path]).toEqual(['ERR_INVALID_PEM', '/tls/caBundlePem'])
    // and the good set, seen again after the failures, is still good: the same output as the first time
    expect(hooked(good)).toEqual(hooked({ ...good }))
  })

  it('give two sets in turn the outputs each gives alone', () => {
    const second = { ...good, certPem: good.certPem + '\n' }
    const alone = [JSON.stringify(hooked(good)), JSON.stringify(hooked(second))]
    for (let i = 0; i < 4; i++) expect(JSON.stringify(hooked(i % 2 === 0 ? good : second))).toBe(alone[i % 2])
  })
})
