import { X509Certificate as NodeX509, type KeyObject } from 'node:crypto'
import { AsnConvert } from '@peculiar/asn1-schema'
import { AttributeTypeAndValue, AttributeValue, Name as AsnName, RelativeDistinguishedName } from '@peculiar/asn1-x509'
import { HookError } from '../errors.js'
import type { AppRef, HookKind } from '../types.js'
import { appUri } from './app-uri.js'
import { isAppRef } from '../lib/check.js'
import { parseCertificates, parsePrivateKey, toPem } from '../lib/pem.js'
import { importSigningKey, leafKeyParams, signingAlgorithmOf, type KeyAlgorithm } from './keys.js'
import { cryptoOf, type CryptoProvider } from './provider.js'
import type * as X509 from '@peculiar/x509'
import { loadX509, type X509Module } from './x509.js'

/** Default CN of a complete hook's certificate; `system:shutdown-hook` for shutdown. */
export const DEFAULT_HOOK_USER = 'system:complete-hook'

/**
 * The provider as @peculiar/x509 types it. Its declarations use the DOM's `Crypto`, Node's its
 * `webcrypto.Crypto`: the same object, but the DOM's `generateKey` overloads include Ed25519 and
 * Node 20's do not, so neither type is assignable to the other. The one cast of this file.
 */
const forX509 = (c: CryptoProvider) => c as unknown as Crypto

const CN = '2.5.4.3'
const CLOCK_SKEW_MS = 5 * 60 * 1000
const DAY_MS = 24 * 60 * 60 * 1000

/** What one certificate is issued with. Every field is optional. */
export interface IssueParams {
  /**
   * The certificate's CN, the identity the API checks.
   * @defaultValue `system:complete-hook`
   */
  hookUser?: string | undefined
  /**
   * The leaf's key.
   * @defaultValue `'RSA-2048'`
   */
  keyAlgorithm?: KeyAlgorithm | undefined
  /**
   * Days of validity from `now`, capped at the issuer's own end.
   * @defaultValue 365
   */
  validityDays?: number | undefined
  /**
   * The issuing time.
   * @defaultValue the current time
   */
  now?: Date | undefined
  /**
   * The application the certificate is for, with `kind`: written as the URI
   * SAN `krake://<namespace>/<name>/<kind>` beside the CN, so that the API
   * side (`verifyHookRequest`, `createHookHandler`) refuses the certificate
   * for any other application's call. Krake's own API reads the CN only and
   * accepts it as before. Without it, the certificate names no application.
   */
  app?: AppRef | undefined
  /** The hook the certificate is for; given with `app`. */
  kind?: HookKind | undefined
  /**
   * Append the issuer's certificate(s) after the leaf in `certPem`, so that a
   * TLS client that does not build chains itself (Node's `tls`) still
   * presents a chain the server can follow to the Krake CA. Default `true`.
   */
  chain?: boolean | undefined
}

/** An issued certificate: PEM (leaf first), and its PKCS#8 key. Both end with a newline. */
export interface IssuedCertificate {
  /** The leaf, then (unless `chain: false`) the issuer's chain; PEM ending with a newline. */
  certPem: string
  /** The leaf's private key, PKCS#8 PEM. */
  keyPem: string
}

/** An intermediate CA, parsed and checked once, that issues hook certificates. */
export interface CertificateIssuer {
  /** The issuer's certificate(s), normalized PEM. */
  readonly certPem: string
  /** The issuer's subject, as openssl would print it (RFC 4514 order). */
  readonly subject: string
  /** Start of the issuer's validity. */
  readonly notBefore: Date
  /** End of the issuer's validity: no leaf outlives it. */
  readonly notAfter: Date
  /** Issues one client certificate, signed by this issuer. */
  issue(params?: IssueParams): Promise<IssuedCertificate>
}

