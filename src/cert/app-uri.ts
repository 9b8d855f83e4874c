// The name a client certificate gives its application: the URI SAN
// `krake://<namespace>/<name>/<kind>`, each part percent-encoded as a path
// segment. Written by the issuer, compared by verifyHookRequest.
import type { AppRef, HookKind } from '../types.js'

/** The scheme of the URI SAN that names a certificate's application. */
export const APP_URI_SCHEME = 'krake:'

/** `krake://<namespace>/<name>/<kind>` of an application's hook. */
export function appUri(app: AppRef, kind: HookKind): string {
  return `krake://${encodeURIComponent(app.namespace)}/${encodeURIComponent(app.name)}/${kind}`
}
