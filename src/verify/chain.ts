// The client certificate check of verifyHookRequest: the chain as
// `openssl verify -purpose sslclient` judges it, with the bundle's
// certificates as trust anchors. The extensions are read with the ASN.1
// schemas alone (@peculiar/asn1-x509): no @peculiar/x509, so the API side
// loads no Reflect polyfill.
import { X509Certificate } from 'node:crypto'
import { AsnConvert } from '@peculiar/asn1-schema'
import {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  KeyUsage,
  SubjectAlternativeName,
  KeyUsageFlags,
  type Extension,
  type GeneralName,
} from '@peculiar/asn1-x509'
import { APP_URI_SCHEME } from '../cert/app-uri.js'
import { parseCertificates } from '../lib/pem.js'

const MAX_CHAIN = 8
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2'

/** What the check needs of one certificate: Node's for signatures and dates, the parsed extensions for the rules. */
interface Link {
  node: X509Certificate
  ca: boolean
  pathLength: number | undefined
  /** keyUsage bits, or undefined when the extension is absent (then anything goes). */
  usages: number | undefined
  extendedUsages: string[] | undefined
  commonNames: string[]
  /** The URI SANs that name an application (`krake://<namespace>/<name>/<kind>`). */
  appUris: string[]
  selfIssued: boolean
  /** It has a critical extension this check does not know: openssl refuses the chain then, and so do we. */
  unknownCritical: boolean
}

/**
 * The extensions whose meaning is checked or harmless to ignore, as OpenSSL's
 * X509_supported_extension lists them: a critical one of any other kind must
 * not be accepted blindly (RFC 5280 4.2).
 */
const KNOWN_EXTENSIONS = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.19', // basicConstraints
  '2.5.29.30', // nameConstraints
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.36', // policyConstraints
  '2.5.29.37', // extendedKeyUsage
  '2.5.29.54', // inhibitAnyPolicy
  '2.5.29.31', // cRLDistributionPoints
  '1.3.6.1.5.5.7.1.14', // proxyCertInfo
  '1.3.6.1.5.5.7.1.7', // ipAddrBlocks
  '1.3.6.1.5.5.7.1.8', // autonomousSysIds
  '2.16.840.1.113730.1.1', // netscape-cert-type
])

const COMMON_NAME = '2.5.4.3'

/** The value of the extension `id`, parsed with `schema`; undefined when the certificate has none. */
function extension<T>(extensions: readonly Extension[], id: string, schema: new () => T): T | undefined {
  const found = extensions.find((e) => e.extnID === id)
  return found === undefined ? undefined : AsnConvert.parse(found.extnValue, schema)
}

function link(node: X509Certificate): Link {
  const cert = AsnConvert.parse(node.raw, Certificate)
  const extensions: readonly Extension[] = cert.tbsCertificate.extensions ?? []
  const basic = extension(extensions, id_ce_basicConstraints, BasicConstraints)
  const keyUsage = extension(extensions, id_ce_keyUsage, KeyUsage)
  const eku = extension(extensions, id_ce_extKeyUsage, ExtendedKeyUsage)
  const names: readonly GeneralName[] = extension(extensions, id_ce_subjectAltName, SubjectAlternativeName) ?? []
  return {
    node,
    ca: basic?.cA === true,
    pathLength: basic?.cA === true ? basic.pathLenConstraint : undefined,
    usages: keyUsage?.toNumber(),
    extendedUsages: eku?.map(String),
    // Every CN attribute, from single- and multi-valued RDNs alike, unescaped
    commonNames: cert.tbsCertificate.subject.flatMap((rdn) =>
      rdn.filter((a) => a.type === COMMON_NAME).map((a) => a.value.toString()),
    ),
    appUris: names
      .map((name) => name.uniformResourceIdentifier)
      .filter((uri): uri is string => uri?.toLowerCase().startsWith(APP_URI_SCHEME) === true),
    selfIssued: node.subject === node.issuer,
    unknownCritical: extensions.some((e) => e.critical && !KNOWN_EXTENSIONS.has(e.extnID)),
  }
}

const validAt = (c: X509Certificate, now: number) => now >= Date.parse(c.validFrom) && now <= Date.parse(c.validTo)
const has = (usages: number | undefined, bits: number) => usages === undefined || (usages & bits) !== 0

/** What a client certificate may be used for, as OpenSSL's ssl-client purpose: digitalSignature or keyAgreement, and clientAuth when EKU is there. */
function clientLeaf(leaf: Link): boolean {
  if (leaf.ca) return false
  if (!has(leaf.usages, KeyUsageFlags.digitalSignature | KeyUsageFlags.keyAgreement)) return false
  return leaf.extendedUsages === undefined || leaf.extendedUsages.includes(CLIENT_AUTH)
}

/** A certificate that may sign others: CA:TRUE, keyCertSign when keyUsage is there. */
const signer = (c: Link) => c.ca && has(c.usages, KeyUsageFlags.keyCertSign)

/** Parsed trust anchors, by bundle text: a server checks many calls against one bundle. */
let lastBundle: { pem: string; anchors: Link[] } | undefined

/** The bundle's certificates; a bundle that is not PEM certificates is the server's mistake and throws. */
export function anchorsOf(pem: string): Link[] {
  if (lastBundle?.pem !== pem)
    lastBundle = { pem, anchors: parseCertificates(pem, '/caBundlePem').map((c) => link(c.cert)) }
  return lastBundle.anchors
}

/** Who a verified client certificate says it is. */
export interface ClientIdentity {
  /** Every CN of the leaf's subject. */
  commonNames: string[]
  /** The leaf's application URIs (`krake://<namespace>/<name>/<kind>`); empty when it names none. */
  appUris: string[]
}

/**
 * The identity of the client's leaf when its chain (leaf first, then what the
 * client sent) leads to one of `anchors`, each link valid at `now`, signed by
 * its issuer, the issuers CAs allowed to sign with a path length that allows
 * the certificates below them, the leaf a client certificate; undefined
 * otherwise.
 */
export function verifiedClient(clientPem: string, anchors: readonly Link[], now: number): ClientIdentity | undefined {
  const [first, ...rest] = parseCertificates(clientPem, '/clientCertPem')
  const leaf = link(first.cert)
  if (!validAt(leaf.node, now) || !clientLeaf(leaf) || leaf.unknownCritical) return undefined
  const pool = [...rest.map((c) => link(c.cert)), ...anchors]
  let current = leaf
  // CA certificates between the current one and the leaf, self-issued ones not counted (RFC 5280 6.1.4)
  let below = 0
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (anchors.some((a) => a.node.raw.equals(current.node.raw)))
      return { commonNames: leaf.commonNames, appUris: leaf.appUris }
    const issuer = pool.find(
      (c) =>
        c !== current &&
        signer(c) &&
        validAt(c.node, now) &&
        current.node.checkIssued(c.node) &&
        current.node.verify(c.node.publicKey),
    )
    if (issuer === undefined || issuer.unknownCritical) return undefined
    if (current !== leaf && !current.selfIssued) below++
    if (issuer.pathLength !== undefined && below > issuer.pathLength) return undefined
    current = issuer
  }
  return undefined
}
