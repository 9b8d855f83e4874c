import { HookError } from '../errors.js'
import { parseCertificates } from '../lib/pem.js'

/**
 * The `ca-bundle.pem` an application trusts: the CERTIFICATE blocks of
 * `pems`, in order (Krake CA first, then the hook's intermediate), each once,
 * each ending with a newline. Any other PEM block is refused.
 *
 * @example
 * ```ts
 * const caBundlePem = buildCaBundle([krakeCaPem, intermediatePem])
 * ```
 */
export function buildCaBundle(pems: readonly string[]): string {
  if (!Array.isArray(pems))
    throw new HookError('ERR_INVALID_ARGUMENT', 'buildCaBundle takes an array of PEM strings', { path: '' })
  const seen = new Set<string>()
  let out = ''
  pems.forEach((pem, i) => {
    for (const { block } of parseCertificates(pem, `/${i}`)) {
      const key = block.der.toString('base64')
      if (seen.has(key)) continue
      seen.add(key)
      out += block.pem
    }
  })
  if (out === '') throw new HookError('ERR_INVALID_PEM', 'buildCaBundle needs at least one certificate', { path: '' })
  return out
}
