// krake-hooks inject: the manifests hooked, as YAML, JSON, patches or apply configurations, or a diff.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff'
import { injectHook, hookPatch, hookApplyConfiguration, hookStrategicPatch } from '../../inject/index.js'
import type { Json } from '../../lib/clone.js'
import { isObject, jsonEqual } from '../../lib/json.js'
import { identityKey, isNamedObject, refOf, type ResourceRef } from '../../lib/kubernetes.js'
import { stringifyManifests } from '../../yaml/stringify.js'
import { args, CONFIG_OPTIONS, configAndManifests, failed, printResults } from '../common.js'
import type { HookConfig } from '../config.js'
import { referenceOptions, splitSecrets, writeSecretsFile } from '../references.js'
import { usageOf } from '../usage.js'

const OUTPUTS = ['yaml', 'json', 'json-patch', 'strategic', 'apply'] as const
type Output = (typeof OUTPUTS)[number]

const refOfManifest = (m: object): ResourceRef | undefined =>
  isNamedObject(m) ? refOf(m.apiVersion, m.kind, m.metadata.name, m.metadata.namespace) : undefined

/**
 * The objects of `hooked` (injectHook's whole output) a patch cannot carry:
 * the hook's ConfigMaps and Secrets, added or put in the place of the input's.
 */
function objectsOf(input: readonly object[], hooked: readonly object[]): object[] {
  const out: object[] = []
  hooked.forEach((m, i) => {
    if (i >= input.length || !jsonEqual(m as Json, input[i] as Json)) {
      if (isObject(m) && m.apiVersion === 'v1' && (m.kind === 'ConfigMap' || m.kind === 'Secret')) out.push(m)
    }
  })
  return out
}

export function inject(argv: string[]): number {
  const parsed = args('inject', {
    args: argv,
    options: {
      ...CONFIG_OPTIONS,
      output: { type: 'string', short: 'o' },
      diff: { type: 'boolean' },
      'references-only': { type: 'boolean' },
      'secrets-file': { type: 'string' },
    },
    allowPositionals: true,
  })
  if (typeof parsed === 'number') return parsed
  const { values, positionals } = parsed
  const output = values.output ?? 'yaml'
  if (!OUTPUTS.some((o) => o === output)) {
    process.stderr.write(
      `krake-hooks inject: --output is ${OUTPUTS.join(', ')}, not ${JSON.stringify(output)}\n\n${usageOf('inject')}\n`,
    )
    return 2
  }
  const read = configAndManifests('inject', values, positionals)
  if (typeof read === 'number') return read
  const { config, input } = read
  const secretsFile = values['secrets-file'] ?? config.referencesOnly?.secretsFile
  const referencesOnly =
    values['references-only'] === true || values['secrets-file'] !== undefined || config.referencesOnly !== undefined
  try {
    const options = referencesOnly ? referenceOptions(config.options) : config.options
    const hooked = injectHook(input.manifests, config.spec, options)
    let out: readonly object[] = hooked.manifests
    const results = [...hooked.results]
    if (referencesOnly) {
      // the manifests go to Git: the Secrets that hold the token and the key go to a file of mode 0600, or nowhere
      const { kept, secrets } = splitSecrets(input.manifests, out)
      out = kept
      if (secretsFile !== undefined) writeSecretsFile(secretsFile, secrets)
      results.push({
        severity: 'info',
        message:
          secretsFile === undefined
            ? `references only: ${secrets.length} Secret(s) holding the token or the key left out; create them apart`
            : `references only: ${secrets.length} Secret(s) holding the token or the key written to ${secretsFile} (mode 0600)`,
      })
    }
    printResults(results)
    if (values.diff === true) {
      const before = stringifyManifests(input.manifests)
      const after = stringifyManifests(out)
      const name = positionals.length === 1 ? (positionals[0] ?? 'stdin') : 'manifests'
      if (before !== after)
        process.stdout.write(
          createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, {
            headerOptions: FILE_HEADERS_ONLY,
          }),
        )
      return 0
    }
    process.stdout.write(render(output as Output, input.manifests, out, { ...config, options }))
    return 0
  } catch (e) {
    return failed(e, read)
  }
}

/** The hooked manifests in the `--output` format. */
function render(output: Output, input: readonly object[], hooked: readonly object[], config: HookConfig): string {
  if (output === 'yaml') return stringifyManifests(hooked)
  if (output === 'json') return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: hooked }, null, 2) + '\n'
  const objects = objectsOf(input, hooked)
  const key = (m: object) => {
    const ref = refOfManifest(m)
    return ref === undefined ? undefined : identityKey(ref)
  }
  const taken = new Set(objects.map(key))
  // the input's own ConfigMaps and Secrets the hook put in place of: objects, not patches
  const workloads = input.filter((m) => !taken.has(key(m)))
  if (output === 'apply') {
    const configurations = workloads
      .map((m) => hookApplyConfiguration(m, config.spec, config.options).applyConfiguration)
      .filter((a) => Object.keys(a).some((k) => k !== 'apiVersion' && k !== 'kind' && k !== 'metadata'))
    return stringifyManifests([...configurations, ...objects])
  }
  const patches = workloads
    .map((m) => {
      const patch =
        output === 'json-patch'
          ? hookPatch(m, config.spec, config.options).patch
          : hookStrategicPatch(m, config.spec, config.options).patch
      return { resourceRef: refOfManifest(m), patch }
    })
    .filter((p) => (Array.isArray(p.patch) ? p.patch.length > 0 : Object.keys(p.patch).length > 0))
  return JSON.stringify({ patches, objects }, null, 2) + '\n'
}
