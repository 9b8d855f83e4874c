#!/usr/bin/env node
// krake-hooks: the hook from a shell, kustomize (exec plugin) or a KRM pipeline.
import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { describeHookError, HookError } from '../errors.js'
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff'
import { injectHook } from '../inject/inject.js'
import { hookPatch } from '../inject/patch.js'
import { removeHook } from '../inject/remove.js'
import { hookApplyConfiguration, hookStrategicPatch } from '../inject/strategic.js'
import { isObject, jsonEqual } from '../lib/json.js'
import type { Json } from '../lib/clone.js'
import { identityKey, isNamedObject, refOf, type ResourceRef } from '../lib/kubernetes.js'
import { checkHookCall } from '../verify/check-call.js'
import { webhookConfiguration, webhookObjects } from './webhook/config.js'
import { serveWebhook } from './webhook/serve.js'
import type { HookResult } from '../inject/types.js'
import { createHookToken } from '../token/create.js'
import { hashHookToken } from '../verify/token.js'
import { parseManifests } from '../yaml/parse.js'
import { stringifyManifests } from '../yaml/stringify.js'
import { inConfig, readHookConfig, type HookConfig } from './config.js'
import { runKrmFunction } from './krm.js'
import { runSignal, SIGNAL_USAGE } from './signal.js'
import { loadRestrictor, readConfigFile, type LoadRestrictor } from './files.js'
import { messageOf } from '../lib/check.js'

const USAGE = `usage:
  krake-hooks inject --config HOOK.yaml [FILE...]   hook the manifests of FILEs (or stdin), YAML to stdout
  krake-hooks remove --config HOOK.yaml [FILE...]   take the hook out again: the exact inverse of inject
  krake-hooks check --config HOOK.yaml [FILE...]    would each container's callback be accepted? one line each
  krake-hooks webhook serve|config|objects          one mutating admission webhook for every application
  krake-hooks fn                                    KRM function: a ResourceList on stdin, functionConfig = HookConfig or ConfigMap
  krake-hooks token                                 print a new hook token
  krake-hooks hash                                  print the sha256: digest of the token on stdin
  krake-hooks signal complete|shutdown              in the application: PUT the hook's token (for containers without curl)
  krake-hooks --version | COMMAND --help

HOOK.yaml is a HookConfig (apiVersion krake-hooks/v1alpha1): spec holds the hook
(kind, app, apiEndpoint, token or tokenFile, tls with *Pem or *File), options the
inject options. The files it names are read from the working directory, and
must stay inside it (--load-restrictor none lifts this), as kustomize reads its own.`

const WEBHOOK_USAGE = `usage:
  krake-hooks webhook serve --tls-cert FILE --tls-key FILE --hooks DIR [--address 0.0.0.0:8443]
                            [--metrics-address ADDR] [--reload-interval SECONDS] [--drain-timeout SECONDS]
  krake-hooks webhook config --service NAMESPACE/NAME --ca-file FILE [--path /mutate] [--port 443]
                             [--failure-policy Fail|Ignore]
  krake-hooks webhook objects --config HOOK.yaml [--namespace NS]

serve: the mutating admission webhook. DIR holds HookConfig files, one per
application and hook kind. A Pod opts in with the label krake-hooks/app (the
Krake application's name); its Krake namespace is the annotation
krake-hooks/app-namespace, or the Pod's own; the annotation krake-hooks/hooks
(complete,shutdown) picks kinds, every kind DIR holds by default. A Pod that
asks for a hook DIR does not hold is denied. POST /mutate (any query), GET
/healthz, /readyz, /metrics (Prometheus). DIR and the certificate are read
again every --reload-interval seconds (default 2); a file that breaks keeps
the last good set. SIGTERM stops accepting, finishes requests in flight
(--drain-timeout, default 25), then exits 0.
config: prints the MutatingWebhookConfiguration, caBundle from FILE.
objects: prints the ConfigMaps and Secrets a hooked Pod mounts, to create
beforehand in the Pods' namespace.`

