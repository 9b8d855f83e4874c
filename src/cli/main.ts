#!/usr/bin/env node
// krake-hooks: the hook from a shell, kustomize (exec plugin) or a KRM pipeline.
import { readFileSync } from 'node:fs'
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { describeHookError, HookError } from '../errors.js'
import { injectHook } from '../inject/inject.js'
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
  krake-hooks fn                                    KRM function: a ResourceList on stdin, functionConfig = HookConfig or ConfigMap
  krake-hooks token                                 print a new hook token
  krake-hooks hash                                  print the sha256: digest of the token on stdin
  krake-hooks signal complete|shutdown              in the application: PUT the hook's token (for containers without curl)
  krake-hooks --version | COMMAND --help

HOOK.yaml is a HookConfig (apiVersion krake-hooks/v1alpha1): spec holds the hook
(kind, app, apiEndpoint, token or tokenFile, tls with *Pem or *File), options the
inject options. The files it names are read from the working directory, and
must stay inside it (--load-restrictor none lifts this), as kustomize reads its own.`

/** Each command's usage (a Map: `krake-hooks constructor --help` names no command). */
const COMMAND_USAGE = new Map<string, string>(
  Object.entries({
    inject: `usage: krake-hooks inject --config HOOK.yaml [--load-restrictor rootOnly|none] [FILE...]

Hooks the manifests of FILEs (or stdin) and writes them as YAML to stdout;
results go to stderr. Exit 1 on an error (nothing on stdout), 2 on a usage error.`,
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

function inject(argv: string[]): number {
  const parsed = args('inject', {
    args: argv,
    options: { config: { type: 'string', short: 'c' }, 'load-restrictor': { type: 'string' } },
    allowPositionals: true,
  })
  if (typeof parsed === 'number') return parsed
  const { values, positionals } = parsed
  const loads = restrictor('inject', values['load-restrictor'])
  if (typeof loads === 'number') return loads
  if (values.config === undefined) {
    process.stderr.write(`krake-hooks inject: --config is required\n\n${usageOf('inject')}\n`)
    return 2
  }
  const config = readConfigArgument(values.config, loads)
  if (typeof config === 'number') return config
  const input = readManifestFiles(positionals.length > 0 ? positionals : ['-'])
  if (typeof input === 'number') return input
  try {
    const { manifests: out, results } = injectHook(input.manifests, config.spec, config.options)
    printResults(results)
    process.stdout.write(stringifyManifests(out))
    return 0
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    const rooted = inConfig(e, config.origins)
    process.stderr.write(
      `krake-hooks: ${rooted === e ? describe(e, input.origins) : `${values.config}: ${describe(rooted)}`}\n`,
    )
    return 1
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
