import { spawnSync } from 'node:child_process'
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createCertificateIssuer,
  issueHookCertificate,
  type CertificateIssuer,
  type KeyAlgorithm,
} from '../../src/index.js'
import { makePki, openssl, opensslVerify, type Pki } from '../pki.js'
import { hookErrorOfAsync } from '../helpers.js'

let pki: Pki
beforeAll(() => {
  pki = makePki()
})
afterAll(() => pki?.cleanup())

const material = (name: string) => ({ certPem: pki.read(`${name}.pem`), keyPem: pki.read(`${name}-key.pem`) })
const NOW = new Date(Date.UTC(2027, 0, 15, 12, 0, 0))

/** The extensions of a certificate as `openssl x509 -text` prints them. */
const opensslText = (pem: string) => openssl(['x509', '-noout', '-text'], pem)

describe('issueHookCertificate: openssl verify -x509_strict -purpose sslclient accepts the leaf', () => {
  const matrix: Array<[string, KeyAlgorithm]> = [
    ['inter-rsa-pkcs1', 'RSA-2048'],
    ['inter-rsa-pkcs1', 'ECDSA-P256'],
    ['inter-rsa-pkcs8', 'ECDSA-P384'],
    ['inter-rsa-pkcs8', 'RSA-2048'],
    ['inter-ec-sec1', 'ECDSA-P256'],
    ['inter-ec-sec1', 'RSA-2048'],
  ]
  it.each(matrix)('issuer %s, leaf %s', async (inter, keyAlgorithm) => {
    const { certPem, keyPem } = await issueHookCertificate({
      issuerCertPem: pki.read(`${inter}.pem`),
      issuerKeyPem: pki.read(`${inter}-key.pem`),
      hookUser: 'system:complete-hook',
      keyAlgorithm,
    })
    expect(opensslVerify(pki, `${inter}.pem`, certPem)).toMatch(/: OK$/)
    expect(new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))).toBe(true)
  })

  it.each(['RSA-3072', 'RSA-4096'] as const)('leaf %s', async (keyAlgorithm) => {
    const { certPem, keyPem } = await issueHookCertificate({
      issuerCertPem: pki.read('inter-ec-sec1.pem'),
      issuerKeyPem: pki.read('inter-ec-sec1-key.pem'),
      hookUser: 'u',
      keyAlgorithm,
    })
    expect(opensslVerify(pki, 'inter-ec-sec1.pem', certPem)).toMatch(/: OK$/)
    expect(createPrivateKey(keyPem).asymmetricKeyDetails?.modulusLength).toBe(Number(keyAlgorithm.slice(4)))
  })
})