/** Each command's usage (a Map: `krake-hooks constructor --help` names no command). */
const COMMAND_USAGE = new Map<string, string>(
  Object.entries({
    inject: `usage: krake-hooks inject --config HOOK.yaml [--output FORMAT] [--diff] [--load-restrictor rootOnly|none] [FILE...]

Hooks the manifests of FILEs (or stdin) and writes them to stdout; results go
to stderr, ending with a summary. --output (-o) says how:
  yaml        the hooked manifests (default)
  json        the hooked manifests as a v1 List
  json-patch  {"patches": [{resourceRef, patch}], "objects": [...]}: RFC 6902 patches (kubectl patch --type json)
  strategic   {"patches": [{resourceRef, patch}], "objects": [...]}: strategic merge patches (kubectl patch --type strategic)
  apply       the apply configurations for field manager krake-hooks, then the objects, as YAML
              (kubectl apply --server-side --field-manager krake-hooks -f -)
--diff prints a unified diff of the YAML before and after instead.
Exit 1 on an error (nothing on stdout), 2 on a usage error.`,
    remove: `usage: krake-hooks remove --config HOOK.yaml [--load-restrictor rootOnly|none] [FILE...]

Takes out of the manifests of FILEs (or stdin) every env entry, volume, mount
and object the hook wrote (the same HookConfig as for inject: only what equals
the hook's goes; an entry of its name that differs stays, with a warning) and
writes the YAML to stdout. Exit 1 on an error, 2 on a usage error.`,
    check: `usage: krake-hooks check --config HOOK.yaml [--hook-user CN] [--now RFC3339] [--load-restrictor rootOnly|none] [FILE...]

For every container of every workload in FILEs (or stdin), decides offline the
call it would make to the API: the token and URL as the kubelet gives them,
the certificate files as it mounts them, from the list's own ConfigMaps and
Secrets, against the HookConfig's token and CA bundle (and --hook-user, the
CN the API requires). One line per container on stdout. Exit 0 when every
call would be accepted, 1 otherwise (or when there is no container), 2 on a
usage error.`,
    fn: `usage: krake-hooks fn [--load-restrictor rootOnly|none]

A KRM function (kpt fn eval --exec, kpt fn render, kustomize): a ResourceList on
stdin, whose functionConfig is a HookConfig or a ConfigMap with the keys kind,
appName, appNamespace, apiEndpoint, externalEndpoint, token, tokenFile,
caBundleFile, certFile, keyFile, envToken, envUrl, certDest, certStorage,
tokenFrom, initContainers, onConflict; the ResourceList on stdout. Exit 1 when
a result is an error.`,
    token: `usage: krake-hooks token

Prints a new hook token: 32 random bytes, base64url.`,
    hash: `usage: krake-hooks hash < TOKEN

Prints the sha256: digest of the token on stdin, for a server to store instead of the token.`,
    signal: SIGNAL_USAGE,
    webhook: WEBHOOK_USAGE,
  }),
)
const usageOf = (command: string) => COMMAND_USAGE.get(command) ?? USAGE

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

/** parseArgs, or the usage and exit code 2 on an unknown option or a missing value (never a stack trace). */
function args<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  try {
    return parseArgs(config)
  } catch (e) {
    process.stderr.write(`krake-hooks ${command}: ${messageOf(e)}\n\n${usageOf(command)}\n`)
    return 2
  }
}

/** The --load-restrictor value, or the usage and 2. */
function restrictor(command: string, value: string | undefined): LoadRestrictor | number {
  const r = loadRestrictor(value ?? 'rootOnly')
  if (r !== undefined) return r
  process.stderr.write(
    `krake-hooks ${command}: --load-restrictor is rootOnly or none, not ${JSON.stringify(value)}\n\n${usageOf(command)}\n`,
  )
  return 2
}

const readStdin = () => readFileSync(0, 'utf8')

/** Where each manifest came from, to name the file and document in an error. */
interface Origin {
  file: string
  doc: number
}

function describe(e: HookError, origins: Origin[] = []): string {
  const m = e.path === undefined ? null : /^\/(\d+)(\/.*)?$/.exec(e.path)
  const origin = m ? origins[Number(m[1])] : undefined
  const where = origin ? `${origin.file}: document ${origin.doc}: ` : ''
  const path = origin ? (m?.[2] ?? '') : (e.path ?? '')
  return where + describeHookError(e, path)
}

const OUTPUTS = ['yaml', 'json', 'json-patch', 'strategic', 'apply'] as const
type Output = (typeof OUTPUTS)[number]

/** The options every command that reads a HookConfig and manifest files takes. */
const CONFIG_OPTIONS = { config: { type: 'string', short: 'c' }, 'load-restrictor': { type: 'string' } } as const

