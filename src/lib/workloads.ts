import { HookError } from '../errors.js'
import type { JsonObject } from './clone.js'
import { isObject } from './json.js'
import { fieldName, pointer } from './pointer.js'

type Path = Array<string | number>

const POD_TEMPLATE: readonly string[] = ['spec', 'template', 'spec']
const POD: readonly string[] = ['spec']
const TEMPLATE: readonly string[] = ['template', 'spec']
const CRON_JOB: readonly string[] = ['spec', 'jobTemplate', 'spec', 'template', 'spec']

/** The API groups that have workloads, besides the core group. */
const WORKLOAD_GROUPS = ['apps', 'extensions', 'batch'] as const

/**
 * The API group of `apiVersion` ('' for the core group) when it is one that
 * has workloads, otherwise undefined. It cuts no string: it runs once per
 * manifest of every call.
 */
function groupOf(apiVersion: string): string | undefined {
  const slash = apiVersion.indexOf('/')
  if (slash < 0) return ''
  for (const group of WORKLOAD_GROUPS) if (slash === group.length && apiVersion.startsWith(group)) return group
  return undefined
}

/**
 * Where the pod spec of a workload is, by API group and kind. Krake itself
 * knows only Pod, Deployment and ReplicationController. A kind of the same
 * name in another group (a CRD) is not ours to touch.
 */
export function podSpecLocation(apiVersion: string, kind: string): readonly string[] | undefined {
  switch (groupOf(apiVersion)) {
    case '':
      if (kind === 'Pod') return POD
      if (kind === 'ReplicationController') return POD_TEMPLATE
      if (kind === 'PodTemplate') return TEMPLATE
      return undefined
    case 'apps':
    case 'extensions':
      return kind === 'Deployment' || kind === 'ReplicaSet' || kind === 'StatefulSet' || kind === 'DaemonSet'
        ? POD_TEMPLATE
        : undefined
    case 'batch':
      if (kind === 'Job') return POD_TEMPLATE
      if (kind === 'CronJob') return CRON_JOB
      return undefined
    default:
      return undefined
  }
}

/** Follows `location` from `obj`; a missing or non-object step is an error. */
export function findPodSpec(obj: JsonObject, location: readonly string[], objPath: Path): JsonObject {
  const kind = typeof obj.kind === 'string' ? obj.kind : 'workload' // a workload's kind is a string
  let node: JsonObject = obj
  const rel: string[] = []
  for (const key of location) {
    rel.push(key)
    const next = node[key]
    if (!isObject(next)) {
      const what = next === undefined ? 'is missing' : 'is not an object'
      throw new HookError(
        'ERR_INVALID_WORKLOAD',
        `${kind} ${fieldName(rel)} ${what}: a ${kind} needs ${fieldName(location)}`,
        {
          path: pointer(...objPath, ...rel),
        },
      )
    }
    node = next
  }
  return node
}

/**
 * The containers of a pod spec, checked: a non-empty array of objects with a
 * name (for `initContainers`: absent or such an array, possibly empty).
 */
export function containersOf(
  podSpec: JsonObject,
  field: 'containers' | 'initContainers',
  objPath: Path,
  location: readonly string[],
): Array<JsonObject & { name: string }> {
  const list = podSpec[field]
  const at = (...rest: Path) => pointer(...objPath, ...location, field, ...rest)
  const name = (...rest: Path) => fieldName([...location, field, ...rest])
  if (field === 'initContainers' && list === undefined) return []
  if (!Array.isArray(list) || (field === 'containers' && list.length === 0)) {
    throw new HookError(
      'ERR_INVALID_WORKLOAD',
      `${name()} must be ${field === 'containers' ? 'a non-empty' : 'an'} array of containers`,
      { path: at() },
    )
  }
  list.forEach((c, i) => {
    if (!isObject(c))
      throw new HookError('ERR_INVALID_WORKLOAD', `${name(i)} must be a container object`, { path: at(i) })
    if (typeof c.name !== 'string' || c.name === '') {
      throw new HookError('ERR_INVALID_WORKLOAD', `${name(i, 'name')} must be a non-empty string`, {
        path: at(i, 'name'),
      })
    }
  })
  return list as Array<JsonObject & { name: string }>
}
