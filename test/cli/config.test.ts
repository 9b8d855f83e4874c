import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inConfig, readHookConfig } from '../../src/cli/config.js'
import { HookError } from '../../src/index.js'
import { hookErrorOf } from '../helpers.js'

/** A token as `krake-hooks token` writes it: 43 base64url characters. */
const FILE_TOKEN = 'tok-from-file_0123456789abcdefghijklmnopqrs'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'krake-hooks-config-'))
  writeFileSync(join(dir, 'token'), `  ${FILE_TOKEN} \n`)
  writeFileSync(join(dir, 'ca.pem'), 'CA')
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const base = (spec: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) => ({
  apiVersion: 'krake-hooks/v1alpha1',
  kind: 'HookConfig',
  metadata: { name: 'h' },
  spec: { kind: 'complete', app: { name: 'a', namespace: 'n' }, apiEndpoint: 'http://k', token: 't', ...spec },
  ...rest,
})

describe('readHookConfig(config, cwd)', () => {
  it('returns the spec and options, reading tokenFile (trimmed) and tls files from cwd', () => {
    const { token: _t, ...spec } = base().spec
    const c = readHookConfig(
      {
        ...base(),
        spec: { ...spec, tokenFile: 'token', tls: { caBundleFile: 'ca.pem', certPem: 'C', keyPem: 'K' } },
        options: { onConflict: 'keep' },
      },
      { baseDir: dir, restrictor: 'rootOnly' },
    )
    expect(c.spec).toEqual({
      kind: 'complete',
      app: { name: 'a', namespace: 'n' },
      apiEndpoint: 'http://k',
      token: FILE_TOKEN,
      tls: { caBundlePem: 'CA', certPem: 'C', keyPem: 'K' },
    })
    expect(c.options).toEqual({ onConflict: 'keep' })
    expect(c.origins).toEqual({ '/spec/token': '/spec/tokenFile', '/spec/tls/caBundlePem': '/spec/tls/caBundleFile' })
  })

  it('refuses a token file that does not hold one token: truncated mid-write, two tokens, a PEM (issue 33)', () => {
    const { token: _t, ...spec } = base().spec
    for (const [name, text, why] of [
      ['truncated', FILE_TOKEN.slice(0, 20), /not 20 characters$/],
      ['two', `${FILE_TOKEN}\n${FILE_TOKEN}\n`, /not 87 characters of which some are not base64url$/],
      ['pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', /of which some are not base64url$/],
      ['empty', '', /not 0 characters$/],
    ] as const) {
      writeFileSync(join(dir, name), text)
      const e = hookErrorOf(() =>
        readHookConfig({ ...base(), spec: { ...spec, tokenFile: name } }, { baseDir: dir, restrictor: 'rootOnly' }),
      )
      expect([name, e.code, e.path]).toEqual([name, 'ERR_INVALID_CONFIG', '/spec/tokenFile'])
      expect(e.message).toMatch(why)
      expect(e.message).not.toContain(FILE_TOKEN.slice(0, 20)) // a message never shows what the file holds
    }
  })

  it('an inline token is kept as it is (injectHook judges it)', () => {
    expect(readHookConfig(base({ token: ' x ' }), { baseDir: dir, restrictor: 'rootOnly' }).spec.token).toBe(' x ')
  })

  it.each([
    ['not a mapping', 'text', ''],
    ['another kind', { ...base(), kind: 'Other' }, '/kind'],
    ['another apiVersion', { ...base(), apiVersion: 'v1' }, '/apiVersion'],
    ['an unknown top-level field', base({}, { status: {} }), '/status'],
    ['spec not a mapping', { ...base(), spec: [] }, '/spec'],
    ['no token', { ...base(), spec: { kind: 'complete' } }, '/spec/token'],
    ['a tokenFile that is a number', base({ token: undefined, tokenFile: 3 }), '/spec/tokenFile'],
    ['tls not a mapping', base({ tls: 'on' }), '/spec/tls'],
    ['an unknown tls field', base({ tls: { caBundlePem: 'a', certPem: 'b', keyPem: 'c', ca: 'x' } }), '/spec/tls/ca'],
    ['both certPem and certFile', base({ tls: { certPem: 'a', certFile: 'ca.pem' } }), '/spec/tls/certFile'],
    ['options not a mapping', base({}, { options: 'fast' }), '/options'],
  ])('refuses %s with ERR_INVALID_CONFIG at its path', (_, config, path) => {
    const e = hookErrorOf(() => readHookConfig(config, { baseDir: dir, restrictor: 'rootOnly' }))
    expect([e.code, e.path]).toEqual(['ERR_INVALID_CONFIG', path])
  })

  it('inConfig re-roots hook errors under /spec and option errors under /options, and leaves the rest', () => {
    expect(inConfig(new HookError('ERR_INVALID_HOOK', 'm', { path: '/token' })).path).toBe('/spec/token')
    expect(inConfig(new HookError('ERR_INVALID_OPTION', 'm', { path: '/certDest' })).path).toBe('/options/certDest')
    expect(
      inConfig(new HookError('ERR_INVALID_PEM', 'm', { path: '/tls/certPem' }), {
        '/spec/tls/certPem': '/spec/tls/certFile',
      }).path,
    ).toBe('/spec/tls/certFile')
    const manifest = new HookError('ERR_INVALID_MANIFEST', 'm', { path: '/0' })
    expect(inConfig(manifest)).toBe(manifest)
  })
})
