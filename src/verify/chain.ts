// The client certificate check of verifyHookRequest: the chain as
// `openssl verify -purpose sslclient` judges it, with the bundle's
// certificates as trust anchors.
import { X509Certificate } from 'node:crypto'
import { x509 } from '../cert/x509.js'
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

function link(node: X509Certificate): Link {
  const cert = new x509.X509Certificate(node.raw)
  const basic = cert.getExtension(x509.BasicConstraintsExtension)
  const keyUsage = cert.getExtension(x509.KeyUsagesExtension)
  const eku = cert.getExtension(x509.ExtendedKeyUsageExtension)
  return {
    node,
    ca: basic?.ca === true,
    pathLength: basic?.ca === true ? basic.pathLength : undefined,
    usages: keyUsage?.usages,
    extendedUsages: eku?.usages.map(String),
    // Every CN attribute, from single- and multi-valued RDNs alike, unescaped
    commonNames: cert.subjectName.getField('CN'),
    selfIssued: node.subject === node.issuer,
    unknownCritical: cert.extensions.some((e) => e.critical && !KNOWN_EXTENSIONS.has(e.type)),
  }
}

const validAt = (c: X509Certificate, now: number) => now >= Date.parse(c.validFrom) && now <= Date.parse(c.validTo)
const has = (usages: number | undefined, bits: number) => usages === undefined || (usages & bits) !== 0

/** What a client certificate may be used for, as OpenSSL's ssl-client purpose: digitalSignature or keyAgreement, and clientAuth when EKU is there. */
function clientLeaf(leaf: Link): boolean {
  if (leaf.ca) return false
  if (!has(leaf.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement)) return false
  return leaf.extendedUsages === undefined || leaf.extendedUsages.includes(CLIENT_AUTH)
}

/** A certificate that may sign others: CA:TRUE, keyCertSign when keyUsage is there. */
const signer = (c: Link) => c.ca && has(c.usages, x509.KeyUsageFlags.keyCertSign)

/** Parsed trust anchors, by bundle text: a server checks many calls against one bundle. */
let lastBundle: { pem: string; anchors: Link[] } | undefined

/** The bundle's certificates; a bundle that is not PEM certificates is the server's mistake and throws. */
export function anchorsOf(pem: string): Link[] {
  if (lastBundle?.pem !== pem)
    lastBundle = { pem, anchors: parseCertificates(pem, '/caBundlePem').map((c) => link(c.cert)) }
  return lastBundle.anchors
}

/**
 * The CNs of the client's leaf when its chain (leaf first, then what the
 * client sent) leads to one of `anchors`, each link valid at `now`, signed by
 * its issuer, the issuers CAs allowed to sign with a path length that allows
 * the certificates below them, the leaf a client certificate; undefined
 * otherwise.
 */
export function verifiedClient(clientPem: string, anchors: readonly Link[], now: number): string[] | undefined {
  const [first, ...rest] = parseCertificates(clientPem, '/clientCertPem')
  const leaf = link(first.cert)
  if (!validAt(leaf.node, now) || !clientLeaf(leaf) || leaf.unknownCritical) return undefined
  const pool = [...rest.map((c) => link(c.cert)), ...anchors]
  let current = leaf
  // CA certificates between the current one and the leaf, self-issued ones not counted (RFC 5280 6.1.4)
  let below = 0
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (anchors.some((a) => a.node.raw.equals(current.node.raw))) return leaf.commonNames
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
