import { HOOK_KINDS } from '../contract.js'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { HookError } from '../errors.js'
import type { KrakeHooksConfig } from './config.js'
import type { KrakeTls } from './mangle.js'
import { errorCodeOf } from '../lib/check.js'

/**
 * Reads, at the edge, the files a Krake configuration names: the Krake CA
 * (`tls.client_ca`) and each configured hook's `intermediate_src` and
 * `intermediate_key_src`, relative to `baseDir` (Krake's working directory).
 * The result is the `tls` of a {@link KrakeHooksContext}.
 *
 * @example
 * ```ts
 * const tls = await readKrakeTlsFiles(hooks, ['tmp/pki/ca.pem'])
 * await mangleApplication(app, hooks, { apiEndpoint, tls })
 * ```
 */
export async function readKrakeTlsFiles(
  config: KrakeHooksConfig,
  caFiles: readonly string[],
  baseDir: string = process.cwd(),
): Promise<KrakeTls> {
  const read = async (file: string, path: string) => {
    try {
      return await readFile(resolve(baseDir, file), 'utf8')
    } catch (cause) {
      throw new HookError('ERR_INVALID_CONFIG', `cannot read ${file} (${errorCodeOf(cause) ?? 'error'})`, {
        path,
        cause,
      })
    }
  }
  const tls: KrakeTls = {
    caPems: await Promise.all(caFiles.map((f, i) => read(f, `/tls/client_ca/${i}`))),
  }
  for (const kind of HOOK_KINDS) {
    const hook = config[kind]
    if (hook === undefined) continue
    tls[kind] = {
      certPem: await read(hook.intermediateSrc, `/hooks/${kind}/intermediate_src`),
      keyPem: await read(hook.intermediateKeySrc, `/hooks/${kind}/intermediate_key_src`),
    }
  }
  return tls
}
