import type { KeyObject, webcrypto } from 'node:crypto'
import { HookError } from '../errors.js'
import type { CryptoProvider } from './provider.js'
import { describeValue } from '../lib/describe-value.js'

/** Key algorithms a hook certificate can have. */
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256' | 'ECDSA-P384'

const KEY_ALGORITHMS: readonly KeyAlgorithm[] = ['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384']

type GenParams = webcrypto.RsaHashedKeyGenParams | webcrypto.EcKeyGenParams

/** WebCrypto parameters to generate a leaf key of `algorithm`. */
export function leafKeyParams(algorithm: unknown): GenParams {
  switch (algorithm) {
    case 'RSA-2048':
    case 'RSA-3072':
    case 'RSA-4096':
      return {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: Number(algorithm.slice(4)),
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      }
    case 'ECDSA-P256':
      return { name: 'ECDSA', namedCurve: 'P-256' }
    case 'ECDSA-P384':
      return { name: 'ECDSA', namedCurve: 'P-384' }
    default:
      throw new HookError(
        'ERR_UNSUPPORTED_ALGORITHM',
        `keyAlgorithm must be one of ${KEY_ALGORITHMS.join(', ')}, not ${describeValue(algorithm)}`,
        {
          path: '/keyAlgorithm',
        },
      )
  }
}

/** How the issuer signs: the import parameters of its key and the signature algorithm. */
interface SigningAlgorithm {
  importParams: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams
  signParams: webcrypto.Algorithm | webcrypto.EcdsaParams
}

const CURVE_HASH: Record<string, { curve: string; hash: string }> = {
  prime256v1: { curve: 'P-256', hash: 'SHA-256' },
  secp384r1: { curve: 'P-384', hash: 'SHA-384' },
  secp521r1: { curve: 'P-521', hash: 'SHA-512' },
}

/** The signature algorithm that suits the issuer's key: SHA-256 for RSA, the curve's hash for ECDSA. */
export function signingAlgorithmOf(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') {
    return {
      importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      signParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    }
  }
  if (key.asymmetricKeyType === 'ec') {
    const named = CURVE_HASH[key.asymmetricKeyDetails?.namedCurve ?? '']
    if (named !== undefined) {
      return {
        importParams: { name: 'ECDSA', namedCurve: named.curve },
        signParams: { name: 'ECDSA', hash: named.hash },
      }
    }
  }
  const what =
    key.asymmetricKeyType === 'ec' ? `EC curve ${key.asymmetricKeyDetails?.namedCurve}` : `${key.asymmetricKeyType} key`
  throw new HookError(
    'ERR_UNSUPPORTED_ALGORITHM',
    `the issuer's ${what} is not supported (RSA, or ECDSA on P-256, P-384 or P-521)`,
    { path: '/keyPem' },
  )
}

/** Imports the issuer's key (any of PKCS#8, PKCS#1, SEC1) into the provider, which takes PKCS#8 only. */
export async function importSigningKey(
  crypto: CryptoProvider,
  key: KeyObject,
  alg: SigningAlgorithm,
): Promise<webcrypto.CryptoKey> {
  const pkcs8 = key.export({ type: 'pkcs8', format: 'der' })
  return crypto.subtle.importKey('pkcs8', pkcs8, alg.importParams, false, ['sign'])
}
