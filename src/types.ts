import type { KubernetesObject, ResourceRef } from './lib/kubernetes.js'

/** The two hooks that Krake knows. */
export type { HookKind } from './contract.js'
import type { HookKind } from './contract.js'

/** The Krake application a hook belongs to. */
export interface AppRef {
  /** The application's name in Krake. */
  name: string
  /** The application's Krake namespace (not necessarily the Kubernetes one). */
  namespace: string
}

/** TLS material the application needs to call a TLS-speaking Krake API. */
export interface HookTls {
  /** The Krake CA, then the hook's intermediate: what the client trusts. */
  caBundlePem: string
  /** The application's client certificate (see `issueHookCertificate`). */
  certPem: string
  /** Its private key. */
  keyPem: string
}

/** What to inject: one hook of one application. */
export interface HookSpec {
  /** Which hook: `complete` (the job is done) or `shutdown` (the application has saved its state). */
  kind: HookKind
  /** The application the hook reports on: its URL is built from it. */
  app: AppRef
  /** The Krake API, e.g. `https://krake-api:8443`; a base path is kept. */
  apiEndpoint: string
  /** An endpoint the application can reach; replaces `apiEndpoint` when set. */
  externalEndpoint?: string | undefined
  /** The hook's token (see `createHookToken`). */
  token: string
  /** Absent means the API does not speak TLS. */
  tls?: HookTls | undefined
}

/** How to inject. Every field is optional. */
export interface InjectOptions {
  /** The names of the two variables every container gets. */
  env?:
    | {
        /**
         * The token's variable.
         * @defaultValue `KRAKE_TOKEN` (complete), `KRAKE_SHUTDOWN_TOKEN` (shutdown)
         */
        token?: string | undefined
        /**
         * The URL's variable.
         * @defaultValue `KRAKE_COMPLETE_URL` (complete), `KRAKE_SHUTDOWN_URL` (shutdown)
         */
        url?: string | undefined
      }
    | undefined
  /**
   * Absolute mount path of the certificate files.
   * @defaultValue `/etc/krake_cert` (complete), `/etc/krake_shutdown_cert` (shutdown)
   */
  certDest?: string | undefined
  /**
   * Where the three PEM files are stored.
   * @defaultValue `'ConfigMap'`
   */
  certStorage?: 'ConfigMap' | 'Secret' | undefined
  /**
   * `'secret'` puts token and URL in a Secret and refers to it with `secretKeyRef`.
   * @defaultValue `'value'`
   */
  tokenFrom?: 'value' | 'secret' | undefined
  /**
   * Also inject into `initContainers`.
   * @defaultValue `false`
   */
  initContainers?: boolean | undefined
  /**
   * What to do with an entry or object of the hook's name that differs.
   * @defaultValue `'replace'`
   */
  onConflict?: 'replace' | 'error' | 'keep' | undefined
}

/** Identifies the object a result is about. */
export type { ResourceRef }

/** One thing worth telling about an injection, shaped like a KRM function result. */
export interface HookResult {
  /** `warning`: the hook may not work as it stands; `info`: done as asked, worth knowing. */
  severity: 'error' | 'warning' | 'info'
  /** What happened, in words; never a token. */
  message: string
  /** The object the result is about. */
  resourceRef?: ResourceRef
  /** JSON pointer into the object named by `resourceRef`. */
  field?: string
}

/**
 * What `injectHook` returns: fresh manifests and what happened. `M` is the
 * type of one output manifest: for an input of `V1Deployment[]`, a
 * `JsonOf<V1Deployment>` (dates as strings) or a Kubernetes object the hook
 * added; for `unknown[]` or `object[]`, a `KubernetesObject`.
 */
export interface InjectResult<M extends object = KubernetesObject> {
  /** The input's manifests, hooked, then the objects the hook adds. */
  manifests: M[]
  /** What is worth telling: forced schemes, replaced or kept entries. */
  results: HookResult[]
}
