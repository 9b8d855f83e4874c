#!/usr/bin/env node
// krake-hooks: the hook from a shell, kustomize (exec plugin) or a KRM pipeline.
// The command's front door: each command's code is loaded only when it runs,
// so --version and --help load no certificate, YAML or metrics code.
import { readFileSync } from 'node:fs'
import { COMMAND_USAGE, USAGE, usageOf } from './usage.js'

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
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
      return (await import('./signal.js')).runSignal(rest, (line) => process.stderr.write(line + '\n'))
    case 'inject':
      return (await import('./commands/inject.js')).inject(rest)
    case 'remove':
      return (await import('./commands/remove.js')).remove(rest)
    case 'webhook':
      return (await import('./commands/webhook.js')).webhook(rest)
    case 'check':
      return (await import('./commands/check.js')).check(rest)
    case 'fn':
      return (await import('./commands/fn.js')).fn(rest)
    case 'token':
    case 'hash':
      return (await import('./commands/token.js')).token(command, rest)
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
