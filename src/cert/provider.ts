import { webcrypto } from 'node:crypto'
import { HookError } from '../errors.js'

/** A WebCrypto implementation: Node's own, or another such as `@peculiar/webcrypto`. */
export type CryptoProvider = webcrypto.Crypto

function isCryptoProvider(p: unknown): p is CryptoProvider {
  return (
    typeof p === 'object' &&
    p !== null &&
    'subtle' in p &&
    typeof p.subtle === 'object' &&
    'getRandomValues' in p &&
    typeof p.getRandomValues === 'function'
  )
}

/** Node's WebCrypto by default: its key generation runs off the event loop. */
export function cryptoOf(provider: unknown): CryptoProvider {
  if (provider === undefined) return webcrypto
  if (!isCryptoProvider(provider)) {
    throw new HookError('ERR_INVALID_ARGUMENT', 'crypto must be a WebCrypto provider ({ subtle, getRandomValues })', {
      path: '/crypto',
    })
  }
  return provider
}
