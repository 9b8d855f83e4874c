import { describe, expect, it } from 'vitest'
import { HookError, hookUrl } from '../../src/index.js'

const app = { namespace: 'secondary', name: 'nginx-demo' }
const tail = '/kubernetes/namespaces/secondary/applications/nginx-demo'

describe('hookUrl(endpoint, app, kind, tls)', () => {
  it.each([
    ['http://krake:8080', false, `http://krake:8080${tail}/complete`],
    ['https://krake:8443', true, `https://krake:8443${tail}/complete`],
    ['https://krake:8443/', true, `https://krake:8443${tail}/complete`],
    ['http://krake:8443', true, `https://krake:8443${tail}/complete`],
    ['https://krake', false, `http://krake${tail}/complete`],
    ['HTTPS://Krake.Example', true, `https://krake.example${tail}/complete`],
    ['https://gw.example/krake/v1//', true, `https://gw.example/krake/v1${tail}/complete`],
    ['http://[::1]:8080', false, `http://[::1]:8080${tail}/complete`],
    ['  http://krake:8080  ', false, `http://krake:8080${tail}/complete`],
  ])('hookUrl(%j, tls=%s) is %s', (endpoint, tls, expected) => {
    expect(hookUrl(endpoint, app, 'complete', tls)).toBe(expected)
  })

  it('keeps an explicit port that is the default of the old scheme when the scheme is forced', () => {
    expect(hookUrl('http://krake:80', app, 'complete', true)).toBe(`https://krake:80${tail}/complete`)
    expect(hookUrl('https://krake:443', app, 'complete', false)).toBe(`http://krake:443${tail}/complete`)
  })

  it("keeps an explicit port that is the scheme's own default, as Krake does (issue 17)", () => {
    expect(hookUrl('http://krake-api:80', app, 'complete', false)).toBe(`http://krake-api:80${tail}/complete`)
    expect(hookUrl('https://krake-api:443/base', app, 'complete', true)).toBe(
      `https://krake-api:443/base${tail}/complete`,
    )
    expect(hookUrl('http://[::1]:80', app, 'complete', false)).toBe(`http://[::1]:80${tail}/complete`)
  })

  it('builds the shutdown URL', () => {
    expect(hookUrl('https://krake', app, 'shutdown', true)).toBe(`https://krake${tail}/shutdown`)
  })

  it('percent-encodes namespace and name so they stay one path segment each', () => {
    expect(hookUrl('http://k', { namespace: 'a/b', name: '../x y#?' }, 'complete', false)).toBe(
      'http://k/kubernetes/namespaces/a%2Fb/applications/..%2Fx%20y%23%3F/complete',
    )
  })

  it.each([
    ['', /non-empty string/],
    ['krake:8080', /not an absolute URL/],
    ['//krake', /not an absolute URL/],
    ['file:///etc/passwd', /scheme "file"/],
    ['https://u:p@krake', /credentials/],
    ['https://u@krake', /credentials/],
    ['https://krake/#frag', /query or fragment/],
    ['http://', /not a valid URL|has no host/],
  ])('hookUrl(%j) throws ERR_INVALID_ENDPOINT', (endpoint, message) => {
    expect(() => hookUrl(endpoint, app, 'complete', false)).toThrow(message)
    try {
      hookUrl(endpoint, app, 'complete', false)
    } catch (e) {
      expect(e).toBeInstanceOf(HookError)
      expect((e as HookError).code).toBe('ERR_INVALID_ENDPOINT')
      expect((e as HookError).path).toBe('/endpoint')
    }
  })

  it('refuses a bad app or kind with ERR_INVALID_HOOK', () => {
    // @ts-expect-error: a name is required
    expect(() => hookUrl('http://k', { namespace: 'n' }, 'complete', false)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_HOOK', path: '/app' }),
    )
    // @ts-expect-error: only complete and shutdown
    expect(() => hookUrl('http://k', app, 'finish', false)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_HOOK', path: '/kind' }),
    )
  })
})

describe('hookUrl and injectHook remember the last URLs and names (issue 20)', () => {
  it('names holding the key separator never share a URL', () => {
    const a = hookUrl('http://k:8080', { namespace: 'a\0b', name: 'c' }, 'complete', false)
    const b = hookUrl('http://k:8080', { namespace: 'a', name: 'b\0c' }, 'complete', false)
    expect(a).toBe('http://k:8080/kubernetes/namespaces/a%00b/applications/c/complete')
    expect(b).toBe('http://k:8080/kubernetes/namespaces/a/applications/b%00c/complete')
  })

  it('a refused endpoint is refused again on the next call (errors are not remembered), and 300 distinct apps stay exact', () => {
    for (let i = 0; i < 2; i++)
      expect(() => hookUrl('ftp://k', { namespace: 'n', name: 'a' }, 'complete', false)).toThrow(HookError)
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        expect(hookUrl('https://k', { namespace: 'n', name: `app-${i}` }, 'shutdown', true)).toBe(
          `https://k/kubernetes/namespaces/n/applications/app-${i}/shutdown`,
        )
      }
    }
  })
})
