#!/usr/bin/env node
// krake-hooks: the hook from a shell, kustomize (exec plugin) or a KRM pipeline.
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { HookError } from '../errors.js'
import { injectHook } from '../inject/inject.js'
import { createHookToken } from '../token/create.js'
import { hashHookToken } from '../verify/token.js'
import { parseManifests } from '../yaml/parse.js'
import { stringifyManifests } from '../yaml/stringify.js'
import { inConfig, readHookConfig } from './config.js'
import { runKrmFunction } from './krm.js'
import { runSignal } from './signal.js'

const USAGE = `usage:
  krake-hooks inject --config HOOK.yaml [FILE...]   hook the manifests of FILEs (or stdin), YAML to stdout
  krake-hooks fn                                    KRM function: a ResourceList on stdin, functionConfig = HookConfig
  krake-hooks token                                 print a new hook token
  krake-hooks hash                                  print the sha256: digest of the token on stdin
  krake-hooks signal complete|shutdown              in the application: PUT the hook's token (for containers without curl)

HOOK.yaml is a HookConfig (apiVersion krake-hooks/v1alpha1): spec holds the hook
(kind, app, apiEndpoint, token or tokenFile, tls with *Pem or *File), options the
inject options. Relative file paths are read from the working directory.`

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
  // Messages start with their own absolute path; the path printed here already says where.
  const message = e.path && e.message.startsWith(e.path + ' ') ? e.message.slice(e.path.length + 1) : e.message
  return `${where}${e.code}${path ? ` at ${path}` : ''}: ${message}`
}

function inject(args: string[]): number {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, allowPositionals: true })
  if (values.config === undefined) {
    process.stderr.write(`krake-hooks inject: --config is required\n\n${USAGE}\n`)
    return 2
  }
  let config
  try {
    const docs = parseManifests(readFileSync(values.config, 'utf8'))
    config = readHookConfig(docs[0])
  } catch (e) {
    if (e instanceof HookError) {
      process.stderr.write(`krake-hooks: ${values.config}: ${describe(e)}\n`)
      return 1
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`krake-hooks: cannot read ${values.config}\n`)
      return 1
    }
    throw e
  }
  const manifests: object[] = []
  const origins: Origin[] = []
  const files = positionals.length > 0 ? positionals : ['-']
  for (const file of files) {
    let text: string
    try {
      text = file === '-' ? readStdin() : readFileSync(file, 'utf8')
    } catch {
      process.stderr.write(`krake-hooks: cannot read ${file}\n`)
      return 1
    }
    try {
      const docs = parseManifests(text)
      docs.forEach((d, i) => {
        manifests.push(d)
        origins.push({ file: file === '-' ? 'stdin' : file, doc: i })
      })
    } catch (e) {
      if (!(e instanceof HookError)) throw e
      process.stderr.write(`krake-hooks: ${file === '-' ? 'stdin' : file}: ${describe(e)}\n`)
      return 1
    }
  }
  try {
    const { manifests: out, results } = injectHook(manifests, config.spec, config.options)
    for (const r of results) {
      const ref = r.resourceRef ? ` (${r.resourceRef.kind}/${r.resourceRef.namespace ? r.resourceRef.namespace + '/' : ''}${r.resourceRef.name}${r.field ? ' ' + r.field : ''})` : ''
      process.stderr.write(`krake-hooks: ${r.severity}: ${r.message}${ref}\n`)
    }
    process.stdout.write(stringifyManifests(out))
    return 0
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    const rooted = inConfig(e, config.origins)
    process.stderr.write(`krake-hooks: ${rooted === e ? describe(e, origins) : `${values.config}: ${describe(rooted)}`}\n`)
    return 1
  }
}

function fn(): number {
  try {
    const { output, failed } = runKrmFunction(readStdin())
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
  switch (command) {
    case 'signal':
      return runSignal(rest, (line) => process.stderr.write(line + '\n'))
    case 'inject':
      return inject(rest)
    case 'fn':
      return fn()
    case 'token':
      process.stdout.write(createHookToken() + '\n')
      return 0
    case 'hash':
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