describe('createCertificateIssuer(...).issue(): every field of the leaf', () => {
  let issuer: CertificateIssuer
  let inter: X509Certificate
  beforeAll(async () => {
    issuer = await createCertificateIssuer(material('inter-rsa-pkcs1'), { now: NOW })
    inter = new X509Certificate(pki.read('inter-rsa-pkcs1.pem'))
  })

  it('RSA leaf: v3, subject, issuer, serial, validity, extensions, PEM shape', async () => {
    const { certPem, keyPem } = await issuer.issue({ hookUser: 'system:complete-hook', now: NOW })
    const leaf = new X509Certificate(certPem)
    expect(leaf.subject).toBe('C=DE\nO=Krake\nOU=Hooks\nCN=system:complete-hook')
    expect(leaf.issuer).toBe(inter.subject)
    expect(leaf.checkIssued(inter)).toBe(true)
    expect(leaf.verify(inter.publicKey)).toBe(true)
    expect(leaf.ca).toBe(false)
    expect(new Date(leaf.validFrom).getTime()).toBe(NOW.getTime() - 5 * 60 * 1000)
    expect(new Date(leaf.validTo).getTime()).toBe(NOW.getTime() + 365 * 24 * 3600 * 1000)
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2'])
    const serial = BigInt('0x' + leaf.serialNumber)
    expect(serial > 0n).toBe(true)
    expect(serial >= 2n ** 64n).toBe(true)

    const text = opensslText(certPem)
    expect(text).toMatch(/Version: 3 \(0x2\)/)
    expect(text).toMatch(/X509v3 Basic Constraints: critical\n\s+CA:FALSE/)
    expect(text).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/)
    expect(text).toMatch(/X509v3 Extended Key Usage: \n\s+TLS Web Client Authentication\n/)
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/)
    const ski = /X509v3 Subject Key Identifier: \n\s+([0-9A-F:]+)/.exec(text)?.[1]
    const aki = /X509v3 Authority Key Identifier: \n\s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1]
    const interSki = /X509v3 Subject Key Identifier: \n\s+([0-9A-F:]+)/.exec(
      opensslText(pki.read('inter-rsa-pkcs1.pem')),
    )?.[1]
    expect(ski).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2}){19}$/)
    expect(aki).toBe(interSki)

    expect(certPem.endsWith('-----END CERTIFICATE-----\n')).toBe(true)
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+\n-----END PRIVATE KEY-----\n$/)
    expect(createPrivateKey(keyPem).asymmetricKeyDetails?.modulusLength).toBe(2048)
  })

  it('ECDSA leaf: keyUsage is digitalSignature only, P-256 key', async () => {
    const { certPem, keyPem } = await issuer.issue({ keyAlgorithm: 'ECDSA-P256', now: NOW })
    expect(opensslText(certPem)).toMatch(/X509v3 Key Usage: critical\n\s+Digital Signature\n/)
    expect(createPrivateKey(keyPem).asymmetricKeyDetails?.namedCurve).toBe('prime256v1')
  })

  it('hookUser defaults to system:complete-hook and sets the CN', async () => {
    expect(new X509Certificate((await issuer.issue({ keyAlgorithm: 'ECDSA-P256', now: NOW })).certPem).subject).toMatch(
      /CN=system:complete-hook$/,
    )
    expect(
      new X509Certificate(
        (await issuer.issue({ keyAlgorithm: 'ECDSA-P256', hookUser: 'system:shutdown-hook', now: NOW })).certPem,
      ).subject,
    ).toMatch(/CN=system:shutdown-hook$/)
  })

  it("validityDays sets notAfter, never past the issuer's own", async () => {
    const short = new X509Certificate(
      (await issuer.issue({ keyAlgorithm: 'ECDSA-P256', validityDays: 7, now: NOW })).certPem,
    )
    expect(new Date(short.validTo).getTime()).toBe(NOW.getTime() + 7 * 24 * 3600 * 1000)
    const long = new X509Certificate(
      (await issuer.issue({ keyAlgorithm: 'ECDSA-P256', validityDays: 100_000, now: NOW })).certPem,
    )
    expect(new Date(long.validTo).getTime()).toBe(new Date(inter.validTo).getTime())
  })

  it('serials differ between certificates', async () => {
    const serials = new Set<string>()
    for (let i = 0; i < 20; i++)
      serials.add(
        new X509Certificate((await issuer.issue({ keyAlgorithm: 'ECDSA-P256', now: NOW })).certPem).serialNumber,
      )
    expect(serials.size).toBe(20)
  })

  it('certPem carries the issuer after the leaf; chain: false gives the leaf alone', async () => {
    const withChain = await issuer.issue({ keyAlgorithm: 'ECDSA-P256', now: NOW })
    expect(withChain.certPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2)
    expect(withChain.certPem.endsWith(issuer.certPem)).toBe(true)
    const alone = await issuer.issue({ keyAlgorithm: 'ECDSA-P256', now: NOW, chain: false })
    expect(alone.certPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(1)
  })

  it('an issuer without a subjectKeyIdentifier gets an AKI computed from its key, as openssl does', async () => {
    const { certPem } = await issueHookCertificate({
      issuerCertPem: pki.read('inter-noski.pem'),
      issuerKeyPem: pki.read('inter-noski-key.pem'),
      hookUser: 'u',
      keyAlgorithm: 'ECDSA-P256',
    })
    expect(opensslText(pki.read('inter-noski.pem'))).not.toMatch(/Subject Key Identifier/)
    const aki = /X509v3 Authority Key Identifier: \n\s+(?:keyid:)?([0-9A-F:]+)/.exec(opensslText(certPem))?.[1]
    // RFC 5280 method 1: SHA-1 of the subjectPublicKey bits (for P-256, the 65-byte point that ends the SPKI)
    const point = createPublicKey(pki.read('inter-noski.pem')).export({ type: 'spki', format: 'der' }).subarray(-65)
    const expected = createHash('sha1').update(point).digest('hex').toUpperCase().match(/../g)!.join(':')
    expect(aki).toBe(expected)
    writeFileSync(pki.path('noski-leaf.pem'), certPem)
    const verify = (strict: string[]) =>
      spawnSync(
        'openssl',
        [
          'verify',
          ...strict,
          '-purpose',
          'sslclient',
          '-CAfile',
          pki.path('root.pem'),
          '-untrusted',
          pki.path('inter-noski.pem'),
          pki.path('noski-leaf.pem'),
        ],
        { encoding: 'utf8' },
      )
    expect(verify([]).stdout).toMatch(/: OK\n$/)
    // -x509_strict faults the intermediate itself (depth 1) for lacking SKI and AKI, never our leaf (depth 0)
    const strict = verify(['-x509_strict'])
    expect(strict.status).not.toBe(0)
    expect(strict.stderr).toMatch(/error \d+ at 1 depth lookup: Missing (Subject|Authority) Key Identifier/)
    expect(strict.stderr).not.toMatch(/at 0 depth/)
  })

  it('exposes the issuer subject and validity', () => {
    expect(issuer.subject).toMatch(/CN=system:complete-signing/)
    expect(issuer.notAfter.getTime()).toBe(new Date(inter.validTo).getTime())
    expect(issuer.notBefore.getTime()).toBe(new Date(inter.validFrom).getTime())
  })
})

