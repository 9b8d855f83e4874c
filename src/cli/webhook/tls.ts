// The webhook's serving certificate, key and client CA, read as the HookConfig
// files are read and checked to be a pair.
import { createPrivateKey, X509Certificate } from 'node:crypto'
import { HookError } from '../../errors.js'
import { readConfigFile } from '../files.js'

/** The files the serving certificate comes from. */
export interface TlsFiles {
  tlsCertFile: string
  tlsKeyFile: string
  clientCaFile?: string | undefined
}

/** The serving certificate and key (PEM), and the client CA when one is named. */
export interface ServingTls {
  cert: string
  key: string
  ca?: string
}

/**
 * The serving certificate and key, read and checked to be a pair: Node's
 * secure context takes a mismatched pair and fails every handshake later.
 */
export function readTls(options: TlsFiles): ServingTls {
  // as the HookConfig files are read: a regular file of at most 1 MiB, opened without blocking
  // (a key replaced by a link to /dev/zero or a FIFO is refused, never read on)
  const read = (path: string) => readConfigFile(path, '', process.cwd(), 'none')
  const cert = read(options.tlsCertFile)
  const key = read(options.tlsKeyFile)
  const ca = options.clientCaFile === undefined ? undefined : read(options.clientCaFile)
  if (ca !== undefined) {
    try {
      new X509Certificate(ca)
    } catch {
      throw new HookError('ERR_INVALID_PEM', `${options.clientCaFile} is not a PEM certificate`)
    }
  }
  let pair: boolean
  try {
    pair = new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))
  } catch {
    pair = false // not PEM, or a key of another type than the certificate's
  }
  if (!pair)
    throw new HookError(
      'ERR_KEY_MISMATCH',
      `${options.tlsKeyFile} is not the key of ${options.tlsCertFile}, or either is not PEM`,
    )
  return ca === undefined ? { cert, key } : { cert, key, ca }
}
