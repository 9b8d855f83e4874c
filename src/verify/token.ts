import { createHash, timingSafeEqual } from 'node:crypto'
import * as nodeCrypto from 'node:crypto'
import { HookError } from '../errors.js'
import { BoundedCache } from '../lib/bounded-cache.js'

const DIGEST = /^sha256:[0-9a-f]{64}$/
const PREFIX = 'sha256:'
const DIGEST_LENGTH = PREFIX.length + 64
// The length test first: the regex runs only on strings that may be digests.
const isDigest = (s: string) => s.length === DIGEST_LENGTH && DIGEST.test(s)

// Node >= 20.12 has a one-shot hash that skips the Hash object; older 20.x falls back.
const oneShot = (nodeCrypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash
const sha256 = oneShot
  ? (s: string) => oneShot('sha256', s, 'buffer')
  : (s: string) => createHash('sha256').update(s, 'utf8').digest()

// A string with a lone surrogate has no UTF-8 form: two such strings could
// share one encoding (both become U+FFFD), so neither is ever a valid token.
const usable = (s: unknown): s is string => typeof s === 'string' && s !== '' && s.isWellFormed()

// A digest no string hashes to in practice; compared against when nothing is expected.
const NO_TOKEN = PREFIX + '0'.repeat(64)

/**
 * The digests of the last 256 distinct `expected` values (raw tokens or
 * stored digests), keyed by that value: a server checks many calls against
 * few expected tokens, and hashing the expected side again each time is half
 * the cost of a check. It holds only what the caller passed in already, and
 * the lookup depends on `expected` alone, never on what was presented.
 */
const digests = new BoundedCache<Buffer>(256)

const digestOf = (expected: string): Buffer =>
  digests.get(expected, () =>
    isDigest(expected) ? Buffer.from(expected.slice(PREFIX.length), 'hex') : sha256(expected),
  )

/**
 * The digest a server can store instead of the token: `sha256:<64 hex>` of
 * its UTF-8 bytes (what `printf %s "$TOKEN" | sha256sum` prints).
 * {@link verifyHookToken} accepts it as `expected`.
 *
 * @example
 * ```ts
 * db.save(app, hashHookToken(token)) // keep the digest, give the token to the application
 * ```
 */
export function hashHookToken(token: string): string {
  if (!usable(token))
    throw new HookError('ERR_INVALID_ARGUMENT', 'hashHookToken takes a non-empty, well-formed string', { path: '' })
  return PREFIX + sha256(token).toString('hex')
}

/**
 * Whether `presented` is the hook's token. Compares fixed-size SHA-256
 * digests in constant time, so neither the content nor the length of the
 * expected token leaks through timing. `expected` may be the token or its
 * {@link hashHookToken} digest. Never throws: anything but the exact token
 * (undefined, null, '', numbers, arrays, Buffers, objects, a string with
 * surrounding whitespace) is `false`, and so is everything when no token is
 * expected (the hook is disabled). It never logs.
 *
 * @example
 * ```ts
 * if (!verifyHookToken(app.status.completeToken, body.token)) return reply(401)
 * ```
 */
export function verifyHookToken(expected: string | undefined | null, presented: unknown): boolean {
  // No token expected (an unknown application, a disabled hook): the same work as a stored
  // digest, so that timing does not tell an unknown application from a wrong token.
  const known = usable(expected)
  const stored = known ? expected : NO_TOKEN
  const ok = usable(presented)
  const want = digestOf(stored)
  // Hash something of the same cost even for a presented value we refuse, so
  // that a refusal by type is no faster than a refusal by content.
  const got = sha256(ok ? presented : '')
  return timingSafeEqual(want, got) && ok && known
}