/** The intermediate's certificate and key (PKCS#8, PKCS#1 or SEC1 PEM). */
export interface IssuerMaterial {
  /** The intermediate's certificate, then any chain above it. */
  certPem: string
  /** The intermediate's private key. */
  keyPem: string
  /**
   * A WebCrypto provider.
   * @defaultValue Node's own
   */
  crypto?: CryptoProvider | undefined
}

function argumentError(message: string, path: string): never {
  throw new HookError('ERR_INVALID_ARGUMENT', message, { path })
}

function checkDate(value: unknown, path: string): Date {
  if (value === undefined) return new Date()
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    argumentError(`${path.slice(1)} must be a valid Date`, path)
  return value
}

function checkValidity(issuer: { notBefore: Date; notAfter: Date }, now: Date): void {
  if (now.getTime() > issuer.notAfter.getTime()) {
    throw new HookError('ERR_ISSUER_EXPIRED', `the issuer expired on ${issuer.notAfter.toISOString()}`, {
      path: '/certPem',
    })
  }
  if (now.getTime() < issuer.notBefore.getTime()) {
    throw new HookError('ERR_ISSUER_EXPIRED', `the issuer is not valid before ${issuer.notBefore.toISOString()}`, {
      path: '/certPem',
    })
  }
}

/** The issuer's subject with its CN set to `cn` (added last when it has none); other attributes keep their encoding. */
function subjectWithCn(x509: X509Module, issuerSubject: ArrayBuffer, cn: string): X509.Name {
  const name = AsnConvert.parse(issuerSubject, AsnName)
  const cnValue = () => new AttributeTypeAndValue({ type: CN, value: new AttributeValue({ utf8String: cn }) })
  let replaced = false
  const rdns: RelativeDistinguishedName[] = []
  for (const rdn of name) {
    const kept = new RelativeDistinguishedName()
    for (const atv of rdn) {
      if (atv.type !== CN) kept.push(atv)
      else if (!replaced) {
        kept.push(cnValue())
        replaced = true
      }
    }
    if (kept.length > 0) rdns.push(kept)
  }
  if (!replaced) rdns.push(new RelativeDistinguishedName([cnValue()]))
  return new x509.Name(AsnConvert.serialize(new AsnName(rdns)))
}

/** A positive serial of 128 bits (at least 126 of them random), DER-minimal. */
function randomSerial(crypto: CryptoProvider): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  const [top = 0] = bytes
  bytes[0] = (top & 0x7f) | 0x40
  return Buffer.from(bytes).toString('hex')
}

/**
 * Parses and checks the hook's intermediate CA once (a CA allowed to sign
 * certificates, the key its own, valid now) and returns an issuer that signs
 * many client certificates with it.
 *
 * @param issuer The intermediate (`intermediate_src`) and its key (`intermediate_key_src`).
 * @param options `crypto`: a WebCrypto provider (default Node's own); `now`: the time the issuer must be valid at (default now).
 * @throws HookError `ERR_INVALID_PEM`, `ERR_KEY_MISMATCH`, `ERR_ISSUER_NOT_CA`, `ERR_ISSUER_EXPIRED`, `ERR_UNSUPPORTED_ALGORITHM`.
 *
 * @example
 * ```ts
 * const issuer = await createCertificateIssuer({ certPem: intermediatePem, keyPem: intermediateKeyPem })
 * const { certPem, keyPem } = await issuer.issue({ hookUser: 'system:complete-hook' })
 * ```
 */
