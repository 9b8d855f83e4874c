// A throwaway PKI made by the openssl CLI, a real peer: the tests never trust
// our own code to make the certificates it is checked against.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

export const openssl = (args: string[], input?: string) =>
  execFileSync('openssl', args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'] })

const EXTENSIONS = `
[root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[inter]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[inter_nosign]
basicConstraints = critical, CA:true
keyUsage = critical, digitalSignature
subjectKeyIdentifier = hash
[inter_noski]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[leaf]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
[subca]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[leaf_certsign]
basicConstraints = critical, CA:false
keyUsage = critical, keyCertSign
extendedKeyUsage = clientAuth
[leaf_server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
[leaf_unknown_critical]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
1.3.6.1.4.1.99999.1 = critical, ASN1:UTF8String:must be understood
[leaf_unknown_noncritical]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
1.3.6.1.4.1.99999.1 = ASN1:UTF8String:may be ignored
[inter_unknown_critical]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
1.3.6.1.4.1.99999.2 = critical, ASN1:UTF8String:must be understood
[server]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
`

export interface Pki {
  dir: string
  path: (name: string) => string
  read: (name: string) => string
  cleanup: () => void
}

/** A key in the given PEM format: 'pkcs8', 'pkcs1' (RSA, -traditional) or 'sec1' (EC). */
function key(dir: string, name: string, type: 'rsa' | 'ec', format: 'pkcs8' | 'pkcs1' | 'sec1'): string {
  const out = join(dir, `${name}-key.pem`)
  const raw = join(dir, `${name}-raw.pem`)
  if (type === 'rsa') {
    openssl(['genrsa', '-out', raw, '2048']) // PKCS#8 in OpenSSL 3
    openssl(format === 'pkcs1' ? ['rsa', '-in', raw, '-traditional', '-out', out] : ['pkey', '-in', raw, '-out', out])
  } else {
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', raw]) // SEC1
    openssl(
      format === 'pkcs8' ? ['pkcs8', '-topk8', '-nocrypt', '-in', raw, '-out', out] : ['ec', '-in', raw, '-out', out],
    )
  }
  rmSync(raw)
  return out
}

function signed(
  dir: string,
  name: string,
  subject: string,
  keyFile: string,
  ca: string,
  ext: string,
  days = 3650,
): void {
  const csr = join(dir, `${name}.csr`)
  // a "+" in the subject joins attributes into one multi-valued RDN
  openssl([
    'req',
    '-new',
    '-key',
    keyFile,
    '-subj',
    subject,
    ...(/\+[A-Z]+=/.test(subject) ? ['-multivalue-rdn'] : []),
    '-out',
    csr,
  ])
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    join(dir, `${ca}.pem`),
    '-CAkey',
    join(dir, `${ca}-key.pem`),
    '-CAcreateserial',
    '-days',
    String(days),
    '-sha256',
    '-extfile',
    join(dir, 'ext.cnf'),
    '-extensions',
    ext,
    '-out',
    join(dir, `${name}.pem`),
  ])
}

/**
 * root (the Krake CA), intermediates with keys in every format, a CA that
 * may not sign, a plain leaf, a hook client (CN system:complete-hook, under
 * inter-ec-sec1), a server certificate for localhost, and a foreign CA with
 * its own intermediate and hook client.
 */
