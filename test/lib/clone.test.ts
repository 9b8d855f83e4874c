// The fast path's two helpers, tried directly: how an object is read by
// its fields (fieldReading, asked once per object), and the fast copy (copyPlainJson), which throws
// on whatever the checked way (cloneJson) must explain, and copies the rest as cloneJson does.
import { describe, expect, it } from 'vitest'
import {
  BY_FOR_IN,
  BY_KEYS,
  checkPrototype,
  cloneJson,
  fieldReading,
  isFieldObject,
  NOT_FIELDS,
} from '../../src/lib/clone.js'
import { copyPlainJson } from '../../src/lib/copy-plain.js'
import { readHead, type ManifestHead } from '../../src/inject/head.js'

class Model {
  constructor(readonly name: string) {}
}

describe('fieldReading', () => {
  it('plain and null-prototype objects by for...in, class instances by Object.keys, the rest not by fields', () => {
    checkPrototype()
    expect(fieldReading({ a: 1 })).toBe(BY_FOR_IN)
    expect(fieldReading(Object.create(null))).toBe(BY_FOR_IN)
    expect(fieldReading(new Model('m'))).toBe(BY_KEYS)
    for (const v of [null, undefined, 1, 'a', [], new Date(0), new Map(), new Set(), /x/, { toJSON: () => 1 }.toJSON])
      expect(fieldReading(v)).toBe(NOT_FIELDS)
    expect(
      fieldReading(
        new (class {
          toJSON = () => 1
        })(),
      ),
    ).toBe(NOT_FIELDS)
    expect(fieldReading(Object.create({ inherited: 1 }))).toBe(BY_KEYS) // not plain: its prototype is no Object.prototype
  })

  it('a plain object is read by Object.keys while Object.prototype carries an enumerable key', () => {
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    })
    try {
      checkPrototype()
      expect(fieldReading({ a: 1 })).toBe(BY_KEYS)
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted
      checkPrototype()
    }
    expect(fieldReading({ a: 1 })).toBe(BY_FOR_IN)
  })
})

/** [1, <hole>, 3], made without a sparse literal. */
function holey(): unknown[] {
  const list: unknown[] = [1]
  list[2] = 3
  return list
}

describe('copyPlainJson', () => {
  const copy = (v: unknown) => {
    checkPrototype()
    return copyPlainJson(v, 0)
  }

  it('copies plain data as cloneJson does, sharing nothing: -0 as 0, undefined fields absent, "__proto__" an own key', () => {
    const input = JSON.parse('{"a":[1,{"b":null}],"__proto__":{"x":true},"s":"t"}') as Record<string, unknown>
    input.u = undefined
    input.z = -0
    const out = copy(input) as Record<string, unknown>
    expect(out).toEqual(cloneJson(input))
    expect(JSON.stringify(out)).toBe('{"a":[1,{"b":null}],"__proto__":{"x":true},"s":"t","z":0}')
    expect(Object.is(out.z, 0)).toBe(true)
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype)
    expect(out.a).not.toBe(input.a)
  })

  it('reads class instances and Dates as cloneJson does', () => {
    const input = { m: new Model('x'), at: new Date(0) }
    expect(copy(input)).toEqual({ m: { name: 'x' }, at: '1970-01-01T00:00:00.000Z' })
  })

  it.each([
    ['NaN', { n: NaN }],
    ['a hole', { l: holey() }],
    ['undefined in a list', { l: [undefined] }],
    ['a function', { f: () => 1 }],
    ['a toJSON of a plain object', { toJSON: () => 1 }],
    ['a symbol', { s: Symbol('s') }],
    ['a bigint', { b: 1n }],
  ])('throws on %s, which the checked way explains', (_, input) => {
    expect(() => copy(input)).toThrow()
  })

  it('throws past 512 levels, where the checked way looks for a cycle', () => {
    const deep: Record<string, unknown> = {}
    let node = deep
    for (let i = 0; i < 600; i++) node = node.next = {}
    expect(() => copy(deep)).toThrow()
  })
})

describe('readHead into a lent head', () => {
  it('writes the head into the object it is lent and returns it; a fault leaves it as it was', () => {
    const lent: ManifestHead = { apiVersion: '', kind: '', name: '', namespace: undefined }
    const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: '' } }
    expect(readHead(manifest, isFieldObject, lent)).toBe(lent)
    expect(lent).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: undefined })
    expect(readHead({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 1 } }, isFieldObject, lent)).toEqual({
      at: ['metadata', 'name'],
      must: 'a non-empty string',
    })
    expect(lent).toEqual({ apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: undefined })
    expect(readHead(manifest, isFieldObject)).not.toBe(lent)
  })
})