export async function createCertificateIssuer(
  issuer: IssuerMaterial,
  options: { crypto?: CryptoProvider | undefined; now?: Date | undefined } = {},
): Promise<CertificateIssuer> {
  if (typeof issuer !== 'object' || issuer === null) argumentError('the issuer must be { certPem, keyPem }', '')
  const crypto = cryptoOf(options.crypto ?? issuer.crypto)
  const certs = parseCertificates(issuer.certPem, '/certPem')
  const { key } = parsePrivateKey(issuer.keyPem, '/keyPem')
  const [first] = certs
  const x509 = await loadX509()
  const cert = new x509.X509Certificate(new Uint8Array(first.block.der))
  checkIssuer(x509, cert, first.cert, key)
  const validity = { notBefore: cert.notBefore, notAfter: cert.notAfter }
  checkValidity(validity, checkDate(options.now, '/now'))

  const alg = signingAlgorithmOf(key)
  const signer: Signer = {
    x509,
    crypto,
    alg,
    signingKey: await importSigningKey(crypto, key, alg),
    // AKI = the issuer's SKI; an issuer without one gets the RFC 5280 key hash, as openssl does.
    ski:
      cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ??
      (await x509.SubjectKeyIdentifierExtension.create(cert.publicKey, false, forX509(crypto))).keyId,
    issuerName: cert.subjectName,
    issuerSubject: cert.subjectName.toArrayBuffer(),
    validity,
    chainPem: certs.map((c) => c.block.pem).join(''),
  }
  return {
    certPem: signer.chainPem,
    subject: cert.subject,
    notBefore: validity.notBefore,
    notAfter: validity.notAfter,
    async issue(params: IssueParams = {}): Promise<IssuedCertificate> {
      const leaf = await signLeaf(signer, checkIssueParams(params, validity))
      return params.chain === false ? leaf : { ...leaf, certPem: leaf.certPem + signer.chainPem }
    },
  }
}

/** What an issuer keeps from its intermediate to sign with. */
interface Signer {
  x509: X509Module
  crypto: CryptoProvider
  alg: ReturnType<typeof signingAlgorithmOf>
  signingKey: CryptoKey
  ski: string
  issuerName: X509.Name
  /** The issuer's subject DER, which each leaf's subject copies with its CN swapped in. */
  issuerSubject: ArrayBuffer
  validity: { notBefore: Date; notAfter: Date }
  chainPem: string
}

/** The intermediate may sign certificates, and the key is its own: checked one by one so the message says which is wrong (Node's `ca` folds both). */
function checkIssuer(x509: X509Module, cert: X509.X509Certificate, node: NodeX509, key: KeyObject): void {
  if (cert.getExtension(x509.BasicConstraintsExtension)?.ca !== true) {
    throw new HookError(
      'ERR_ISSUER_NOT_CA',
      `the issuer "${node.subject.replace(/\n/g, ', ')}" is not a CA (basicConstraints CA:TRUE is missing)`,
      { path: '/certPem' },
    )
  }
  const usage = cert.getExtension(x509.KeyUsagesExtension)
  if (usage !== null && (usage.usages & x509.KeyUsageFlags.keyCertSign) === 0) {
    throw new HookError('ERR_ISSUER_NOT_CA', 'the issuer may not sign certificates (its keyUsage lacks keyCertSign)', {
      path: '/certPem',
    })
  }
  if (!node.checkPrivateKey(key))
    throw new HookError('ERR_KEY_MISMATCH', "keyPem is not the issuer certificate's key", { path: '/keyPem' })
}

/** One leaf to sign, checked. */
interface LeafRequest {
  hookUser: string
  /** `krake://<namespace>/<name>/<kind>`, or undefined. */
  appUri: string | undefined
  keyParams: ReturnType<typeof leafKeyParams>
  notBefore: Date
  notAfter: Date
}

/** The application's URI SAN of `params`, checked: both `app` and `kind`, or neither. */
function appUriOf(params: IssueParams): string | undefined {
  if (params.app === undefined && params.kind === undefined) return undefined
  const app = params.app
  if (!isAppRef(app)) argumentError('app must be { name, namespace } (non-empty strings), given with kind', '/app')
  if (params.kind !== 'complete' && params.kind !== 'shutdown')
    argumentError('kind must be "complete" or "shutdown", given with app', '/kind')
  return appUri(app, params.kind)
}

