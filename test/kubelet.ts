// A stand-in for the kubelet, for tests that run "the container": the env a
// container gets (values and secretKeyRef/configMapKeyRef read from the
// Secrets and ConfigMaps beside it) and the files a volume mount shows.
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { podSpecOf } from './helpers.js'

type Obj = Record<string, any>

function source(
  manifests: readonly Obj[],
  kind: 'Secret' | 'ConfigMap',
  name: string,
  namespace: string | undefined,
): Record<string, string> {
  const found = manifests.find(
    (m) => m.kind === kind && m.metadata?.name === name && m.metadata?.namespace === namespace,
  )
  if (!found) throw new Error(`no ${kind} ${namespace ?? ''}/${name} beside the workload`)
  const data: Record<string, string> = found.data ?? {}
  return kind === 'Secret'
    ? Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]))
    : data
}

/** The environment of container `index` of `workload`, as the kubelet resolves it. */
export function containerEnv(manifests: readonly Obj[], workload: Obj, index = 0): Record<string, string> {
  const ns = workload.metadata?.namespace
  const env: Record<string, string> = {}
  for (const e of podSpecOf(workload).containers[index].env ?? []) {
    if (typeof e.value === 'string') env[e.name] = e.value
    else if (e.valueFrom?.secretKeyRef)
      env[e.name] = source(manifests, 'Secret', e.valueFrom.secretKeyRef.name, ns)[e.valueFrom.secretKeyRef.key]!
    else if (e.valueFrom?.configMapKeyRef)
      env[e.name] = source(manifests, 'ConfigMap', e.valueFrom.configMapKeyRef.name, ns)[
        e.valueFrom.configMapKeyRef.key
      ]!
  }
  return env
}

/** Writes into `dir` the files container `index` sees at `mountPath`, and returns `dir`. */
export function mountedFiles(
  manifests: readonly Obj[],
  workload: Obj,
  mountPath: string,
  dir: string,
  index = 0,
): string {
  const pod = podSpecOf(workload)
  const mount = (pod.containers[index].volumeMounts ?? []).find(
    (m: Obj) => m.mountPath.replace(/\/+$/, '') === mountPath.replace(/\/+$/, ''),
  )
  if (!mount) throw new Error(`nothing is mounted at ${mountPath}`)
  const volume = pod.volumes.find((v: Obj) => v.name === mount.name)
  const files = volume.secret
    ? source(manifests, 'Secret', volume.secret.secretName, workload.metadata?.namespace)
    : source(manifests, 'ConfigMap', volume.configMap.name, workload.metadata?.namespace)
  mkdirSync(dir, { recursive: true })
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content)
  return dir
}
