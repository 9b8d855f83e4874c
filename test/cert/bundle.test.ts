import { describe, expect, it } from 'vitest'
import { buildCaBundle } from '../../src/index.js'
import { fixture, hookErrorOf } from '../helpers.js'

const root = fixture('pki/root.pem')
const inter = fixture('pki/intermediate.pem')
const leaf = fixture('pki/leaf.pem')

describe('buildCaBundle(pems)', () => {
  it('keeps the order given: Krake CA first, then the intermediate', () => {
    expect(buildCaBundle([root, inter])).toBe(root + inter)
    expect(buildCaBundle([inter, root])).toBe(inter + root)
  })

  it('drops duplicates, also inside one PEM string, keeping the first place', () => {
    expect(buildCaBundle([root, inter + root, inter])).toBe(root + inter)
  })

  it('ends every block with a newline, so a bundle without a final newline still concatenates', () => {
    const bundle = buildCaBundle([root.trimEnd(), inter.trimEnd()])
    expect(bundle).toBe(root + inter)
    expect(bundle.match(/-----END CERTIFICATE-----\n/g)).toHaveLength(2)
  })

  it('ignores comments between blocks, as in many distributed bundles', () => {
    expect(buildCaBundle([`# Krake CA\n${root}\n# intermediate\n${inter}`])).toBe(root + inter)
  })

  it('refuses a private key with ERR_INVALID_PEM and the index of the offending PEM', () => {
    const e = hookErrorOf(() => buildCaBundle([root, leaf + fixture('pki/leaf-key.pem')]))
    expect([e.code, e.path, e.message]).toEqual([
      'ERR_INVALID_PEM',
      '/1',
      'expected only CERTIFICATE blocks, found PRIVATE KEY',
    ])
  })

  it('refuses text without any PEM block, a broken certificate, an empty list and a non-array', () => {
    expect(hookErrorOf(() => buildCaBundle(['hello'])).code).toBe('ERR_INVALID_PEM')
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'
    expect(hookErrorOf(() => buildCaBundle([broken])).message).toBe(
      'a CERTIFICATE block is not a valid X.509 certificate',
    )
    expect(hookErrorOf(() => buildCaBundle([])).code).toBe('ERR_INVALID_PEM')
    // @ts-expect-error: an array is required
    expect(hookErrorOf(() => buildCaBundle(root)).code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('refuses mismatched BEGIN/END labels', () => {
    const bad = root.replace('END CERTIFICATE', 'END X509 CRL')
    expect(hookErrorOf(() => buildCaBundle([bad])).code).toBe('ERR_INVALID_PEM')
  })
})
