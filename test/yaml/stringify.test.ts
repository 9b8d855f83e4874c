import { describe, expect, it } from 'vitest'
import { HookError, parseManifests, stringifyManifests } from '../../src/index.js'

describe('stringifyManifests(manifests)', () => {
  it('writes ---separated documents that read back the same', () => {
    const docs = [
      { apiVersion: 'v1', kind: 'A', metadata: { name: 'a' } },
      { apiVersion: 'v1', kind: 'B', metadata: { name: 'b' } },
    ]
    const text = stringifyManifests(docs)
    expect(text).toBe(
      'apiVersion: v1\nkind: A\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: B\nmetadata:\n  name: b\n',
    )
    expect(parseManifests(text)).toEqual(docs)
  })

  it('returns an empty string for no manifests', () => {
    expect(stringifyManifests([])).toBe('')
  })

  it('writes no anchors or aliases for shared objects', () => {
    const shared = { name: 'A', value: '1' }
    const text = stringifyManifests([{ a: [shared], b: [shared] }])
    expect(text).not.toMatch(/[&*]ref/)
    expect(text).toBe("a:\n  - name: A\n    value: '1'\nb:\n  - name: A\n    value: '1'\n")
  })

  it('never folds a long line', () => {
    const long = 'word '.repeat(100).trim()
    const text = stringifyManifests([{ cmd: long }])
    expect(text).toBe(`cmd: ${long}\n`)
  })

  it('quotes strings that YAML 1.1 would read as something else, so they read back as strings', () => {
    const doc = {
      a: 'yes',
      b: 'on',
      c: '0644',
      d: '1e3',
      e: 'null',
      f: '~',
      g: '2026-11-24',
      h: 'NO',
      i: '0x1F',
      j: '',
    }
    expect(parseManifests(stringifyManifests([doc]))).toEqual([doc])
  })

  it('gives byte-identical output for the same input', () => {
    const doc = { z: 1, a: { y: [1, 'two', { three: true }] } }
    expect(stringifyManifests([doc])).toBe(stringifyManifests([structuredClone(doc)]))
  })

  it('refuses a cycle, a function and a non-object with a HookError and its path', () => {
    const cyc: Record<string, unknown> = { a: 1 }
    cyc.self = cyc
    const codes = [
      [[cyc], 'ERR_CYCLE'],
      [[{ f: () => 1 }], 'ERR_INVALID_VALUE'],
      [['text'], 'ERR_INVALID_MANIFEST'],
      ['text', 'ERR_INVALID_MANIFESTS'],
    ] as const
    for (const [input, code] of codes) {
      expect(() => stringifyManifests(input as never)).toThrow(HookError)
      expect(() => stringifyManifests(input as never)).toThrow(expect.objectContaining({ code }))
    }
  })
})
