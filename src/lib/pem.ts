import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { HookError } from '../errors.js'
import { fieldName } from './pointer.js'

/** One `-----BEGIN <label>-----` block. */
interface PemBlock {
  label: string
  der: Buffer
  /** The block re-wrapped at 64 columns, ending with a newline. */
  pem: string
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Wraps DER as PEM, 64 columns, with a final newline so files concatenate. */
export function toPem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64')
  let body = ''
  for (let i = 0; i < b64.length; i += 64) body += b64.slice(i, i + 64) + '\n'
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----\n`
}

/**
 * Every PEM block of `text`, in order. Text between blocks (comments, as in
 * many CA bundles) is allowed and dropped; a malformed block is an error.
 */
function parsePem(text: unknown, path: string): NonEmpty<PemBlock> {
  if (typeof text !== 'string')
    throw new HookError('ERR_INVALID_PEM', `${fieldName(path.split('/').slice(1)) || 'PEM'} must be a string`, { path })
  const blocks: PemBlock[] = []
  for (const [, label = '', body = '', endLabel = ''] of text.matchAll(BLOCK)) {
    if (label !== endLabel)
      throw new HookError('ERR_INVALID_PEM', `PEM block BEGIN ${label} ends with END ${endLabel}`, { path })
    const b64 = body.replace(/\s+/g, '')
    if (b64 === '' || !BASE64.test(b64) || b64.length % 4 !== 0) {
      throw new HookError('ERR_INVALID_PEM', `PEM block ${label} does not hold valid base64`, { path })
    }
    const der = Buffer.from(b64, 'base64')
    blocks.push({ label, der, pem: toPem(label, der) })
  }
  const [first, ...rest] = blocks
  if (first === undefined)
    throw new HookError('ERR_INVALID_PEM', `${fieldName(path.split('/').slice(1)) || 'the text'} holds no PEM block`, {
      path,
    })
  return [first, ...rest]
}

/** A list with at least one element, as the type system can see it. */
type NonEmpty<T> = [T, ...T[]]

/** The certificates of `text`, parsed; any other block is an error. */
export function parseCertificates(text: unknown, path: string): NonEmpty<{ block: PemBlock; cert: X509Certificate }> {
  const read = (block: PemBlock) => {
    if (block.label !== 'CERTIFICATE') {
      throw new HookError('ERR_INVALID_PEM', `expected only CERTIFICATE blocks, found ${block.label}`, { path })
    }
    try {
      return { block, cert: new X509Certificate(block.der) }
    } catch (cause) {
      throw new HookError('ERR_INVALID_PEM', 'a CERTIFICATE block is not a valid X.509 certificate', { path, cause })
    }
  }
  const [first, ...rest] = parsePem(text, path)
  return [read(first), ...rest.map(read)]
}

const KEY_LABELS: Record<string, 'pkcs8' | 'pkcs1' | 'sec1'> = {
  'PRIVATE KEY': 'pkcs8',
  'RSA PRIVATE KEY': 'pkcs1',
  'EC PRIVATE KEY': 'sec1',
}

/**
 * The one private key of `text`: PKCS#8, PKCS#1 or SEC1, as openssl and
 * cfssl write them. EC parameter blocks that openssl puts first are skipped.
 */
export function parsePrivateKey(text: unknown, path: string): { key: KeyObject; block: PemBlock } {
  // An encrypted key (PKCS#8 or the older Proc-Type header) needs its passphrase, which a hook never has.
  if (
    typeof text === 'string' &&
    (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /^Proc-Type:\s*4,ENCRYPTED/m.test(text))
  ) {
    throw new HookError(
      'ERR_INVALID_PEM',
      'the private key is encrypted: decrypt it first (openssl pkey -in key.pem -out key-plain.pem)',
      { path },
    )
  }
  const blocks = parsePem(text, path).filter((b) => b.label !== 'EC PARAMETERS')
  const only = blocks[0]
  if (blocks.length !== 1 || only === undefined) {
    throw new HookError('ERR_INVALID_PEM', `expected exactly one private key block, found ${blocks.length}`, { path })
  }
  const type = KEY_LABELS[only.label]
  if (type === undefined) {
    throw new HookError(
      'ERR_INVALID_PEM',
      `expected a private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY), found ${only.label}`,
      { path },
    )
  }
  try {
    return { key: createPrivateKey({ key: only.der, format: 'der', type }), block: only }
  } catch (cause) {
    throw new HookError('ERR_INVALID_PEM', `the ${only.label} block is not a valid key`, { path, cause })
  }
}
