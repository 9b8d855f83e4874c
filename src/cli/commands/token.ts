// krake-hooks token | hash: a new hook token, and the digest a server stores instead of one.
import { HookError } from '../../errors.js'
import { createHookToken } from '../../token/create.js'
import { hashHookToken } from '../../verify/token.js'
import { readStdin } from '../common.js'
import { usageOf } from '../usage.js'

export function token(command: 'token' | 'hash', rest: readonly string[]): number {
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
}
