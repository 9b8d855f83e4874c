// The names of the protocol, in one place: what an application, the API, a
// controller and the webhook must agree on. Every side imports them from
// here; nothing else defines them. It imports nothing, so that the lightest
// entry (krake-hooks/app) pays nothing for it.

/** A hook's kind: `complete` (the application's job is done) or `shutdown` (it may be stopped). */
export type HookKind = 'complete' | 'shutdown'

/** Every hook kind, in the order Krake runs them (complete before shutdown). */
export const HOOK_KINDS: readonly HookKind[] = ['complete', 'shutdown']

/**
 * The environment variables a hook writes, per era: the seed's (what
 * `injectHook` writes by default: `KRAKE_TOKEN` for complete, as the seed
 * document has it) and current Krake's (`KRAKE_COMPLETE_TOKEN`). The URL
 * variables are the same in every era.
 */
export const ENV_NAMES = {
  seed: {
    complete: { token: 'KRAKE_TOKEN', url: 'KRAKE_COMPLETE_URL' },
    shutdown: { token: 'KRAKE_SHUTDOWN_TOKEN', url: 'KRAKE_SHUTDOWN_URL' },
  },
  current: {
    complete: { token: 'KRAKE_COMPLETE_TOKEN', url: 'KRAKE_COMPLETE_URL' },
    shutdown: { token: 'KRAKE_SHUTDOWN_TOKEN', url: 'KRAKE_SHUTDOWN_URL' },
  },
} as const satisfies Record<string, Record<HookKind, { token: string; url: string }>>

/**
 * Where each era mounts a hook's certificate files: the seed's (our
 * default), Krake 2020's code (`/etc/krake_certs/`, its docs say the seed's)
 * and current Krake's. 2020's Krake had no shutdown hook.
 */
export const CERT_DIRS_BY_ERA = {
  seed: { complete: '/etc/krake_cert', shutdown: '/etc/krake_shutdown_cert' },
  krake2020: { complete: '/etc/krake_certs/' },
  current: { complete: '/etc/krake_complete_certs/', shutdown: '/etc/krake_shutdown_certs/' },
} as const

/** The variables an application reads its token from, most recent era first (`signalHook` takes the first set). */
export const TOKEN_ENV: Record<HookKind, readonly string[]> = {
  complete: [ENV_NAMES.current.complete.token, ENV_NAMES.seed.complete.token],
  shutdown: [ENV_NAMES.current.shutdown.token],
}

/** The variables an application reads its callback URL from. */
export const URL_ENV: Record<HookKind, readonly string[]> = {
  complete: [ENV_NAMES.current.complete.url],
  shutdown: [ENV_NAMES.current.shutdown.url],
}

const noSlash = (dir: string) => dir.replace(/\/+$/, '')

/** The directories an application looks for its certificate files in, most recent era first. */
export const CERT_DIRS: Record<HookKind, readonly string[]> = {
  complete: [
    noSlash(CERT_DIRS_BY_ERA.current.complete),
    noSlash(CERT_DIRS_BY_ERA.krake2020.complete),
    CERT_DIRS_BY_ERA.seed.complete,
  ],
  shutdown: [noSlash(CERT_DIRS_BY_ERA.current.shutdown), CERT_DIRS_BY_ERA.seed.shutdown],
}

/** The label every object the hook writes carries, so that a later run (and `removeHook`) knows its own. */
export const MANAGED_BY = { key: 'app.kubernetes.io/managed-by', value: 'krake-hooks' } as const
/** The annotation naming the hook kind of an object the hook wrote. */
export const HOOK_ANNOTATION = 'krake-hooks/hook'
/** The annotation naming the application (`<namespace>/<name>`) of an object the hook wrote. */
export const APP_ANNOTATION = 'krake-hooks/application'
/** The annotation that opts a workload (or its pod template) out of every hook: `krake-hooks/inject: "false"`. */
export const INJECT_ANNOTATION = 'krake-hooks/inject'

/** The annotation a patched object gets: the hook kinds it carries, comma-separated (`complete,shutdown`). */
export const INJECTED_ANNOTATION = 'krake-hooks/injected'

/** The label a Pod opts in to the webhook with: its value is the Krake application's name. */
export const APP_LABEL = 'krake-hooks/app'
/** The annotation naming the application's Krake namespace; the Pod's own namespace when absent. */
export const APP_NAMESPACE_ANNOTATION = 'krake-hooks/app-namespace'
/** The annotation picking hook kinds, `complete,shutdown`; every kind held for the application when absent. */
export const HOOKS_ANNOTATION = 'krake-hooks/hooks'

/** The `apiVersion` and `kind` of a hook configuration, for the CLI, kustomize and KRM functions. */
export const HOOK_CONFIG_API_VERSION = 'krake-hooks/v1alpha1'
export const HOOK_CONFIG_KIND = 'HookConfig'

/** The field manager of the apply configuration (server-side apply). */
export const FIELD_MANAGER = 'krake-hooks'
