// Hostile shapes for the fuzz properties: deep nesting, huge strings,
// prototype keys, frozen objects, sparse arrays and cycles.
import fc from 'fast-check'
import { deepFreeze } from '../helpers.js'
import { objectArb } from '../arbitraries.js'

const HUGE = 'x'.repeat(1 << 20)

export const hostileKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'apiVersion',
  'kind',
  'metadata',
  'spec',
)

/** Objects nested `depth` levels deep (up to 3,000: past the 512 that injectHook accepts). */
export const deepNest = fc.integer({ min: 1, max: 3000 }).map((depth) => {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = i % 2 ? { spec: v } : [v]
  return v
})

export const hugeString = fc.oneof(fc.constant(HUGE), fc.string({ minLength: 1000, maxLength: 5000 }))

/** Any value, hostile ones weighted in. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.anything({
      withNullPrototype: true,
      withSparseArray: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withBigInt: true,
      withTypedArray: true,
      key: fc.oneof(fc.string(), hostileKey),
    }),
  },
  { weight: 1, arbitrary: deepNest },
  { weight: 1, arbitrary: hugeString },
  { weight: 1, arbitrary: fc.sparseArray(fc.jsonValue(), { maxLength: 20 }) },
  { weight: 1, arbitrary: fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 })) },
)

/** A well-formed object with a cycle somewhere inside it. */
export const cyclic = objectArb.chain((obj) =>
  fc.nat().map((pick) => {
    const copy = structuredClone<Record<string, unknown>>(obj)
    const nodes: Array<Record<string, unknown>> = []
    const collect = (v: unknown) => {
      if (typeof v === 'object' && v !== null) {
        // a named property on an array is not JSON data: hang the loop on objects only
        if (!Array.isArray(v)) nodes.push(v as Record<string, unknown>)
        Object.values(v).forEach(collect)
      }
    }
    collect(copy)
    const target = nodes[pick % nodes.length]!
    target.loop = copy // points back at the root
    return copy
  }),
)

/** A manifest list with hostile things mixed into well-formed objects, some of them deep-frozen. */
export const hostileManifests = fc.array(fc.oneof(objectArb, objectArb.map(deepFreeze), hostileValue, cyclic), {
  maxLength: 5,
})
