import type { TLSSocket } from 'node:tls'
import { toPem } from '../lib/pem.js'

/**
 * The client's certificate chain of a TLS connection, as PEM (leaf first), for
 * `verifyHookRequest`'s `clientCertPem`; undefined when the client sent none.
 * `socket.getPeerX509Certificate()` gives the leaf alone, which cannot be
 * followed to the Krake CA when the intermediate came from the client.
 *
 * @example
 * ```ts
 * https.createServer({ requestCert: true, ca: krakeCaPem, key, cert }, (req, res) => {
 *   const clientCertPem = peerCertificatePem(req.socket as TLSSocket)
 * })
 * ```
 */
export function peerCertificatePem(socket: TLSSocket): string | undefined {
  let cert = socket.getPeerCertificate(true)
  if (cert === null || cert === undefined || !cert.raw) return undefined
  let pem = ''
  const seen = new Set<string>()
  for (let depth = 0; depth < 10 && cert?.raw; depth++) {
    if (seen.has(cert.fingerprint256)) break // a self-signed root is its own issuer
    seen.add(cert.fingerprint256)
    pem += toPem('CERTIFICATE', cert.raw)
    cert = cert.issuerCertificate
  }
  return pem
}
