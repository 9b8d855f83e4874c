import { describe, expect, it } from 'vitest'
import { parseKrakeHooksConfig } from '../../src/index.js'
import { hookErrorOf, krakeFixture } from '../helpers.js'

describe('parseKrakeHooksConfig(input)', () => {
  it("parses a controller configuration in Krake's 2020 layout (hooks.complete with env_complete)", () => {
    expect(parseKrakeHooksConfig(krakeFixture('controller-2020.yaml'))).toEqual({
      layout: '2020',
      complete: {
        hookUser: 'system:complete-hook',
        intermediateSrc: '/etc/krake/pki/system:complete-signing.pem',
        intermediateKeySrc: '/etc/krake/pki/system:complete-signing-key.pem',
        certDest: '/etc/krake_cert',
        envToken: 'KRAKE_TOKEN',
        envUrl: 'KRAKE_COMPLETE_URL',
        externalEndpoint: 'https://krake.example:1234',
      },
    })
  })

  it('parses a controller configuration in the current layout (complete and shutdown with env_url), without external endpoints', () => {
    const hooks = parseKrakeHooksConfig(krakeFixture('controller-current.yaml'))
    expect(hooks.layout).toBe('current')
    expect(hooks.complete).toEqual({
      hookUser: 'system:complete-hook',
      intermediateSrc: '/etc/krake/pki/system:complete-signing.pem',
      intermediateKeySrc: '/etc/krake/pki/system:complete-signing-key.pem',
      certDest: '/etc/krake_complete_certs/',
      envToken: 'KRAKE_COMPLETE_TOKEN',
      envUrl: 'KRAKE_COMPLETE_URL',
    })
    expect(hooks.shutdown).toEqual({
      hookUser: 'system:shutdown-hook',
      intermediateSrc: '/etc/krake/pki/system:shutdown-signing.pem',
      intermediateKeySrc: '/etc/krake/pki/system:shutdown-signing-key.pem',
      certDest: '/etc/krake_shutdown_certs/',
      envToken: 'KRAKE_SHUTDOWN_TOKEN',
      envUrl: 'KRAKE_SHUTDOWN_URL',
      timeout: 30,
      failureStrategy: 'delete',
      failureRetryCount: 0,
    })
  })

  it("fills the 2020 Krake's defaults (its data/config.py at 4749d43) when forced or told by env_complete, from the hooks section alone or the whole file, as text or parsed (issue 17)", () => {
    const pki = { intermediate_src: 'pki/c.pem', intermediate_key_src: 'pki/c-key.pem' }
    const complete = {
      hookUser: 'system:complete-hook',
      intermediateSrc: 'pki/c.pem',
      intermediateKeySrc: 'pki/c-key.pem',
      certDest: '/etc/krake_certs/', // the code's default; the docs say /etc/krake_cert
      envToken: 'KRAKE_TOKEN',
      envUrl: 'KRAKE_COMPLETE_URL',
    }
    // 2020's Krake has no shutdown hook: ours, for a fork that adds one
    const shutdown = {
      hookUser: 'system:shutdown-hook',
      intermediateSrc: 'pki/c.pem',
      intermediateKeySrc: 'pki/c-key.pem',
      certDest: '/etc/krake_shutdown_cert',
      envToken: 'KRAKE_SHUTDOWN_TOKEN',
      envUrl: 'KRAKE_SHUTDOWN_URL',
      timeout: 30,
      failureStrategy: 'delete',
      failureRetryCount: 0,
    }
    const text = 'complete: {intermediate_src: pki/c.pem, intermediate_key_src: pki/c-key.pem}\n'
    expect(parseKrakeHooksConfig(text, { layout: '2020' })).toEqual({ layout: '2020', complete })
    expect(
      parseKrakeHooksConfig({ api_endpoint: 'x', hooks: { complete: pki, shutdown: pki } }, { layout: '2020' }),
    ).toEqual({ layout: '2020', complete, shutdown })
    expect(parseKrakeHooksConfig({ complete: { ...pki, env_complete: 'KRAKE_COMPLETE_URL' } })).toEqual({
      layout: '2020',
      complete,
    })
  })

  it.each([
    ["2020's without intermediate_src", { complete: { env_complete: 'X' } }, undefined, '/complete/intermediate_src'],
    ["2020's without a complete hook", { api_endpoint: 'x', hooks: {} }, '2020', '/hooks/complete'],
    [
      'the current one (forced) without a shutdown hook',
      { hooks: { complete: { intermediate_src: 'a', intermediate_key_src: 'b' } } },
      'current',
      '/hooks/shutdown',
    ],
    [
      'the current one without a complete hook',
      { shutdown: { intermediate_src: 'a', intermediate_key_src: 'b' } },
      undefined,
      '/complete',
    ],
    ['a controller configuration without hooks', 'api_endpoint: x\n', undefined, '/hooks'],
    ['an empty one', '', '2020', '/hooks'],
  ] as const)('a configuration Krake refuses is refused: %s (issue 17)', (_, input, layout, path) => {
    const e = hookErrorOf(() => parseKrakeHooksConfig(input, layout ? { layout } : {}))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', path])
    expect(e.message).toMatch(/required/)
  })

  it("reads a file with a complete section alone, nothing else telling, as 2020's: today's Krake requires a shutdown section (issue 33)", () => {
    const text = 'hooks:\n  complete:\n    intermediate_src: a.pem\n    intermediate_key_src: a-key.pem\n'
    expect(parseKrakeHooksConfig(text)).toEqual({
      layout: '2020',
      complete: {
        hookUser: 'system:complete-hook',
        intermediateSrc: 'a.pem',
        intermediateKeySrc: 'a-key.pem',
        certDest: '/etc/krake_certs/',
        envToken: 'KRAKE_TOKEN',
        envUrl: 'KRAKE_COMPLETE_URL',
      },
    })
  })

  it("fills current Krake's defaults (data/config.py) when told by env_url, a shutdown section or a shutdown-only key", () => {
    const pki = { intermediate_src: 'pki/c.pem', intermediate_key_src: 'pki/c-key.pem' }
    const complete = {
      hookUser: 'system:complete-hook',
      intermediateSrc: 'pki/c.pem',
      intermediateKeySrc: 'pki/c-key.pem',
      certDest: '/etc/krake_complete_certs/',
      envToken: 'KRAKE_COMPLETE_TOKEN',
      envUrl: 'KRAKE_COMPLETE_URL',
    }
    const shutdown = {
      hookUser: 'system:shutdown-hook',
      intermediateSrc: 'pki/c.pem',
      intermediateKeySrc: 'pki/c-key.pem',
      certDest: '/etc/krake_shutdown_certs/',
      envToken: 'KRAKE_SHUTDOWN_TOKEN',
      envUrl: 'KRAKE_SHUTDOWN_URL',
      timeout: 30,
      failureStrategy: 'delete',
      failureRetryCount: 0,
    }
    const both = { layout: 'current', complete, shutdown }
    expect(parseKrakeHooksConfig({ complete: { ...pki, env_url: 'KRAKE_COMPLETE_URL' }, shutdown: pki })).toEqual(both)
    expect(parseKrakeHooksConfig({ complete: pki, shutdown: pki })).toEqual(both)
    expect(parseKrakeHooksConfig({ complete: pki, shutdown: { ...pki, timeout: 30 } })).toEqual(both)
    // forced: env_complete read as env_url by current Krake too
    expect(
      parseKrakeHooksConfig({ complete: { ...pki, env_complete: 'DONE' }, shutdown: pki }, { layout: 'current' }),
    ).toEqual({
      ...both,
      complete: { ...complete, envUrl: 'DONE' },
    })
  })

  it("reads every key of current Krake (data/config.py's hooks section) for both hooks, from a file in Krake's layout", () => {
    expect(parseKrakeHooksConfig(krakeFixture('every-key.yaml'))).toEqual({
      layout: 'current',
      complete: {
        hookUser: 'system:complete-hook-2',
        intermediateSrc: '/pki/complete.pem',
        intermediateKeySrc: '/pki/complete-key.pem',
        certDest: '/etc/krake_complete_certs',
        envToken: 'DONE_TOKEN',
        envUrl: 'DONE_URL',
        externalEndpoint: 'https://krake.example:8443',
      },
      shutdown: {
        hookUser: 'system:shutdown-hook-2',
        intermediateSrc: '/pki/shutdown.pem',
        intermediateKeySrc: '/pki/shutdown-key.pem',
        certDest: '/etc/krake_shutdown_certs',
        envToken: 'STOP_TOKEN',
        envUrl: 'STOP_URL',
        timeout: 45,
        failureStrategy: 'give_up',
        failureRetryCount: 2,
      },
    })
  })

  const PKI = { intermediate_src: 'a.pem', intermediate_key_src: 'a-key.pem' }
  it.each([
    [
      { shutdown: { ...PKI, timeout: 0 } },
      '/shutdown/timeout',
      /timeout \(seconds\) must be an integer of at least 1, not 0/,
    ],
    [{ shutdown: { ...PKI, timeout: 1.5 } }, '/shutdown/timeout', /integer of at least 1, not 1.5/],
    [{ shutdown: { ...PKI, timeout: '30' } }, '/shutdown/timeout', /integer of at least 1, not "30"/],
    [{ shutdown: { ...PKI, timeout: true } }, '/shutdown/timeout', /integer of at least 1, not true/],
    [
      { shutdown: { ...PKI, failure_retry_count: -1 } },
      '/shutdown/failure_retry_count',
      /integer of at least 0, not -1/,
    ],
    [
      { shutdown: { ...PKI, failure_retry_count: null } },
      '/shutdown/failure_retry_count',
      /integer of at least 0, not null/,
    ],
    [
      { shutdown: { ...PKI, failure_strategy: 'retry' } },
      '/shutdown/failure_strategy',
      /"delete" or "give_up", not "retry"/,
    ],
    [{ complete: { ...PKI, timeout: 30 } }, '/complete/timeout', /unknown key "timeout"/],
    [{ complete: { env_url: 'X' } }, '/complete/intermediate_src', /intermediate_src is required/],
    [{ shutdown: { intermediate_src: 'a.pem' } }, '/shutdown/intermediate_key_src', /intermediate_key_src is required/],
  ])('refuses current %j with ERR_INVALID_CONFIG naming the key', (input, path, message) => {
    const e = hookErrorOf(() => parseKrakeHooksConfig(input))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', path])
    expect(e.message).toMatch(message)
  })

  it('refuses an unknown layout with ERR_INVALID_ARGUMENT', () => {
    // @ts-expect-error not a layout
    const e = hookErrorOf(() => parseKrakeHooksConfig({}, { layout: '2021' }))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_ARGUMENT', '/layout'])
  })

  it('accepts env_url for the complete hook too', () => {
    expect(parseKrakeHooksConfig({ complete: { ...PKI, env_url: 'DONE_URL' }, shutdown: PKI }).complete?.envUrl).toBe(
      'DONE_URL',
    )
  })

  it.each([
    [{ hooks: { complete: { env_tokn: 'X' } } }, '/hooks/complete/env_tokn', /unknown key "env_tokn"/],
    // Object.prototype's names are unknown keys too (issue 16)
    [{ hooks: { complete: { constructor: 'x' } } }, '/hooks/complete/constructor', /unknown key "constructor"/],
    [{ hooks: { shutdown: { toString: 'x' } } }, '/hooks/shutdown/toString', /unknown key "toString"/],
    [JSON.parse('{"hooks": {"complete": {"__proto__": "x"}}}'), '/hooks/complete/__proto__', /unknown key "__proto__"/],
    [{ hooks: { shutdown: { env_complete: 'X' } } }, '/hooks/shutdown/env_complete', /unknown key "env_complete"/],
    [{ complete: { hook_user: 42 } }, '/complete/hook_user', /hook_user must be a non-empty string, not 42/],
    [{ complete: { cert_dest: ['a'] } }, '/complete/cert_dest', /cert_dest must be a non-empty string/],
    [{ complete: { ...PKI, cert_dest: 'relative/dir' } }, '/complete/cert_dest', /absolute path/],
    [
      { complete: { ...PKI, external_endpoint: 'krake:1234' } },
      '/complete/external_endpoint',
      /absolute http\(s\) URL/,
    ],
    [
      { complete: { ...PKI, external_endpoint: 'ftp://krake' } },
      '/complete/external_endpoint',
      /absolute http\(s\) URL/,
    ],
    [{ complete: { env_complete: 'A', env_url: 'B' } }, '/complete/env_url', /env_complete or env_url, not both/],
    [{ hooks: { finish: {} } }, '/hooks/finish', /unknown hook "finish"/],
    [{ hooks: { complete: 'yes' } }, '/hooks/complete', /must be a mapping/],
    [{ hooks: ['complete'] }, '/hooks', /hooks must be a mapping/],
    [[1, 2], '', /must be a mapping/],
    // what the API server refuses as a variable name (issue 17)
    [
      { complete: { ...PKI, env_token: 'BAD NAME' } },
      '/complete/env_token',
      /environment variable name the API server/,
    ],
    [{ shutdown: { ...PKI, env_url: '1URL' } }, '/shutdown/env_url', /environment variable name the API server/],
  ])('refuses %j with ERR_INVALID_CONFIG naming the key', (input, path, message) => {
    const e = hookErrorOf(() => parseKrakeHooksConfig(input))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', path])
    expect(e.message).toMatch(message)
  })

  it('refuses YAML that does not parse with ERR_YAML_SYNTAX, and several documents with ERR_INVALID_CONFIG', () => {
    expect(hookErrorOf(() => parseKrakeHooksConfig('hooks: [\n')).code).toBe('ERR_YAML_SYNTAX')
    const e = hookErrorOf(() => parseKrakeHooksConfig('hooks: {}\n---\nhooks: {}\n'))
    expect([e.code, e.message]).toEqual(['ERR_INVALID_CONFIG', 'the Krake configuration must be one YAML document'])
  })
})