export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'krake-hooks-pki-'))
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS)
  const selfSigned = (name: string, subject: string, type: 'rsa' | 'ec') => {
    const k = key(dir, name, type, 'pkcs8')
    openssl([
      'req',
      '-x509',
      '-new',
      '-key',
      k,
      '-subj',
      subject,
      '-days',
      '3650',
      '-sha256',
      '-config',
      join(dir, 'ext.cnf'),
      '-extensions',
      'root',
      '-out',
      join(dir, `${name}.pem`),
    ])
  }
  selfSigned('root', '/O=Krake/CN=Krake CA', 'rsa')
  selfSigned('foreign', '/O=Elsewhere/CN=Foreign CA', 'ec')
  const inters: Array<[string, 'rsa' | 'ec', 'pkcs8' | 'pkcs1' | 'sec1']> = [
    ['inter-rsa-pkcs1', 'rsa', 'pkcs1'],
    ['inter-rsa-pkcs8', 'rsa', 'pkcs8'],
    ['inter-ec-sec1', 'ec', 'sec1'],
  ]
  for (const [name, type, format] of inters) {
    signed(
      dir,
      name,
      `/C=DE/O=Krake/OU=Hooks/CN=system:complete-signing`,
      key(dir, name, type, format),
      'root',
      'inter',
    )
  }
  signed(dir, 'inter-nosign', '/O=Krake/CN=cannot sign', key(dir, 'inter-nosign', 'ec', 'sec1'), 'root', 'inter_nosign')
  signed(dir, 'inter-noski', '/O=Krake/CN=no ski', key(dir, 'inter-noski', 'ec', 'sec1'), 'root', 'inter_noski')
  signed(dir, 'inter-short', '/O=Krake/CN=short lived', key(dir, 'inter-short', 'ec', 'sec1'), 'root', 'inter', 2)
  signed(dir, 'leaf', '/O=Krake/CN=just a leaf', key(dir, 'leaf', 'ec', 'pkcs8'), 'root', 'leaf')
  signed(
    dir,
    'hook-client',
    '/O=Krake/CN=system:complete-hook',
    key(dir, 'hook-client', 'ec', 'pkcs8'),
    'inter-ec-sec1',
    'leaf',
  )
  signed(dir, 'server', '/O=Krake/CN=krake-api', key(dir, 'server', 'rsa', 'pkcs8'), 'root', 'server')
  // a second serving certificate, for the webhook's certificate reload
  signed(dir, 'server-2', '/O=Krake/CN=krake-hooks-webhook', key(dir, 'server-2', 'ec', 'pkcs8'), 'root', 'server')
  signed(
    dir,
    'foreign-inter',
    '/O=Elsewhere/CN=system:complete-signing',
    key(dir, 'foreign-inter', 'ec', 'sec1'),
    'foreign',
    'inter',
  )
  signed(
    dir,
    'foreign-client',
    '/O=Elsewhere/CN=system:complete-hook',
    key(dir, 'foreign-client', 'ec', 'pkcs8'),
    'foreign-inter',
    'leaf',
  )
  // chain-rule cases (test/verify/chain.test.ts): a sub-CA below inter-ec-sec1, whose pathlen:0 forbids it
  signed(dir, 'subca', '/O=Krake/CN=sub CA', key(dir, 'subca', 'ec', 'sec1'), 'inter-ec-sec1', 'subca')
  signed(
    dir,
    'subca-client',
    '/O=Krake/CN=system:complete-hook',
    key(dir, 'subca-client', 'ec', 'pkcs8'),
    'subca',
    'leaf',
  )
  signed(
    dir,
    'certsign-client',
    '/O=Krake/CN=system:complete-hook',
    key(dir, 'certsign-client', 'ec', 'pkcs8'),
    'inter-ec-sec1',
    'leaf_certsign',
  )
  signed(
    dir,
    'server-only-client',
    '/O=Krake/CN=system:complete-hook',
    key(dir, 'server-only-client', 'ec', 'pkcs8'),
    'inter-ec-sec1',
    'leaf_server',
  )
  signed(
    dir,
    'comma-client',
    '/O=Krake/CN=system:a,b\\+c',
    key(dir, 'comma-client', 'ec', 'pkcs8'),
    'inter-ec-sec1',
    'leaf',
  )
  signed(
    dir,
    'rdn-client',
    '/O=Krake/CN=system:complete-hook+OU=hooks',
    key(dir, 'rdn-client', 'ec', 'pkcs8'),
    'inter-ec-sec1',
    'leaf',
  )
  // unknown extensions: openssl refuses a chain with a critical one it does not know (issue 16)
  for (const [name, ext] of [
    ['critical-client', 'leaf_unknown_critical'],
    ['noncritical-client', 'leaf_unknown_noncritical'],
  ] as const) {
    signed(dir, name, '/O=Krake/CN=system:complete-hook', key(dir, name, 'ec', 'pkcs8'), 'inter-ec-sec1', ext)
  }
  signed(
    dir,
    'inter-critical',
    '/O=Krake/CN=critical inter',
    key(dir, 'inter-critical', 'ec', 'sec1'),
    'root',
    'inter_unknown_critical',
  )
  signed(
    dir,
    'critical-inter-client',
    '/O=Krake/CN=system:complete-hook',
    key(dir, 'critical-inter-client', 'ec', 'pkcs8'),
    'inter-critical',
    'leaf',
  )
  return {
    dir,
    path: (name) => join(dir, name),
    read: (name) => readFileSync(join(dir, name), 'utf8'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** `openssl verify -x509_strict -purpose sslclient` of a leaf against root + intermediate. */
export function opensslVerify(pki: Pki, intermediate: string, leafPem: string): string {
  const leaf = join(pki.dir, `verify-${Math.random().toString(36).slice(2)}.pem`)
  writeFileSync(leaf, leafPem)
  return openssl([
    'verify',
    '-x509_strict',
    '-purpose',
    'sslclient',
    '-CAfile',
    pki.path('root.pem'),
    '-untrusted',
    pki.path(intermediate),
    leaf,
  ]).trim()
}

/**
 * A node:https server on loopback with the PKI's server certificate for
 * 127.0.0.1, asking clients for certificates of the Krake CA (root.pem);
 * `rejectUnauthorized: false` leaves refusing strangers to the listener.
 */
export async function listenTls(
  pki: Pki,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  rejectUnauthorized = false,
): Promise<{ server: HttpsServer; port: number }> {
  const server = createHttpsServer(
    {
      key: pki.read('server-key.pem'),
      cert: pki.read('server.pem'),
      ca: pki.read('root.pem'),
      requestCert: true,
      rejectUnauthorized,
    },
    listener,
  )
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, port: (server.address() as AddressInfo).port }
}
