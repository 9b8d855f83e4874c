// What the commands share: argument parsing with the usage on a mistake, the
// HookConfig and manifest files read with where each document came from, and
// errors and results written as one line each.
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { describeHookError, HookError } from '../errors.js'
import { makePlan } from '../inject/index.js'
import type { HookResult } from '../types.js'
import { messageOf } from '../lib/check.js'
import { parseManifests } from '../yaml/parse.js'
import { inConfig, readHookConfig, type HookConfig } from './config.js'
import { loadRestrictor, readConfigFile, readInput, type LoadRestrictor } from './files.js'
import { usageOf } from './usage.js'

/** parseArgs, or the usage and exit code 2 on an unknown option or a missing value (never a stack trace). */
export function args<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> | number {
  try {
    return parseArgs(config)
  } catch (e) {
    process.stderr.write(`krake-hooks ${command}: ${messageOf(e)}\n\n${usageOf(command)}\n`)
    return 2
  }
}

/** The --load-restrictor value, or the usage and 2. */
export function restrictor(command: string, value: string | undefined): LoadRestrictor | number {
  const r = loadRestrictor(value ?? 'rootOnly')
  if (r !== undefined) return r
  process.stderr.write(
    `krake-hooks ${command}: --load-restrictor is rootOnly or none, not ${JSON.stringify(value)}\n\n${usageOf(command)}\n`,
  )
  return 2
}

export const readStdin = () => readInput('-')

/** Where each manifest came from, to name the file and document in an error. */
export interface Origin {
  file: string
  doc: number
}

export function describe(e: HookError, origins: Origin[] = []): string {
  const m = e.path === undefined ? null : /^\/(\d+)(\/.*)?$/.exec(e.path)
  const origin = m ? origins[Number(m[1])] : undefined
  const where = origin ? `${origin.file}: document ${origin.doc}: ` : ''
  const path = origin ? (m?.[2] ?? '') : (e.path ?? '')
  return where + describeHookError(e, path)
}

/** The options every command that reads a HookConfig and manifest files takes. */
export const CONFIG_OPTIONS = { config: { type: 'string', short: 'c' }, 'load-restrictor': { type: 'string' } } as const

/** A command's HookConfig and manifests, read from its arguments, or the exit code after saying why not. */
export function configAndManifests(
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
  const read = { config, input, configFile: values.config }
  try {
    // every command takes a HookConfig as inject does: what injectHook would refuse, check and remove refuse too
    makePlan(config.spec, config.options)
  } catch (e) {
    return failed(e, read)
  }
  return read
}

/** Says where a HookError of a command is (the config, or a file and document), and returns 1. */
export function failed(
  e: unknown,
  read: { config: HookConfig; input: { origins: Origin[] }; configFile: string },
): number {
  if (!(e instanceof HookError)) throw e
  const rooted = inConfig(e, read.config.origins)
  process.stderr.write(
    `krake-hooks: ${rooted === e ? describe(e, read.input.origins) : `${read.configFile}: ${describe(rooted)}`}\n`,
  )
  return 1
}

/** The HookConfig that `--config` names, or the exit code after saying why it cannot be read. */
export function readConfigArgument(path: string, loads: LoadRestrictor): HookConfig | number {
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
export function readManifestFiles(files: readonly string[]): { manifests: object[]; origins: Origin[] } | number {
  const manifests: object[] = []
  const origins: Origin[] = []
  for (const file of files) {
    const name = file === '-' ? 'stdin' : file
    let text: string
    try {
      text = readInput(file)
    } catch (e) {
      const why = e instanceof Error && !('code' in e) ? e.message : `cannot read ${file}`
      process.stderr.write(`krake-hooks: ${why}\n`)
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
export function printResults(results: readonly HookResult[]): void {
  for (const r of results) {
    const ref = r.resourceRef
    const about = ref
      ? ` (${ref.kind}/${ref.namespace ? ref.namespace + '/' : ''}${ref.name}${r.field ? ' ' + r.field : ''})`
      : ''
    process.stderr.write(`krake-hooks: ${r.severity}: ${r.message}${about}\n`)
  }
}
