import type { TLSSocket } from 'node:tls'
import { BoundedCache } from '../lib/bounded-cache.js'
import { toPem } from '../lib/pem.js'

/**
 * The chains seen on full handshakes, by the leaf's SHA-256 fingerprint, at
 * most this many (the oldest dropped first). A resumed TLS session carries
 * the client's leaf but not the intermediates it sent: OpenSSL keeps only the
 * leaf in the session. Without them a chain check that trusts only the Krake
 * CA would refuse a client for resuming.
 */
const chains = new BoundedCache<string>(1024)

/**
 * The client's certificate chain of a TLS connection, as PEM (leaf first), for
 * `verifyHookRequest`'s `clientCertPem`; undefined when the client sent none.
 * `socket.getPeerX509Certificate()` gives the leaf alone, which cannot be
 * followed to the Krake CA when the intermediate came from the client.
 *
 * A resumed session (a client that caches TLS sessions: Node's `https.Agent`,
 * undici, Java) carries the leaf alone; its chain is then the one that leaf
 * presented on its last full handshake with this process (the last 1024
 * leaves are remembered), so a resumed client is judged exactly as on a full
 * handshake. The chain is only ever a list of public certificates: it is
 * checked again on every call. After a restart, or past 1024 clients, a
 * resumed leaf comes alone: put the intermediates into `caBundlePem` to be
 * safe there too.
 *
 * @example
 * ```ts
 * https.createServer({ requestCert: true, ca: krakeCaPem, key, cert }, (req, res) => {
 *   const clientCertPem = peerCertificatePem(req.socket as TLSSocket)
 * })
 * ```
 */
export function peerCertificatePem(socket: TLSSocket): string | undefined {
  const leaf = socket.getPeerCertificate(true)
  if (leaf === null || leaf === undefined || !leaf.raw) return undefined
  let pem = ''
  let count = 0
  const seen = new Set<string>()
  for (let cert = leaf; count < 10 && cert?.raw; cert = cert.issuerCertificate, count++) {
    if (seen.has(cert.fingerprint256)) break // a self-signed root is its own issuer
    seen.add(cert.fingerprint256)
    pem += toPem('CERTIFICATE', cert.raw)
  }
  if (count > 1) chains.set(leaf.fingerprint256, pem)
  else if (socket.isSessionReused()) return chains.peek(leaf.fingerprint256) ?? pem
  return pem
}
