// Properties of every public function under hostile input. CI runs them with
// FC_NUM_RUNS=200 (vitest.config.ts); `npm run fuzz` with 10,000 each.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  buildCaBundle,
  createCertificateIssuer,
  createHookToken,
  hashHookToken,
  HookError,
  hookPatch,
  hookUrl,
  injectHook,
  parseManifests,
  reviewAdmission,
  stringifyManifests,
  verifyHookRequest,
  verifyHookToken,
} from '../../src/index.js'
import { hookArb, numRuns, optionsArb } from '../arbitraries.js'
import { fixture, fixtureTls } from '../helpers.js'
import { cyclic, deepNest, hostileManifests, hostileValue } from './hostile.js'

/** Calls fn; anything thrown must be a HookError with a code, and a string path when it has one. */
function onlyHookError(fn: () => unknown): unknown {
  try {
    return fn()
  } catch (e) {
    if (!(e instanceof HookError)) throw e
    expect(e.code).toMatch(/^ERR_[A-Z_]+$/)
    if (e.path !== undefined) expect(e.path === '' || e.path.startsWith('/')).toBe(true)
    return e
  }
}

describe('fuzz: injectHook', () => {
  it('only HookError escapes hostile manifests (cycles, depth, prototype keys, holes, frozen objects)', () => {
    fc.assert(
      fc.property(hostileManifests, hookArb, optionsArb, (m, h, o) => void onlyHookError(() => injectHook(m, h, o))),
      { numRuns },
    )
  })

  it('a cycle is ERR_CYCLE, never a stack overflow', () => {
    fc.assert(
      fc.property(cyclic, hookArb, (obj, hook) => {
        const e = onlyHookError(() => injectHook([obj], hook))
        expect(e).toBeInstanceOf(HookError)
        expect((e as HookError).code).toBe('ERR_CYCLE')
      }),
      { numRuns },
    )
  })

  it('nesting is accepted up to 512 levels and ERR_TOO_DEEP past it', () => {
    fc.assert(
      fc.property(deepNest, (deep) => {
        const r = onlyHookError(() =>
          injectHook([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: deep }], hookArbValue),
        )
        if (r instanceof HookError) expect(r.code).toBe('ERR_TOO_DEEP')
      }),
      { numRuns },
    )
  })

  it('the hook and options arguments: only HookError, whatever they are', () => {
    fc.assert(
      fc.property(
        hostileValue,
        hostileValue,
        (h, o) => void onlyHookError(() => injectHook([], h as never, o as never)),
      ),
      { numRuns },
    )
  })
})

describe('fuzz: hookPatch and reviewAdmission', () => {
  it('hookPatch: only HookError escapes hostile manifests, and every patch operation has an RFC 6901 path', () => {
    fc.assert(
      fc.property(hostileManifests, hookArb, optionsArb, (m, h, o) => {
        for (const manifest of Array.isArray(m) ? m : [m]) {
          const r = onlyHookError(() => hookPatch(manifest as object, h, o))
          if (!(r instanceof HookError))
            for (const op of (r as ReturnType<typeof hookPatch>).patch) expect(op.path).toMatch(/^(\/([^~]|~[01])*)*$/)
        }
      }),
      { numRuns },
    )
  })

  it('reviewAdmission never throws on hostile reviews and objects', () => {
    const reviews = fc.oneof(
      hostileValue,
      fc.tuple(hostileValue, hostileManifests).map(([uid, m]) => ({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid, operation: 'CREATE', object: Array.isArray(m) ? m[0] : m },
      })),
    )
    fc.assert(
      fc.property(reviews, hookArb, (review, h) => {
        const answer = reviewAdmission(review as never, h)
        expect(typeof answer.response?.allowed).toBe('boolean')
      }),
      { numRuns },
    )
  })
})

const hookArbValue = {
  kind: 'complete' as const,
  app: { name: 'a', namespace: 'n' },
  apiEndpoint: 'http://k',
  token: 't',
}

describe('fuzz: hookUrl', () => {
  it('any endpoint string gives an http(s) URL ending in the hook path, or ERR_INVALID_ENDPOINT', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.webUrl(), fc.string()),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.boolean(),
        (endpoint, ns, name, tls) => {
          const r = onlyHookError(() => hookUrl(endpoint, { namespace: ns, name }, 'complete', tls))
          if (typeof r === 'string') {
            expect(r.startsWith(tls ? 'https://' : 'http://')).toBe(true)
            if (ns.isWellFormed() && name.isWellFormed())
              expect(
                r.endsWith(`/namespaces/${encodeURIComponent(ns)}/applications/${encodeURIComponent(name)}/complete`),
              ).toBe(true)
          } else expect(['ERR_INVALID_ENDPOINT', 'ERR_INVALID_HOOK']).toContain((r as HookError).code)
        },
      ),
      { numRuns },
    )
  })
})

