// The one door to @peculiar/x509, opened on first use. Its tsyringe throws at
// import time unless a Reflect metadata polyfill (a global) is loaded first,
// so both load only when a certificate is issued: importing krake-hooks sets
// no global, and the application and API sides never load either.
import type * as X509 from '@peculiar/x509'

/** @peculiar/x509's module. */
export type X509Module = typeof X509

let loading: Promise<X509Module> | undefined

/** @peculiar/x509, with the polyfill evaluated before it (once per process). */
export function loadX509(): Promise<X509Module> {
  loading ??= import('./reflect.js').then(() => import('@peculiar/x509'))
  return loading
}
