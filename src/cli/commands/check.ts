// krake-hooks check: would each container's callback be accepted? Decided offline, one line each.
import { checkHookCall } from '../../verify/check-call.js'
import { args, CONFIG_OPTIONS, configAndManifests, failed } from '../common.js'

export async function check(argv: string[]): Promise<number> {
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