describe('crypto providers', () => {
  it('@peculiar/webcrypto works through the crypto parameter', async () => {
    const crypto = new PeculiarCrypto()
    const { certPem } = await issueHookCertificate({
      issuerCertPem: pki.read('inter-ec-sec1.pem'),
      issuerKeyPem: pki.read('inter-ec-sec1-key.pem'),
      hookUser: 'system:complete-hook',
      keyAlgorithm: 'ECDSA-P256',
      crypto: crypto as never,
    })
    expect(opensslVerify(pki, 'inter-ec-sec1.pem', certPem)).toMatch(/: OK$/)
    const issuer = await createCertificateIssuer(material('inter-rsa-pkcs1'), { crypto: crypto as never })
    expect(
      opensslVerify(pki, 'inter-rsa-pkcs1.pem', (await issuer.issue({ keyAlgorithm: 'ECDSA-P384' })).certPem),
    ).toMatch(/: OK$/)
  })

  it('a crypto that is not a WebCrypto provider is ERR_INVALID_ARGUMENT', async () => {
    const e = await hookErrorOfAsync(createCertificateIssuer(material('inter-ec-sec1'), { crypto: {} as never }))
    expect(e.code).toBe('ERR_INVALID_ARGUMENT')
    expect(e.path).toBe('/crypto')
  })
})

