import { webcrypto } from 'node:crypto'
import { HookError } from '../errors.js'

/** A WebCrypto implementation: Node's own, or another such as `@peculiar/webcrypto`. */
export type CryptoProvider = webcrypto.Crypto

/** Node's WebCrypto by default: its key generation runs off the event loop. */
export function cryptoOf(provider: unknown): CryptoProvider {
  if (provider === undefined) return webcrypto as CryptoProvider
  const p = provider as Partial<CryptoProvider> | null
  if (typeof p !== 'object' || p === null || typeof p.subtle !== 'object' || typeof p.getRandomValues !== 'function') {
    throw new HookError('ERR_INVALID_ARGUMENT', 'crypto must be a WebCrypto provider ({ subtle, getRandomValues })', {
      path: '/crypto',
    })
  }
  return p as CryptoProvider
}
