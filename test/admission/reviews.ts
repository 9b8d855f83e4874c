// AdmissionReviews shaped as the API server sends them (admission.k8s.io/v1),
// and the patch applied with fast-json-patch as the API server applies it.
import jsonpatch from 'fast-json-patch'
import type { AdmissionReview } from '../../src/index.js'

export const UID = '705ab4f5-6393-11e8-b7cc-42010a800002'

/** A Pod as a ReplicaSet controller creates it: generateName, no name; namespace only in the request. */
export function podFromReplicaSet(
  containers: unknown = [{ name: 'nginx', image: 'nginx:1.27', resources: {} }],
  labels: Record<string, string> = {},
  annotations?: Record<string, string>,
) {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      generateName: 'web-7d9c6b8f5-',
      creationTimestamp: null,
      labels: { app: 'web', 'pod-template-hash': '7d9c6b8f5', ...labels },
      ...(annotations === undefined ? {} : { annotations }),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'web-7d9c6b8f5',
          uid: 'b1c2',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { containers, restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
    status: {},
  }
}

/** The AdmissionReview the API server posts for `object`: a CREATE in namespace prod unless `over` says otherwise. */
export function review(object: unknown, over: Record<string, unknown> = {}): AdmissionReview {
  const o = (typeof object === 'object' && object !== null ? object : {}) as { kind?: unknown; apiVersion?: unknown }
  const kind = typeof o.kind === 'string' ? o.kind : 'Pod'
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : 'v1'
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion]
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: UID,
      kind: { group: group!, version: version!, kind },
      resource: { group: group!, version: version!, resource: `${kind.toLowerCase()}s` },
      requestKind: { group, version, kind },
      namespace: 'prod',
      operation: 'CREATE',
      userInfo: {
        username: 'system:serviceaccount:kube-system:replicaset-controller',
        groups: ['system:serviceaccounts'],
      },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
      ...over,
    },
  }
}

export const decode = (patch: string) =>
  JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as jsonpatch.Operation[]

/** `object` with the answer's patch applied, as the API server applies it (validating the operations). */
// any: tests read into the patched object freely
export const applied = (object: unknown, patch: string): any =>
  jsonpatch.applyPatch(structuredClone(object), decode(patch), true, false).newDocument
