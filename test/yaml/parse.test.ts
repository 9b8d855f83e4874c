import { describe, expect, it } from 'vitest'
import { parseManifests } from '../../src/index.js'
import { hookErrorOf } from '../helpers.js'

describe('parseManifests(yaml)', () => {
  it('reads a multi-document stream and skips empty and comment-only documents', () => {
    const text = '---\na: 1\n---\n---\n# only a comment\n---\nb: 2\n...\n---\nc: 3\n'
    expect(parseManifests(text)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }])
  })

  it('returns [] for an empty stream', () => {
    expect(parseManifests('')).toEqual([])
    expect(parseManifests('# nothing\n')).toEqual([])
  })

  it('reads scalars as kustomize does (go-yaml v3): legacy octal modes, but yes/on/y and dates stay strings', () => {
    const [doc] = parseManifests(
      'mode: 0644\nflag: yes\noff: off\ny: n\nt: true\ndate: 2026-11-24\nhex: 0x1F\nnull1: ~\n',
    )
    expect(doc).toEqual({
      mode: 420,
      flag: 'yes',
      off: 'off',
      y: 'n',
      t: true,
      date: '2026-11-24',
      hex: 31,
      null1: null,
    })
  })

  it('supports merge keys', () => {
    expect(parseManifests('base: &b {x: 1}\nobj:\n  <<: *b\n  y: 2\n')).toEqual([
      { base: { x: 1 }, obj: { x: 1, y: 2 } },
    ])
  })

  it('expands modest aliases into a tree that shares no node', () => {
    const [doc] = parseManifests('env: &e [{name: A, value: "1"}]\nc1: {env: *e}\nc2: {env: *e}\n') as Array<
      Record<string, any>
    >
    expect(doc!.c1.env).toEqual([{ name: 'A', value: '1' }])
    expect(doc!.c1.env).not.toBe(doc!.c2.env)
    expect(doc!.c1.env[0]).not.toBe(doc!.env[0])
  })

  it('keeps a __proto__ key as data and pollutes nothing', () => {
    const [doc] = parseManifests('__proto__: {polluted: yes}\nconstructor: {prototype: {polluted: yes}}\n') as Array<
      Record<string, any>
    >
    expect(Object.keys(doc!)).toEqual(['__proto__', 'constructor'])
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses a document that is not a mapping with ERR_YAML_NOT_MAPPING and the document index', () => {
    const e = hookErrorOf(() => parseManifests('a: 1\n---\n- x\n- y\n'))
    expect(e.code).toBe('ERR_YAML_NOT_MAPPING')
    expect(e.path).toBe('/1')
    expect(e.message).toBe('document 1 is a sequence, not a mapping (a Kubernetes object)')
    expect(hookErrorOf(() => parseManifests('just a string')).message).toBe(
      'document 0 is the scalar "just a string", not a mapping (a Kubernetes object)',
    )
  })

  it('reports a YAML error as ERR_YAML_SYNTAX with document index and line', () => {
    const e = hookErrorOf(() => parseManifests('a: 1\n---\nb: 2\n---\nc: [1, 2\nd: 4\n'))
    expect(e.code).toBe('ERR_YAML_SYNTAX')
    expect(e.path).toBe('/2')
    expect(e.line).toBeGreaterThanOrEqual(5)
    expect(e.message).toMatch(/^YAML error in document 2 at line \d+, column \d+: /)
    expect(e.cause).toBeDefined()
  })

  it('counts the first document right whether or not the stream starts with ---', () => {
    expect(hookErrorOf(() => parseManifests('---\na: [\n')).path).toBe('/0')
    expect(hookErrorOf(() => parseManifests('# c\n---\nok: 1\n---\na: [\n')).path).toBe('/1')
    expect(hookErrorOf(() => parseManifests('a: {\n')).path).toBe('/0')
  })

  it('refuses duplicate keys, as kubectl does', () => {
    expect(hookErrorOf(() => parseManifests('a: 1\na: 2\n')).code).toBe('ERR_YAML_SYNTAX')
  })

  it('refuses an alias bomb (billion laughs) without expanding it, with ERR_YAML_ALIAS_LIMIT', () => {
    // `levels` levels of nine aliases each to the level below: 9^(levels+1) nodes once expanded
    const bomb = (levels: number) => {
      const lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
      for (let i = 1; i <= levels; i++)
        lines.push(
          `l${i}: &l${i} [${Array(9)
            .fill(`*l${i - 1}`)
            .join(',')}]`,
        )
      return lines.join('\n') + '\n'
    }
    const e = hookErrorOf(() => parseManifests(bomb(9)))
    expect(e.code).toBe('ERR_YAML_ALIAS_LIMIT')
    expect(e.path).toBe('/0')
    // No clock read: 9^41 nodes (about 1.3e39) is a tree no reader that expands aliases could ever
    // build or count, so only one that measures each aliased node once gets this answer at all.
    const deep = hookErrorOf(() => parseManifests(bomb(40)))
    expect(deep.code).toBe('ERR_YAML_ALIAS_LIMIT')
    expect(deep.path).toBe('/0')
  })

  it('refuses an alias that refers to its own ancestor with ERR_YAML_CYCLE', () => {
    const e = hookErrorOf(() => parseManifests('a: &a\n  b: *a\n'))
    expect(e.code).toBe('ERR_YAML_CYCLE')
  })

  it('refuses a non-string with ERR_INVALID_ARGUMENT', () => {
    // @ts-expect-error: a Buffer is not a string
    expect(hookErrorOf(() => parseManifests(Buffer.from('a: 1'))).code).toBe('ERR_INVALID_ARGUMENT')
  })

  it('refuses nesting deeper than 256 levels with ERR_YAML_SYNTAX', () => {
    expect(hookErrorOf(() => parseManifests('a: ' + '['.repeat(300) + ']'.repeat(300))).code).toBe('ERR_YAML_SYNTAX')
  })
})
