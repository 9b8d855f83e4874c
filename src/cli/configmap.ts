// A ConfigMap as a KRM function's configuration: what `kpt fn eval -- key=value`
// sends. Every value is a string; each key maps to one field of the HookConfig.
import { checkKnownKeys } from '../lib/check.js'
import { HookError, rerootError } from '../errors.js'
import { isRecord } from '../lib/json.js'
import { describeValue } from '../lib/describe-value.js'
import { readHookConfig, type FileAccess, type HookConfig } from './config.js'
import { HOOK_CONFIG_API_VERSION, HOOK_CONFIG_KIND } from './config.js'

/** Each `data` key, and the HookConfig field it sets (a Map: `constructor` is no key of it). A table: its rows look alike. */
const KEYS = new Map<string, readonly string[]>(
  Object.entries({
    kind: ['spec', 'kind'],
    appName: ['spec', 'app', 'name'],
    appNamespace: ['spec', 'app', 'namespace'],
    apiEndpoint: ['spec', 'apiEndpoint'],
    externalEndpoint: ['spec', 'externalEndpoint'],
    token: ['spec', 'token'],
    tokenFile: ['spec', 'tokenFile'],
    caBundleFile: ['spec', 'tls', 'caBundleFile'],
    certFile: ['spec', 'tls', 'certFile'],
    keyFile: ['spec', 'tls', 'keyFile'],
    envToken: ['options', 'env', 'token'],
    envUrl: ['options', 'env', 'url'],
    certDest: ['options', 'certDest'],
    certStorage: ['options', 'certStorage'],
    tokenFrom: ['options', 'tokenFrom'],
    initContainers: ['options', 'initContainers'],
    onConflict: ['options', 'onConflict'],
  }),
)

/** The HookConfig being built, one mapping per level. */
interface Tree {
  [key: string]: unknown
}
/** The mapping at `key` of `node`, made when missing. */
function childOf(node: Tree, key: string): Tree {
  const next = node[key]
  if (isRecord(next)) return next
  const made: Tree = {}
  node[key] = made
  return made
}

const pointerOf = (path: readonly string[]) => '/' + path.join('/')

/**
 * The HookConfig that a ConfigMap's `data` stands for; errors point at the
 * ConfigMap's own keys (`/data/appName`), never at fields it does not have.
 */
export function configFromConfigMap(configMap: Record<string, unknown>, files: FileAccess): HookConfig {
  const data = configMap.data ?? {}
  if (!isRecord(data))
    throw new HookError('ERR_INVALID_CONFIG', 'the ConfigMap functionConfig needs data: key=value pairs', {
      path: '/data',
    })
  const config: Tree = {
    apiVersion: HOOK_CONFIG_API_VERSION,
    kind: HOOK_CONFIG_KIND,
    metadata: { name: 'from-configmap' },
    spec: {},
  }
  const back = new Map<string, string>()
  checkKnownKeys(data, [...KEYS.keys()], {
    code: 'ERR_INVALID_CONFIG',
    path: '/data',
    noun: 'key',
    within: 'the ConfigMap',
  })
  for (const [key, value] of Object.entries(data)) {
    const path = KEYS.get(key) ?? [] // every key is known by now
    if (typeof value !== 'string')
      throw new HookError('ERR_INVALID_CONFIG', `data.${key} must be a string, not ${describeValue(value)}`, {
        path: `/data/${key}`,
      })
    let parsed: unknown = value
    if (key === 'initContainers') {
      if (value !== 'true' && value !== 'false')
        throw new HookError(
          'ERR_INVALID_CONFIG',
          `data.initContainers must be "true" or "false", not ${describeValue(value)}`,
          {
            path: '/data/initContainers',
          },
        )
      parsed = value === 'true'
    }
    const leaf = path.at(-1) ?? key
    let node = config
    for (const segment of path.slice(0, -1)) node = childOf(node, segment)
    node[leaf] = parsed
    back.set(pointerOf(path), `/data/${key}`)
  }
  try {
    const hook = readHookConfig(config, files)
    // errors of injection later: from the HookConfig's paths back to this ConfigMap's keys
    const origins: Record<string, string> = Object.fromEntries(back)
    for (const [inline, file] of [
      ['/spec/tls/caBundlePem', 'caBundleFile'],
      ['/spec/tls/certPem', 'certFile'],
      ['/spec/tls/keyPem', 'keyFile'],
      ['/spec/token', 'tokenFile'],
    ] as const) {
      if (data[file] !== undefined) origins[inline] = `/data/${file}`
    }
    return { ...hook, origins }
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    throw rerootError(e, (at) => [...back].find(([from]) => at === from || at.startsWith(from + '/'))?.[1] ?? '/data')
  }
}