/** A command's HookConfig and manifests, read from its arguments, or the exit code after saying why not. */
function configAndManifests(
  command: string,
  values: { config?: string | undefined; 'load-restrictor'?: string | undefined },
  positionals: readonly string[],
): { config: HookConfig; input: { manifests: object[]; origins: Origin[] }; configFile: string } | number {
  const loads = restrictor(command, values['load-restrictor'])
  if (typeof loads === 'number') return loads
  if (values.config === undefined) {
    process.stderr.write(`krake-hooks ${command}: --config is required\n\n${usageOf(command)}\n`)
    return 2
  }
  const config = readConfigArgument(values.config, loads)
  if (typeof config === 'number') return config
  const input = readManifestFiles(positionals.length > 0 ? positionals : ['-'])
  if (typeof input === 'number') return input
  return { config, input, configFile: values.config }
}

/** Says where a HookError of a command is (the config, or a file and document), and returns 1. */
function failed(e: unknown, read: { config: HookConfig; input: { origins: Origin[] }; configFile: string }): number {
  if (!(e instanceof HookError)) throw e
  const rooted = inConfig(e, read.config.origins)
  process.stderr.write(
    `krake-hooks: ${rooted === e ? describe(e, read.input.origins) : `${read.configFile}: ${describe(rooted)}`}\n`,
  )
  return 1
}

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

