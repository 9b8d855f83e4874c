import { parseArgs } from 'node:util'
import { HookError } from '../errors.js'
import { signalHook, type SignalHookOptions } from '../signal/signal.js'
import { isOneOf, messageOf } from '../lib/check.js'
import { HOOK_KINDS } from '../contract.js'

export const SIGNAL_USAGE = `usage: krake-hooks signal complete|shutdown [--token-env NAME] [--url-env NAME] [--cert-dir DIR]
                                            [--retries 4] [--backoff-ms 500] [--timeout-ms 10000]`

/**
 * `krake-hooks signal complete|shutdown`: the application's call, for
 * containers without curl. Exit 0 when the Krake API took it, 1 when it
 * refused it or could not be reached, 2 for a usage error.
 */
export async function runSignal(args: string[], log: (line: string) => void): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      // each command's own table of options, in parseArgs' form (tables look alike by nature)
      options: {
        'token-env': { type: 'string' },
        'url-env': { type: 'string' },
        'cert-dir': { type: 'string' },
        retries: { type: 'string' },
        'backoff-ms': { type: 'string' },
        'timeout-ms': { type: 'string' },
      },
    })
  } catch (e) {
    log(`krake-hooks signal: ${messageOf(e)}\n\n${SIGNAL_USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const kind = positionals[0]
  if (!isOneOf(kind, HOOK_KINDS) || positionals.length !== 1) {
    log(`krake-hooks signal: name the hook, complete or shutdown\n\n${SIGNAL_USAGE}`)
    return 2
  }
  const flags = ['retries', 'backoff-ms', 'timeout-ms'] as const
  const notWhole = flags.find((flag) => values[flag] !== undefined && !/^\d{1,15}$/.test(values[flag]))
  if (notWhole !== undefined) {
    log(
      `krake-hooks signal: --${notWhole} takes a whole number, not ${JSON.stringify(values[notWhole])}\n\n${SIGNAL_USAGE}`,
    )
    return 2
  }
  const num = (flag: (typeof flags)[number]) => (values[flag] === undefined ? undefined : Number(values[flag]))
  const options: SignalHookOptions = {
    tokenEnv: values['token-env'],
    urlEnv: values['url-env'],
    certDir: values['cert-dir'],
    retries: num('retries'),
    backoffMs: num('backoff-ms'),
    timeoutMs: num('timeout-ms'),
    onRetry: (attempt, reason, delay) => log(`krake: attempt ${attempt} failed (${reason}); retrying in ${delay} ms`),
  }
  try {
    const result = await signalHook(kind, options)
    log(result.ok ? `krake: ${kind} hook accepted (${result.status})` : `krake: ${result.reason}`)
    return result.ok ? 0 : 1
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    log(`krake: ${e.message}`)
    return 1
  }
}
