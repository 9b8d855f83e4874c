import type { HookKind } from '../contract.js'
import { createHash } from 'node:crypto'
import { BoundedCache } from '../lib/bounded-cache.js'

/** RFC 1123 label, as Kubernetes checks volume names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** RFC 1123 subdomain, as Kubernetes checks object names. */
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/

const HASH_LENGTH = 8

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH)
}

/**
 * `<app><suffix>` as a valid DNS-1123 name of at most `max` characters. When
 * the application name must be changed to fit (cut, lower-cased, stripped of
 * other characters), a short hash of the original keeps distinct
 * applications distinct and the name stable across runs.
 */
export function generatedName(app: string, suffix: string, max: number, allowDots: boolean): string {
  const valid = allowDots ? DNS1123_SUBDOMAIN : DNS1123_LABEL
  const plain = app + suffix
  if (plain.length <= max && valid.test(plain)) return plain
  const hash = shortHash(app)
  let cleaned = app.toLowerCase().replace(allowDots ? /[^a-z0-9.-]+/g : /[^a-z0-9-]+/g, '-')
  if (allowDots) cleaned = cleaned.replace(/\.{2,}/g, '.').replace(/-*\.-*/g, '.')
  const room = max - suffix.length - HASH_LENGTH - 1
  cleaned = cleaned
    .slice(0, room)
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[^a-z0-9]+$/, '')
  return cleaned === '' ? `${hash}${suffix}` : `${cleaned}-${hash}${suffix}`
}

/** The names of everything one hook adds. */
export interface HookNames {
  volume: string
  configMap: string
  certSecret: string
  tokenSecret: string
}

// the names of the last 256 applications: computing them is a fifth of a one-application call
const NAMES = new BoundedCache<Readonly<HookNames>>(256)

/** Names for the hook `kind` of application `app` (a shared, frozen object). */
export function hookNames(app: string, kind: HookKind): Readonly<HookNames> {
  // the last application first, by ===: no key to build and hash when it is asked again
  if (lastNames !== undefined && lastNames.app === app && lastNames.kind === kind) return lastNames.names
  const names = namesOf(app, kind)
  lastNames = { app, kind, names }
  return names
}

let lastNames: { app: string; kind: HookKind; names: Readonly<HookNames> } | undefined

function namesOf(app: string, kind: HookKind): Readonly<HookNames> {
  return NAMES.get(`${kind}\0${app}`, () => {
    const infix = kind === 'complete' ? '-krake' : '-krake-shutdown'
    return Object.freeze({
      volume: generatedName(app, `${infix}-volume`, 63, false),
      configMap: generatedName(app, `${infix}-configmap`, 253, true),
      certSecret: generatedName(app, `${infix}-cert`, 253, true),
      tokenSecret: generatedName(app, `${infix}-token`, 253, true),
    })
  })
}
