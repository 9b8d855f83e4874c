import { createHash } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createHookToken, hashHookToken, HookError, verifyHookToken } from '../../src/index.js'
import { numRuns } from '../arbitraries.js'

const TOKEN = createHookToken()

describe('verifyHookToken(expected, presented)', () => {
  it('returns true for the exact token', () => {
    expect(verifyHookToken(TOKEN, TOKEN)).toBe(true)
    expect(verifyHookToken(TOKEN, TOKEN.split('-').join('-'))).toBe(true) // an equal string, not the same one
  })

  it('returns true for the token against its hashHookToken digest', () => {
    expect(verifyHookToken(hashHookToken(TOKEN), TOKEN)).toBe(true)
  })

  const ATTACKS: Array<[string, unknown]> = [
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['a number', 42],
    ['NaN', Number.NaN],
    ['true', true],
    ['an array of char codes', [...Buffer.from(TOKEN, 'ascii')]],
    ['an array holding the token', [TOKEN]],
    ['an object with a length', { length: TOKEN.length, 0: TOKEN[0] }],
    ['an object whose toString is the token', { toString: () => TOKEN }],
    ['a String object', new String(TOKEN)],
    ['a Buffer of the token', Buffer.from(TOKEN)],
    ['a Uint8Array of the token', new Uint8Array(Buffer.from(TOKEN))],
    ['a shorter token', TOKEN.slice(0, -1)],
    ['a longer token', TOKEN + 'A'],
    ['a wrong first character', (TOKEN[0] === 'A' ? 'B' : 'A') + TOKEN.slice(1)],
    ['a wrong last character', TOKEN.slice(0, -1) + (TOKEN.endsWith('A') ? 'B' : 'A')],
    ['leading whitespace', ' ' + TOKEN],
    ['trailing newline', TOKEN + '\n'],
    ['upper-cased', TOKEN.toUpperCase() === TOKEN ? TOKEN.toLowerCase() : TOKEN.toUpperCase()],
    ['a multi-byte character of the same length', 'é' + TOKEN.slice(1)],
    ['the digest itself', hashHookToken(TOKEN)],
    ['a symbol', Symbol(TOKEN)],
    ['a function', () => TOKEN],
  ]

  it.each(ATTACKS)('returns false, without throwing, for %s', (_, presented) => {
    expect(verifyHookToken(TOKEN, presented)).toBe(false)
    expect(verifyHookToken(hashHookToken(TOKEN), presented)).toBe(false)
  })

  it('returns false for strings that differ only in lone surrogates (their UTF-8 forms would collide)', () => {
    expect(verifyHookToken('a\ud800', 'a\udc00')).toBe(false)
    expect(verifyHookToken('a\ud800', 'a\ud800')).toBe(false)
    expect(verifyHookToken('a\ud800b', 'a\ufffdb')).toBe(false)
  })

  it('returns false whenever no token is expected (the hook is disabled), even for matching empties', () => {
    for (const expected of [undefined, null, '']) {
      expect(verifyHookToken(expected, expected)).toBe(false)
      expect(verifyHookToken(expected, TOKEN)).toBe(false)
      expect(verifyHookToken(expected, '')).toBe(false)
    }
    // @ts-expect-error: a non-string expected is a programming error, still false
    expect(verifyHookToken(42, 42)).toBe(false)
  })

  it('a digest of the empty string verifies nothing', () => {
    const emptyDigest = 'sha256:' + createHash('sha256').update('').digest('hex')
    expect(verifyHookToken(emptyDigest, '')).toBe(false)
    expect(verifyHookToken(emptyDigest, undefined)).toBe(false)
  })

  it('property: for any expected and presented, it returns presented === expected for usable tokens, and never throws', () => {
    const anyToken = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(TOKEN))
    fc.assert(
      fc.property(
        fc.oneof(anyToken, fc.anything()),
        fc.oneof(anyToken, fc.anything()),
        fc.boolean(),
        (expected, presented, same) => {
          const p = same ? expected : presented
          const usable =
            typeof expected === 'string' &&
            expected !== '' &&
            expected.isWellFormed() &&
            !/^sha256:[0-9a-f]{64}$/.test(expected)
          expect(verifyHookToken(expected as string, p)).toBe(usable && p === expected)
        },
      ),
      { numRuns },
    )
  })
})

describe('verifyHookToken and its cache of expected digests (issue 20)', () => {
  it('stays exact past the 256 digests it keeps: 600 tokens, each against itself, its digest and its neighbour, twice round', () => {
    const tokens = Array.from({ length: 600 }, (_, i) => `cache-token-${i}-0123456789abcdefghij`)
    for (let round = 0; round < 2; round++) {
      tokens.forEach((t, i) => {
        const other = tokens[(i + 1) % tokens.length]!
        expect(verifyHookToken(t, t)).toBe(true)
        expect(verifyHookToken(hashHookToken(t), t)).toBe(true)
        expect(verifyHookToken(t, other)).toBe(false)
        expect(verifyHookToken(hashHookToken(other), t)).toBe(false)
      })
    }
  })
})

describe('hashHookToken(token)', () => {
  it("returns 'sha256:' and the SHA-256 of the token's UTF-8 bytes in lower-case hex", () => {
    expect(hashHookToken('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(hashHookToken(TOKEN)).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(hashHookToken('é')).toBe('sha256:' + createHash('sha256').update(Buffer.from('é', 'utf8')).digest('hex'))
  })

  it('refuses an empty, non-string or ill-formed token with ERR_INVALID_ARGUMENT', () => {
    for (const bad of ['', 'a\ud800', 42, undefined]) {
      expect(() => hashHookToken(bad as string)).toThrow(HookError)
      expect(() => hashHookToken(bad as string)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    }
  })
})
