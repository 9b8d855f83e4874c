// makePlan serves the last plan again when the hook and options hold the same
// values field for field (a controller builds its hook object anew per call),
// and never when anything differs, however little (issue 20).
import { describe, expect, it } from 'vitest'
import { makePlan } from '../../src/inject/plan.js'
import { fixtureTls, hookErrorOf, spec, TOKEN } from '../helpers.js'

const fresh = () => spec({ apiEndpoint: 'https://k:8443', tls: { ...fixtureTls() } })

describe('makePlan reuses the last plan for the same content only', () => {
  it('gives the same frozen plan for a fresh hook object of the same content, and a new one when a field differs', () => {
    const first = makePlan(fresh(), { onConflict: 'keep' })
    expect(makePlan(fresh(), { onConflict: 'keep' })).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    for (const [hook, options] of [
      [{ ...fresh(), token: `${TOKEN}x` }, { onConflict: 'keep' }],
      [{ ...fresh(), app: { name: 'other', namespace: 'secondary' } }, { onConflict: 'keep' }],
      [fresh(), { onConflict: 'replace' }],
      [fresh(), { onConflict: 'keep', env: { token: 'T' } }],
      [{ ...fresh(), tls: undefined }, { onConflict: 'keep' }],
    ] as const) {
      const plan = makePlan(hook, options)
      expect(plan).not.toBe(first)
      expect(makePlan(fresh(), { onConflict: 'keep' })).not.toBe(plan) // and back: made anew, equal to the first
      expect(makePlan(fresh(), { onConflict: 'keep' })).toEqual(first)
    }
  })

  it('still refuses an unknown key, a bad value and a throwing getter after a good plan of the same content', () => {
    makePlan(fresh(), undefined)
    expect(hookErrorOf(() => makePlan({ ...fresh(), extra: 1 } as never, undefined)).code).toBe('ERR_INVALID_HOOK')
    makePlan(fresh(), undefined)
    expect(hookErrorOf(() => makePlan(fresh(), { certDest: '/' })).code).toBe('ERR_INVALID_OPTION')
    makePlan(fresh(), undefined)
    const getter = Object.defineProperty(fresh(), 'token', {
      get: () => {
        throw new Error('no')
      },
      enumerable: true,
    })
    const e = hookErrorOf(() => makePlan(getter, undefined))
    expect([e.code, e.path, e.message]).toEqual(['ERR_INVALID_HOOK', '', 'reading the hook or its options threw Error'])
  })

  it('holds the hooks a controller alternates: complete and shutdown in turn, fresh objects, each plan made once', () => {
    const complete = () => spec({ apiEndpoint: 'https://k:8443', tls: { ...fixtureTls() } })
    const shutdown = () => ({ ...complete(), kind: 'shutdown' as const })
    const a = makePlan(complete(), undefined)
    const b = makePlan(shutdown(), undefined)
    expect(b).not.toBe(a)
    for (let i = 0; i < 3; i++) {
      expect(makePlan(complete(), undefined)).toBe(a)
      expect(makePlan(shutdown(), undefined)).toBe(b)
    }
    // four other hooks later, the oldest is made anew, equal to what it was
    for (const name of ['x1', 'x2', 'x3', 'x4']) makePlan({ ...complete(), app: { name, namespace: 'n' } }, undefined)
    const again = makePlan(complete(), undefined)
    expect(again).not.toBe(a)
    expect(again).toEqual(a)
  })

  it('a getter that makes another plan while its own hook is read leaves each call its own plan', () => {
    const outer = Object.defineProperty(fresh(), 'token', {
      get: () => {
        makePlan({ ...fresh(), app: { name: 'inner', namespace: 'n' } }, undefined)
        return `${TOKEN}y`
      },
      enumerable: true,
    })
    const plan = makePlan(outer, undefined)
    expect([plan.app.name, plan.token]).toEqual([fresh().app.name, `${TOKEN}y`])
    expect(makePlan({ ...fresh(), app: { name: 'inner', namespace: 'n' } }, undefined).app.name).toBe('inner')
  })
})
