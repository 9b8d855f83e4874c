// `krake-hooks webhook config` and `webhook objects`: what to create in the
// cluster beside the webhook.
import { APP_LABEL } from '../../admission/resolver.js'
import { hookPatch } from '../../inject/index.js'
import type { HookSpec, InjectOptions } from '../../types.js'
import type { KubernetesObject } from '../../lib/kubernetes.js'
import { parseCertificates } from '../../lib/pem.js'
import { REFERENCE_OPTIONS } from '../references.js'

/** What `webhook config` prints the configuration for. */
export interface WebhookConfigOptions {
  /** The webhook's Service. */
  service: { namespace: string; name: string }
  /** The PEM of the CA that signed the webhook's serving certificate. */
  caPem: string
  /** The path the API server posts to. */
  path: string
  /** What the API server does when the webhook cannot answer. */
  failurePolicy: 'Fail' | 'Ignore'
  /** The Service's port. */
  port: number
}

/** Namespaces no Pod of which is ever sent: the control plane's own, and the webhook's (it must start without itself). */
const SYSTEM_NAMESPACES = ['kube-system', 'kube-public', 'kube-node-lease']

/**
 * The `MutatingWebhookConfiguration` of the webhook: v1 reviews, no side
 * effects, at most 10 s, reinvoked if another webhook changes the Pod after
 * it, CREATE of pods only, Pods with the `krake-hooks/app` label only, never
 * the system namespaces or the webhook's own, and the CA that signed its
 * serving certificate as `caBundle`.
 */
export function webhookConfiguration(options: WebhookConfigOptions): KubernetesObject {
  const { service } = options
  parseCertificates(options.caPem, '/caFile') // a CA that is not PEM is refused here, not by the API server later
  const skip = [...new Set([...SYSTEM_NAMESPACES, service.namespace])]
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'krake-hooks', labels: { 'app.kubernetes.io/name': 'krake-hooks' } },
    webhooks: [
      {
        name: 'hooks.krake-hooks.krake.io',
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        timeoutSeconds: 10,
        failurePolicy: options.failurePolicy,
        reinvocationPolicy: 'IfNeeded',
        matchPolicy: 'Equivalent',
        clientConfig: {
          service: { namespace: service.namespace, name: service.name, path: options.path, port: options.port },
          caBundle: Buffer.from(options.caPem, 'utf8').toString('base64'),
        },
        rules: [
          {
            operations: ['CREATE'],
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['pods'],
            scope: 'Namespaced',
          },
        ],
        objectSelector: { matchExpressions: [{ key: APP_LABEL, operator: 'Exists' }] },
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: skip }],
        },
      },
    ],
  }
}

/**
 * The ConfigMaps and Secrets a Pod hooked by `hook` mounts and reads, in
 * `namespace`: the webhook cannot create them (it changes only the Pod it is
 * sent), so they are created beforehand.
 */
export function webhookObjects(
  hook: HookSpec,
  options: InjectOptions,
  namespace: string | undefined,
): KubernetesObject[] {
  const probe = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: namespace === undefined ? { name: 'probe' } : { name: 'probe', namespace },
    spec: { containers: [{ name: 'probe' }] },
  }
  return hookPatch(probe, hook, { ...REFERENCE_OPTIONS, ...options }).objects
}
