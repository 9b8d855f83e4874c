import { randomBytes } from 'node:crypto'

/**
 * A fresh hook token: 32 bytes from the CSPRNG, base64url without padding
 * (43 characters), safe in env vars, JSON and shell quotes.
 *
 * @example
 * ```ts
 * const token = createHookToken() // e.g. 'mU6Jb3...' (43 chars)
 * ```
 */
export function createHookToken(): string {
  return randomBytes(32).toString('base64url')
}
