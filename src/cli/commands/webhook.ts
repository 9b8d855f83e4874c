// krake-hooks webhook serve|config|objects: one mutating admission webhook for every application.
import { describeHookError, HookError } from '../../errors.js'
import { messageOf } from '../../lib/check.js'
import { stringifyManifests } from '../../yaml/stringify.js'
import { args, CONFIG_OPTIONS, describe, readConfigArgument, restrictor } from '../common.js'
import { inConfig } from '../config.js'
import { readConfigFile } from '../files.js'
import { WEBHOOK_USAGE } from '../usage.js'
import { webhookConfiguration, webhookObjects } from '../webhook/config.js'
import { serveWebhook } from '../webhook/serve.js'

/** Says what is wrong with the command line, then the usage; exit code 2. */
function usage(message: string): number {
  process.stderr.write(`krake-hooks webhook: ${message}\n\n${WEBHOOK_USAGE}\n`)
  return 2
}

export async function webhook(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === 'serve') return serveCommand(rest)
  if (sub === 'config') return configCommand(rest)
  if (sub === 'objects') return objectsCommand(rest)
  return usage(sub === undefined ? 'serve, config or objects?' : `unknown subcommand "${sub}"`)
}

/** `webhook serve`: the server, until SIGTERM or SIGINT has drained it. */
async function serveCommand(rest: string[]): Promise<number> {
  const parsed = args('webhook', {
    args: rest,
    options: {
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'client-ca': { type: 'string' },
      hooks: { type: 'string' },
      address: { type: 'string', default: '0.0.0.0:8443' },
      'metrics-address': { type: 'string' },
      'reload-interval': { type: 'string', default: '2' },
      'drain-timeout': { type: 'string', default: '25' },
      'grace-period': { type: 'string', default: '5' },
    },
  })
  if (typeof parsed === 'number') return parsed
  const v = parsed.values
  if (v['tls-cert'] === undefined || v['tls-key'] === undefined || v.hooks === undefined)
    return usage('--tls-cert, --tls-key and --hooks are required')
  const reloadSeconds = Number(v['reload-interval'])
  const drainSeconds = Number(v['drain-timeout'])
  const graceSeconds = Number(v['grace-period'])
  if (!(graceSeconds >= 0)) return usage('--grace-period is seconds, 0 or more')
  if (!(reloadSeconds > 0) || !(drainSeconds > 0))
    return usage('--reload-interval and --drain-timeout are seconds above 0')
  const log = (entry: Record<string, unknown>) =>
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), ...entry }) + '\n')
  let served
  try {
    served = await serveWebhook({
      tlsCertFile: v['tls-cert'],
      tlsKeyFile: v['tls-key'],
      clientCaFile: v['client-ca'],
      hooksDir: v.hooks,
      address: v.address,
      metricsAddress: v['metrics-address'],
      reloadSeconds,
      drainSeconds,
      graceSeconds,
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

/** `webhook config`: the MutatingWebhookConfiguration for a Service. */
function configCommand(rest: string[]): number {
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

/** `webhook objects`: the Secrets a hooked Pod reads, for one HookConfig. */
function objectsCommand(rest: string[]): number {
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
