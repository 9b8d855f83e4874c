// isPlainJson: whether a value is its own JSON reading, so that a caller that only reads it may take it
// for its copy (a review's object, as JSON.parse makes it). What it says yes to, cloneJson copies into
// an equal value; what would read otherwise is a no.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkPrototype, cloneJson } from '../../src/lib/clone.js'
import { isPlainJson } from '../../src/lib/copy-plain.js'
import { numRuns } from '../arbitraries.js'

describe('isPlainJson', () => {
  it('says yes to what JSON.parse makes', () => {
    checkPrototype()
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(isPlainJson(JSON.parse(JSON.stringify(v)))).toBe(true)
      }),
      { numRuns },
    )
  })

  it('property: whatever it says yes to is its own JSON reading (cloneJson copies it into a value read alike)', () => {
    checkPrototype()
    fc.assert(
      fc.property(fc.anything({ withDate: true, withMap: true, withNullPrototype: true }), (v) => {
        if (!isPlainJson(v)) return
        // read alike (a null-prototype object reads as a plain one), field for field
        expect(cloneJson(v)).toEqual(v)
        expect(JSON.stringify(cloneJson(v))).toBe(JSON.stringify(v))
      }),
      { numRuns },
    )
  })

  it('says no to what JSON would read otherwise', () => {
    checkPrototype()
    class Model {
      name = 'x'
    }
    const deep: unknown[] = []
    let at = deep
    for (let i = 0; i < 600; i++) at = at[0] = []
    for (const v of [
      { a: undefined },
      [1, undefined],
      [1, , 2], // eslint-disable-line no-sparse-arrays -- a hole
      -0,
      NaN,
      Infinity,
      { f: () => 1 },
      { toJSON: () => 1 },
      new Date(0),
      new Model(),
      new Map(),
      1n,
      Symbol('s'),
      deep,
    ])
      expect(isPlainJson(v)).toBe(false)
    expect(isPlainJson({ a: [1, 'b', null, true, { c: 0 }] })).toBe(true)
    expect(isPlainJson(JSON.parse('{"__proto__": {"x": 1}}'))).toBe(true)
  })
})