function inject(argv: string[]): number {
  const parsed = args('inject', {
    args: argv,
    options: { ...CONFIG_OPTIONS, output: { type: 'string', short: 'o' }, diff: { type: 'boolean' } },
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
  try {
    const { manifests: out, results } = injectHook(input.manifests, config.spec, config.options)
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
    process.stdout.write(render(output as Output, input.manifests, out, config))
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

function remove(argv: string[]): number {
  const parsed = args('remove', { args: argv, options: CONFIG_OPTIONS, allowPositionals: true })
  if (typeof parsed === 'number') return parsed
  const read = configAndManifests('remove', parsed.values, parsed.positionals)
  if (typeof read === 'number') return read
  try {
    const { manifests, results } = removeHook(read.input.manifests, read.config.spec, read.config.options)
    printResults(results)
    process.stdout.write(stringifyManifests(manifests))
    return 0
  } catch (e) {
    return failed(e, read)
  }
}

async function check(argv: string[]): Promise<number> {
  const parsed = args('check', {
    args: argv,
    options: { ...CONFIG_OPTIONS, 'hook-user': { type: 'string' }, now: { type: 'string' } },
    allowPositionals: true,
  })
  if (typeof parsed === 'number') return parsed
  const { values, positionals } = parsed
  const now = values.now === undefined ? new Date() : new Date(values.now)
  if (Number.isNaN(now.getTime())) {
    process.stderr.write(`krake-hooks check: --now is an RFC 3339 time, not ${JSON.stringify(values.now)}\n`)
    return 2
  }
  const read = configAndManifests('check', values, positionals)
  if (typeof read === 'number') return read
  const { spec } = read.config
  try {
    const { ok, calls } = await checkHookCall(read.input.manifests, spec.kind, {
      // the API side as the HookConfig describes it: its token for its application, its CA bundle
      lookup: (app, kind) =>
        app.namespace === spec.app.namespace && app.name === spec.app.name && kind === spec.kind
          ? spec.token
          : undefined,
      caBundlePem: spec.tls?.caBundlePem,
      hookUser: values['hook-user'],
      now,
    })
    for (const c of calls) {
      const r = c.resourceRef
      const what = `${r.kind}/${r.namespace === undefined ? '' : r.namespace + '/'}${r.name} ${c.container}`
      const days = c.certificate === undefined ? '' : ` (certificate valid ${c.certificate.daysLeft} more days)`
      process.stdout.write(
        c.ok
          ? `ok    ${what}: ${c.reason}${days}\n`
          : `FAIL  ${what}: ${c.status === 0 ? 'no call' : c.status}: ${c.reason}\n`,
      )
    }
    if (calls.length === 0) process.stderr.write('krake-hooks check: no container in the manifests\n')
    return ok ? 0 : 1
  } catch (e) {
    return failed(e, read)
  }
}

/** The HookConfig that `--config` names, or the exit code after saying why it cannot be read. */
function readConfigArgument(path: string, loads: LoadRestrictor): HookConfig | number {
  try {
    // the file the user named on the command line: any place, but a regular file of at most 1 MiB
    const text = readConfigFile(path, '', process.cwd(), 'none')
    return readHookConfig(parseManifests(text)[0], { baseDir: process.cwd(), restrictor: loads })
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    process.stderr.write(`krake-hooks: ${path}: ${describe(e)}\n`)
    return 1
  }
}

/** Every document of `files` (`-` is stdin) and where each came from, or the exit code after saying why not. */
function readManifestFiles(files: readonly string[]): { manifests: object[]; origins: Origin[] } | number {
  const manifests: object[] = []
  const origins: Origin[] = []
  for (const file of files) {
    const name = file === '-' ? 'stdin' : file
    let text: string
    try {
      text = file === '-' ? readStdin() : readFileSync(file, 'utf8')
    } catch {
      process.stderr.write(`krake-hooks: cannot read ${file}\n`)
      return 1
    }
    try {
      parseManifests(text).forEach((d, i) => {
        manifests.push(d)
        origins.push({ file: name, doc: i })
      })
    } catch (e) {
      if (!(e instanceof HookError)) throw e
      process.stderr.write(`krake-hooks: ${name}: ${describe(e)}\n`)
      return 1
    }
  }
  return { manifests, origins }
}

/** The hook's results on stderr, one line each, naming the object and field they are about. */
function printResults(results: readonly HookResult[]): void {
  for (const r of results) {
    const ref = r.resourceRef
    const about = ref
      ? ` (${ref.kind}/${ref.namespace ? ref.namespace + '/' : ''}${ref.name}${r.field ? ' ' + r.field : ''})`
      : ''
    process.stderr.write(`krake-hooks: ${r.severity}: ${r.message}${about}\n`)
  }
}

function fn(argv: string[]): number {
  const parsed = args('fn', { args: argv, options: { 'load-restrictor': { type: 'string' } } })
  if (typeof parsed === 'number') return parsed
  const loads = restrictor('fn', parsed.values['load-restrictor'])
  if (typeof loads === 'number') return loads
  try {
    const { output, failed } = runKrmFunction(readStdin(), { baseDir: process.cwd(), restrictor: loads })
    process.stdout.write(output)
    return failed ? 1 : 0
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    process.stderr.write(`krake-hooks fn: ${describe(e)}\n`)
    return 1
  }
}

async function webhook(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  const usage = (message: string) => {
    process.stderr.write(`krake-hooks webhook: ${message}\n\n${WEBHOOK_USAGE}\n`)
    return 2
  }
  if (sub === 'serve') {
    const parsed = args('webhook', {
      args: rest,
      options: {
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        hooks: { type: 'string' },
        address: { type: 'string', default: '0.0.0.0:8443' },
        'metrics-address': { type: 'string' },
        'reload-interval': { type: 'string', default: '2' },
        'drain-timeout': { type: 'string', default: '25' },
      },
    })
    if (typeof parsed === 'number') return parsed
    const v = parsed.values
    if (v['tls-cert'] === undefined || v['tls-key'] === undefined || v.hooks === undefined)
      return usage('--tls-cert, --tls-key and --hooks are required')
    const reloadSeconds = Number(v['reload-interval'])
    const drainSeconds = Number(v['drain-timeout'])
    if (!(reloadSeconds > 0) || !(drainSeconds > 0))
      return usage('--reload-interval and --drain-timeout are seconds above 0')
    const log = (entry: Record<string, unknown>) =>
      process.stderr.write(JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n')
    let served
    try {
      served = await serveWebhook({
        tlsCertFile: v['tls-cert'],
        tlsKeyFile: v['tls-key'],
        hooksDir: v.hooks,
        address: v.address,
        metricsAddress: v['metrics-address'],
        reloadSeconds,
        drainSeconds,
        log,
      })
    } catch (e) {
      log({ level: 'error', msg: 'cannot start', error: e instanceof HookError ? e.message : messageOf(e) })
      return 1
    }
    const { address, metricsAddress } = served
    // the addresses on stdout, one JSON line: for scripts and tests that ask for port 0
    process.stdout.write(
      JSON.stringify({ address: address.port, ...(metricsAddress ? { metrics: metricsAddress.port } : {}) }) + '\n',
    )
    await new Promise<void>((resolve) => {
      const stop = () => void served.drain().then(resolve)
      process.once('SIGTERM', stop)
      process.once('SIGINT', stop)
    })
    return 0
  }
  if (sub === 'config') {
    const parsed = args('webhook', {
      args: rest,
      options: {
        service: { type: 'string' },
        'ca-file': { type: 'string' },
        path: { type: 'string', default: '/mutate' },
        port: { type: 'string', default: '443' },
        'failure-policy': { type: 'string', default: 'Fail' },
      },
    })
    if (typeof parsed === 'number') return parsed
    const v = parsed.values
    const [namespace, name, extra] = (v.service ?? '').split('/')
    if (namespace === undefined || namespace === '' || name === undefined || name === '' || extra !== undefined)
      return usage('--service is NAMESPACE/NAME')
    if (v['ca-file'] === undefined) return usage('--ca-file is required')
    const policy = v['failure-policy']
    if (policy !== 'Fail' && policy !== 'Ignore') return usage('--failure-policy is Fail or Ignore')
    const port = Number(v.port)
    if (!Number.isInteger(port) || port < 1 || port > 65535) return usage('--port is a port number')
    if (!v.path.startsWith('/')) return usage('--path starts with /')
    try {
      const caPem = readConfigFile(v['ca-file'], '', process.cwd(), 'none')
      const config = webhookConfiguration({
        service: { namespace, name },
        caPem,
        path: v.path,
        failurePolicy: policy,
        port,
      })
      process.stdout.write(stringifyManifests([config]))
      return 0
    } catch (e) {
      if (!(e instanceof HookError)) throw e
      process.stderr.write(
        `krake-hooks webhook config: ${v['ca-file']}: ${describeHookError(e, e.path === '/caFile' ? '' : e.path)}\n`,
      )
      return 1
    }
  }
  if (sub === 'objects') {
    const parsed = args('webhook', {
      args: rest,
      options: { ...CONFIG_OPTIONS, namespace: { type: 'string', short: 'n' } },
    })
    if (typeof parsed === 'number') return parsed
    const v = parsed.values
    const loads = restrictor('webhook', v['load-restrictor'])
    if (typeof loads === 'number') return loads
    if (v.config === undefined) return usage('--config is required')
    const config = readConfigArgument(v.config, loads)
    if (typeof config === 'number') return config
    try {
      process.stdout.write(stringifyManifests(webhookObjects(config.spec, config.options, v.namespace)))
      return 0
    } catch (e) {
      if (!(e instanceof HookError)) throw e
      process.stderr.write(`krake-hooks: ${v.config}: ${describe(inConfig(e, config.origins))}\n`)
      return 1
    }
  }
  return usage(sub === undefined ? 'serve, config or objects?' : `unknown subcommand "${sub}"`)
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command !== undefined && COMMAND_USAGE.has(command) && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(`${usageOf(command)}\n`)
    return 0
  }
  if (command !== undefined && COMMAND_USAGE.has(command) && rest.includes('--version')) {
    process.stdout.write(version() + '\n')
    return 0
  }
  switch (command) {
    case '--version':
    case '-v':
      process.stdout.write(version() + '\n')
      return 0
    case 'signal':
      return runSignal(rest, (line) => process.stderr.write(line + '\n'))
    case 'inject':
      return inject(rest)
    case 'remove':
      return remove(rest)
    case 'webhook':
      return webhook(rest)
    case 'check':
      return check(rest)
    case 'fn':
      return fn(rest)
    case 'token':
    case 'hash':
      if (rest.length > 0) {
        process.stderr.write(
          `krake-hooks ${command}: takes no arguments, not ${JSON.stringify(rest[0])}\n\n${usageOf(command)}\n`,
        )
        return 2
      }
      if (command === 'token') {
        process.stdout.write(createHookToken() + '\n')
        return 0
      }
      try {
        process.stdout.write(hashHookToken(readStdin().trim()) + '\n')
        return 0
      } catch (e) {
        if (!(e instanceof HookError)) throw e
        process.stderr.write(`krake-hooks hash: ${e.message}\n`)
        return 1
      }
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE + '\n')
      return 0
    default:
      process.stderr.write(`${command === undefined ? '' : `krake-hooks: unknown command "${command}"\n\n`}${USAGE}\n`)
      return 2
  }
}

process.exitCode = await main(process.argv.slice(2))
