// The application side of the complete hook with signalHook: the TypeScript
// twin of the curl command of Krake's docs. Reads the token and URL the hook put into the
// environment and, for an https URL, the three mounted certificate files;
// PUTs {"token": ...}; retries network errors and 5xx with backoff, never a
// 4xx. (`krake-hooks signal complete` does the same from a shell.)
//
//   tsx examples/signal-complete.ts [--token-env KRAKE_TOKEN] [--url-env KRAKE_COMPLETE_URL]
//                                   [--cert-dir /etc/krake_cert] [--retries 4] [--backoff-ms 500]
import { parseArgs } from 'node:util'
import { HookError, signalHook } from 'krake-hooks'

const { values } = parseArgs({
  options: {
    'token-env': { type: 'string' },
    'url-env': { type: 'string' },
    'cert-dir': { type: 'string' },
    retries: { type: 'string', default: '4' },
    'backoff-ms': { type: 'string', default: '500' },
    'timeout-ms': { type: 'string', default: '10000' },
  },
})

try {
  const result = await signalHook('complete', {
    tokenEnv: values['token-env'],
    urlEnv: values['url-env'],
    certDir: values['cert-dir'],
    retries: Number(values.retries),
    backoffMs: Number(values['backoff-ms']),
    timeoutMs: Number(values['timeout-ms']),
    onRetry: (attempt, reason, delay) =>
      console.error(`krake: attempt ${attempt} failed (${reason}); retrying in ${delay} ms`),
  })
  console.error(result.ok ? `krake: complete hook accepted (${result.status})` : `krake: ${result.reason}`)
  process.exitCode = result.ok ? 0 : 1
} catch (e) {
  if (!(e instanceof HookError)) throw e
  console.error(`krake: ${e.message}`) // a variable or the certificate volume is missing
  process.exitCode = 1
}
