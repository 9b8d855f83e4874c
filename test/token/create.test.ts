import { describe, expect, it } from 'vitest'
import { createHookToken } from '../../src/index.js'

describe('createHookToken()', () => {
  it('returns 43 base64url characters that decode to 32 bytes', () => {
    const t = createHookToken()
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(t, 'base64url')).toHaveLength(32)
  })

  it('returns a different token each time (1,000 draws, no repeat)', () => {
    const seen = new Set(Array.from({ length: 1000 }, createHookToken))
    expect(seen.size).toBe(1000)
  })
})