describe('createCertificateIssuer: refused issuers and parameters', () => {
  it('garbage PEM is ERR_INVALID_PEM', async () => {
    const e = await hookErrorOfAsync(
      createCertificateIssuer({ certPem: 'garbage', keyPem: pki.read('inter-ec-sec1-key.pem') }),
    )
    expect([e.code, e.path, e.message]).toEqual(['ERR_INVALID_PEM', '/certPem', 'certPem holds no PEM block'])
    const k = await hookErrorOfAsync(
      createCertificateIssuer({ certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-ec-sec1.pem') }),
    )
    expect([k.code, k.path]).toEqual(['ERR_INVALID_PEM', '/keyPem'])
  })

  it('a key that does not match is ERR_KEY_MISMATCH', async () => {
    const e = await hookErrorOfAsync(
      createCertificateIssuer({ certPem: pki.read('inter-ec-sec1.pem'), keyPem: pki.read('inter-rsa-pkcs1-key.pem') }),
    )
    expect([e.code, e.path, e.message]).toEqual([
      'ERR_KEY_MISMATCH',
      '/keyPem',
      "keyPem is not the issuer certificate's key",
    ])
  })

  it('a certificate that is not a CA is ERR_ISSUER_NOT_CA', async () => {
    const e = await hookErrorOfAsync(createCertificateIssuer(material('leaf')))
    expect(e.code).toBe('ERR_ISSUER_NOT_CA')
    expect(e.message).toMatch(/is not a CA/)
  })

  it('a CA whose keyUsage lacks keyCertSign is ERR_ISSUER_NOT_CA', async () => {
    const e = await hookErrorOfAsync(createCertificateIssuer(material('inter-nosign')))
    expect(e.code).toBe('ERR_ISSUER_NOT_CA')
    expect(e.message).toMatch(/lacks keyCertSign/)
  })

  it('an expired issuer is ERR_ISSUER_EXPIRED, when loaded and when issuing', async () => {
    const later = new Date(Date.now() + 3 * 24 * 3600 * 1000)
    const e = await hookErrorOfAsync(createCertificateIssuer(material('inter-short'), { now: later }))
    expect(e.code).toBe('ERR_ISSUER_EXPIRED')
    expect(e.message).toMatch(/^the issuer expired on \d{4}-/)
    const issuer = await createCertificateIssuer(material('inter-short'))
    expect((await hookErrorOfAsync(issuer.issue({ now: later }))).code).toBe('ERR_ISSUER_EXPIRED')
  })

  it('an unknown algorithm is ERR_UNSUPPORTED_ALGORITHM', async () => {
    const issuer = await createCertificateIssuer(material('inter-ec-sec1'))
    // @ts-expect-error: not a supported algorithm
    const e = await hookErrorOfAsync(issuer.issue({ keyAlgorithm: 'DSA-1024' }))
    expect([e.code, e.path]).toEqual(['ERR_UNSUPPORTED_ALGORITHM', '/keyAlgorithm'])
    expect(e.message).toMatch(/RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384/)
  })

  it.each([
    [{ validityDays: 0 }, '/validityDays'],
    [{ validityDays: Number.NaN }, '/validityDays'],
    [{ hookUser: '' }, '/hookUser'],
    [{ hookUser: 'x'.repeat(65) }, '/hookUser'],
    [{ now: new Date(Number.NaN) }, '/now'],
  ])('issue(%j) is ERR_INVALID_ARGUMENT at its field', async (params, path) => {
    const issuer = await createCertificateIssuer(material('inter-ec-sec1'))
    const e = await hookErrorOfAsync(issuer.issue({ keyAlgorithm: 'ECDSA-P256', ...params }))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_ARGUMENT', path])
  })

  it('a non-object issuer is ERR_INVALID_ARGUMENT', async () => {
    // @ts-expect-error: an issuer is required
    expect((await hookErrorOfAsync(createCertificateIssuer(null))).code).toBe('ERR_INVALID_ARGUMENT')
    // @ts-expect-error: params are required
    expect((await hookErrorOfAsync(issueHookCertificate('x'))).code).toBe('ERR_INVALID_ARGUMENT')
  })
})

describe('an encrypted issuer key (issue 11)', () => {
  it.each([
    ['PKCS#8 (BEGIN ENCRYPTED PRIVATE KEY)', ['pkcs8', '-topk8', '-v2', 'aes-256-cbc', '-passout', 'pass:secret']],
    ['the older Proc-Type header', ['ec', '-aes256', '-passout', 'pass:secret']],
  ])('%s is ERR_INVALID_PEM: decrypt it first', async (_, args) => {
    const out = pki.path(`encrypted-${args[0]}.pem`)
    openssl([...args, '-in', pki.path('inter-ec-sec1-key.pem'), '-out', out])
    const { readFileSync } = await import('node:fs')
    const keyPem = readFileSync(out, 'utf8')
    const e = await hookErrorOfAsync(createCertificateIssuer({ certPem: pki.read('inter-ec-sec1.pem'), keyPem }))
    expect([e.code, e.path, e.message]).toEqual([
      'ERR_INVALID_PEM',
      '/keyPem',
      'the private key is encrypted: decrypt it first (openssl pkey -in key.pem -out key-plain.pem)',
    ])
  })
})