function checkIssueParams(params: IssueParams, validity: Signer['validity']): LeafRequest {
  if (typeof params !== 'object' || params === null)
    argumentError('issue() takes { hookUser?, keyAlgorithm?, validityDays?, now?, chain? }', '')
  const hookUser = params.hookUser ?? DEFAULT_HOOK_USER
  if (typeof hookUser !== 'string' || hookUser === '' || hookUser.length > 64 || !hookUser.isWellFormed()) {
    argumentError('hookUser must be a string of 1 to 64 characters (the certificate CN)', '/hookUser')
  }
  const keyParams = leafKeyParams(params.keyAlgorithm ?? 'RSA-2048')
  const days = params.validityDays ?? 365
  if (typeof days !== 'number' || !Number.isFinite(days) || days <= 0)
    argumentError('validityDays must be a positive number', '/validityDays')
  const now = checkDate(params.now, '/now')
  checkValidity(validity, now)
  return {
    hookUser,
    appUri: appUriOf(params),
    keyParams,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter: new Date(Math.min(now.getTime() + days * DAY_MS, validity.notAfter.getTime())),
  }
}

/** A fresh key pair and its X.509 v3 client certificate, signed by the intermediate; the leaf alone. */
async function signLeaf(signer: Signer, leaf: LeafRequest): Promise<IssuedCertificate> {
  const { crypto, x509 } = signer
  const keys = await crypto.subtle.generateKey(leaf.keyParams, true, ['sign', 'verify'])
  const rsa = leaf.keyParams.name !== 'ECDSA'
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: randomSerial(crypto),
      subject: subjectWithCn(x509, signer.issuerSubject, leaf.hookUser),
      issuer: signer.issuerName,
      notBefore: leaf.notBefore,
      notAfter: leaf.notAfter,
      publicKey: keys.publicKey,
      signingKey: signer.signingKey,
      signingAlgorithm: signer.alg.signParams,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          // a bit set of KeyUsageFlags: TypeScript types the OR of two members as a number
          // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
          rsa
            ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
            : x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, forX509(crypto)),
        new x509.AuthorityKeyIdentifierExtension(signer.ski, false),
        ...(leaf.appUri === undefined
          ? []
          : [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: leaf.appUri }])]),
      ],
    },
    forX509(crypto),
  )
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey)
  return {
    certPem: toPem('CERTIFICATE', new Uint8Array(cert.rawData)),
    keyPem: toPem('PRIVATE KEY', new Uint8Array(pkcs8)),
  }
}

/** One-shot issuance: {@link createCertificateIssuer} then `issue`. */
export interface IssueHookCertificateParams extends IssueParams {
  /** The intermediate's certificate (`intermediate_src`). */
  issuerCertPem: string
  /** The intermediate's key (`intermediate_key_src`). */
  issuerKeyPem: string
  /**
   * A WebCrypto provider.
   * @defaultValue Node's own
   */
  crypto?: CryptoProvider | undefined
}

/**
 * Issues one hook client certificate signed by the intermediate. For many
 * certificates, load the issuer once with {@link createCertificateIssuer}.
 *
 * @example
 * ```ts
 * const { certPem, keyPem } = await issueHookCertificate({
 *   issuerCertPem, issuerKeyPem, hookUser: 'system:complete-hook', keyAlgorithm: 'ECDSA-P256',
 * })
 * ```
 */
export async function issueHookCertificate(params: IssueHookCertificateParams): Promise<IssuedCertificate> {
  if (typeof params !== 'object' || params === null)
    argumentError('issueHookCertificate takes { issuerCertPem, issuerKeyPem, hookUser, ... }', '')
  const { issuerCertPem, issuerKeyPem, crypto, ...issue } = params
  const issuer = await createCertificateIssuer(
    { certPem: issuerCertPem, keyPem: issuerKeyPem },
    { crypto, now: params.now },
  )
  return issuer.issue(issue)
}