describe('fuzz: parseManifests / stringifyManifests', () => {
  it('parseManifests of any text returns objects or throws a HookError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('a: &a [*a]', '<<: *x', '--- !!js/function f', '? [a]: b', 'a: !!binary "x"'),
        ),
        (text) => {
          const r = onlyHookError(() => parseManifests(text))
          if (Array.isArray(r))
            for (const d of r) expect(typeof d === 'object' && d !== null && !Array.isArray(d)).toBe(true)
        },
      ),
      { numRuns },
    )
  })

  it('stringify then parse gives back JSON objects (strings YAML 1.1 would misread included)', () => {
    const scalar = fc.oneof(
      fc.string(),
      fc.constantFrom(
        'yes',
        'no',
        'on',
        'off',
        'y',
        '0644',
        '0x1F',
        '1e3',
        '~',
        'null',
        '2026-11-24',
        '.inf',
        '-.nan',
        '<<',
        '*a',
        '&a',
        '!tag',
        '- x',
        '# c',
      ),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    )
    const doc = fc.dictionary(
      fc.string({ minLength: 1 }),
      fc.oneof(
        scalar,
        fc.array(scalar, { maxLength: 3 }),
        fc.dictionary(fc.string({ minLength: 1 }), scalar, { maxKeys: 3 }),
      ),
      { maxKeys: 5 },
    )
    fc.assert(
      fc.property(fc.array(doc, { maxLength: 3 }), (docs) => {
        // a "<<" key is refused on purpose (kustomize would take it for a merge key and drop it)
        const mergeKey = (v: unknown): boolean =>
          typeof v === 'object' && v !== null && Object.entries(v).some(([k, x]) => k === '<<' || mergeKey(x))
        if (mergeKey(docs)) {
          expect(() => stringifyManifests(docs)).toThrow(HookError)
          return
        }
        const back = parseManifests(stringifyManifests(docs))
        expect(back).toEqual(docs)
      }),
      { numRuns },
    )
  })

  it('stringifyManifests of anything returns a string or throws a HookError', () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileManifests, hostileValue),
        (v) => void onlyHookError(() => stringifyManifests(v as never)),
      ),
      { numRuns },
    )
  })
})

describe('fuzz: tokens', () => {
  it('createHookToken always gives 43 base64url characters', () => {
    fc.assert(
      fc.property(fc.constant(null), () => {
        expect(createHookToken()).toMatch(/^[A-Za-z0-9_-]{43}$/)
      }),
      { numRuns },
    )
  })

  it('hashHookToken(t) verifies t and nothing else', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (t, other) => {
        if (!t.isWellFormed()) {
          expect(onlyHookError(() => hashHookToken(t))).toBeInstanceOf(HookError)
          return
        }
        const digest = hashHookToken(t)
        expect(verifyHookToken(digest, t)).toBe(true)
        expect(verifyHookToken(digest, other)).toBe(other === t)
      }),
      { numRuns },
    )
  })

  it('verifyHookToken never throws on hostile values', () => {
    fc.assert(
      fc.property(hostileValue, hostileValue, (a, b) => {
        expect(typeof verifyHookToken(a as string, b)).toBe('boolean')
      }),
      { numRuns },
    )
  })
})

describe('fuzz: verifyHookRequest', () => {
  const STATUSES = [400, 401, 403, 404, 405, 413, 500]
  const lookup = () => 'the-token'
  it('never throws on a hostile request and answers one of its statuses, never echoing the token', async () => {
    const request = fc.oneof(
      hostileValue,
      fc.record({
        method: fc.oneof(fc.constantFrom('PUT', 'put', 'GET'), fc.string()),
        url: fc.oneof(
          fc.constantFrom(
            '/kubernetes/namespaces/n/applications/a/complete',
            '/x/kubernetes/namespaces/%ZZ/applications/a/shutdown',
          ),
          fc.string(),
          fc.webUrl(),
        ),
        body: fc.oneof(
          hostileValue,
          fc.json(),
          fc.constant('{"token":"the-token"}'),
          fc.constant('{"__proto__":{"token":"the-token"}}'),
        ),
        clientCertPem: fc.option(fc.string(), { nil: undefined }),
      }),
    )
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const v = await verifyHookRequest(req as never, lookup)
        if (!v.ok) {
          expect(STATUSES).toContain(v.status)
          expect(v.reason).not.toContain('the-token')
        }
      }),
      { numRuns },
    )
  })
})

describe('fuzz: certificates', () => {
  it('buildCaBundle of anything returns PEM certificates or throws a HookError', () => {
    const root = fixture('pki/root.pem')
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(root), fc.string(), fc.constant(root.replace('MII', 'MIJ')), hostileValue), {
          maxLength: 4,
        }),
        (pems) => {
          const r = onlyHookError(() => buildCaBundle(pems as string[]))
          if (typeof r === 'string')
            expect(r).toMatch(/^(-----BEGIN CERTIFICATE-----\n[\s\S]+?\n-----END CERTIFICATE-----\n)+$/)
        },
      ),
      { numRuns },
    )
  })

  it('createCertificateIssuer and issue refuse hostile material and parameters with a HookError', async () => {
    const issuer = await createCertificateIssuer({
      certPem: fixture('pki/intermediate.pem'),
      keyPem: fixture('pki/intermediate-key.pem'),
    })
    const tls = fixtureTls()
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(hostileValue, fc.constant(tls.certPem)),
        fc.oneof(hostileValue, fc.constant(tls.keyPem)),
        hostileValue,
        async (certPem, keyPem, params) => {
          for (const p of [
            createCertificateIssuer({ certPem, keyPem } as never),
            issuer.issue({
              keyAlgorithm: 'ECDSA-P256',
              ...(typeof params === 'object' && params !== null ? params : {}),
            } as never),
          ]) {
            try {
              await p
            } catch (e) {
              if (!(e instanceof HookError)) throw e
            }
          }
        },
      ),
      { numRuns: Math.max(20, Math.floor(numRuns / 10)) }, // each accepted issue() makes a key: a tenth of the runs
    )
  })
})
