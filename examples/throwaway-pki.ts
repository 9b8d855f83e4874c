// A throwaway Krake CA and a complete-hook intermediate, made in memory for
// the demo. Never use these for anything real: Krake's own PKI comes from its
// deployment (cfssl or openssl), as `intermediate_src` / `intermediate_key_src`.
import 'reflect-metadata' // @peculiar/x509 needs it loaded first (krake-hooks loads it itself only when it issues)
import { webcrypto } from 'node:crypto'
import * as x509 from '@peculiar/x509'

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }
const DAY = 24 * 60 * 60 * 1000

async function pem(key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY') + '\n'
}

export interface ThrowawayPki {
  rootPem: string
  intermediatePem: string
  intermediateKeyPem: string
}

export async function makeThrowawayPki(now = new Date()): Promise<ThrowawayPki> {
  const caExtensions = async (keys: webcrypto.CryptoKeyPair, pathLength?: number) => [
    new x509.BasicConstraintsExtension(true, pathLength, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ]
  const rootKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'O=Krake, CN=Krake demo CA',
    keys: rootKeys,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 30 * DAY),
    signingAlgorithm: ALG,
    extensions: await caExtensions(rootKeys),
  })
  const interKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])
  const rootSki = root.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId
  if (rootSki === undefined) throw new Error('the throwaway root has no subjectKeyIdentifier')
  const inter = await x509.X509CertificateGenerator.create({
    subject: 'O=Krake, CN=system:complete-signing',
    issuer: root.subjectName,
    publicKey: interKeys.publicKey,
    signingKey: rootKeys.privateKey,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + 30 * DAY),
    signingAlgorithm: ALG,
    extensions: [...(await caExtensions(interKeys, 0)), new x509.AuthorityKeyIdentifierExtension(rootSki)],
  })
  return {
    rootPem: root.toString('pem') + '\n',
    intermediatePem: inter.toString('pem') + '\n',
    intermediateKeyPem: await pem(interKeys.privateKey),
  }
}
