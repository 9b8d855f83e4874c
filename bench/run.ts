// npm run bench: every figure of SPEC section 7 as a ratio against a floor
// measured in the same run, because these machines are shared and noisy.
import { execFileSync } from 'node:child_process'
import { createSign, generateKeyPair, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { promisify } from 'node:util'
import { loadAllYaml } from '@kubernetes/client-node'
import { dump, loadAll } from 'js-yaml'
import {
  createCertificateIssuer,
  createHookToken,
  hashHookToken,
  injectHook,
  parseManifests,
  stringifyManifests,
  verifyHookToken,
} from '../dist/index.js'
import { deepCopy, deployments, hook, keysCopy, oneApplication, smallDeployments } from './fixtures.js'
import { checkKrakeHooked, krakeSources, krakeUnset, timeKrake, withKrakeInput, type KrakeTiming } from './krake.js'
import { compareMany, compareSync, median, ms, printTable, ratio, timeAsync, type Row } from './lib.js'

const f = (n: string) => readFileSync(new URL(`../test/fixtures/pki/${n}`, import.meta.url), 'utf8')
const tls = { caBundlePem: f('root.pem') + f('intermediate.pem'), certPem: f('leaf.pem'), keyPem: f('leaf-key.pem') }
const rows: Row[] = []
const only = process.argv.slice(2)
const want = (section: string) => only.length === 0 || only.includes(section)

// First, the figures in the state a controller runs in (bench/controller.ts: three processes, calls
// back to back, no collection forced): the ones the README quotes. The rows below are context.
if (want('controller')) {
  const script = new URL('./controller.ts', import.meta.url).pathname
  console.log(
    execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 }),
  )
  console.log('Context (each labelled with its state: a GC before each sample, alone in a fresh process, ...):\n')
}

// One shape at 10,000 in a process of its own (bench/alone.ts).
const alone = (shape: string, what: 'time' | 'deopts') => {
  const flags = ['--expose-gc', ...(what === 'deopts' ? ['--trace-deopt'] : []), '--import', 'tsx']
  const script = new URL('./alone.ts', import.meta.url).pathname
  const out = execFileSync(process.execPath, [...flags, script, shape, '10000', what], {
    encoding: 'utf8',
    maxBuffer: 256 * 2 ** 20,
  })
  const result = JSON.parse(out.slice(out.lastIndexOf('RESULT ') + 'RESULT '.length)) as Record<string, number>
  const warm = out.slice(out.indexOf('WARM\n') + 'WARM\n'.length)
  return { result, thrownAway: (warm.match(/marking dependent code/g) ?? []).length }
}

if (want('inject')) {
  const shapes = [
    ['small', smallDeployments],
    ['realistic', deployments],
  ] as const
  for (const [shape, make] of shapes) {
    // The sleep after each sample's GC (bench/lib.ts, settle) grows with the heap there is to sweep.
    for (const [n, rounds, settleMs] of [
      [100, 200, 10],
      [10_000, 15, 100],
      [100_000, 3, 300],
    ] as const) {
      const input = make(n)
      const output = injectHook(input, hook(tls)).manifests
      const fns = {
        inject: () => injectHook(input, hook(tls)),
        copyIn: () => deepCopy(input),
        copyOut: () => deepCopy(output),
        keysIn: () => keysCopy(input),
      }
      const label = `injectHook, ${n.toLocaleString('en')} ${shape} Deployments`
      const t = compareMany(fns, rounds, true, settleMs)
      const big = n === 10_000
      rows.push({
        figure: `${label}, GC before each`,
        measured: ms(t.inject!),
        floor: `copy of output ${ms(t.copyOut!)}`,
        ratio: ratio(t.inject!, t.copyOut!),
        goal: big ? '<= 1.0x' : '',
      })
      rows.push({
        figure: `${label}, GC before each`,
        measured: ms(t.inject!),
        floor: `copy of input ${ms(t.copyIn!)}`,
        ratio: ratio(t.inject!, t.copyIn!),
        goal: big ? (shape === 'small' ? '<= 2.0x' : '<= 1.2x') : '',
      })
      if (big)
        rows.push({
          figure: `${label}, GC before each`,
          measured: ms(t.inject!),
          floor: `Object.keys copy of input ${ms(t.keysIn!)}`,
          ratio: ratio(t.inject!, t.keysIn!),
          goal: 'the floor before 2026-12-03',
        })
      if (big) {
        // As measured before 2026-12-03 evening: each sample right after its GC, with that GC's
        // sweeping still going on, which weighs on the copy and the injection alike but not equally.
        const u = compareMany({ inject: fns.inject, copyIn: fns.copyIn }, rounds, true, 0)
        rows.push({
          figure: `${label}, right after a GC (its sweeping in the sample)`,
          measured: ms(u.inject!),
          floor: `copy of input ${ms(u.copyIn!)}`,
          ratio: ratio(u.inject!, u.copyIn!),
          goal: '',
        })
        const b = compareMany(fns, rounds, false)
        rows.push({
          figure: `${label}, back to back`,
          measured: ms(b.inject!),
          floor: `copy of output ${ms(b.copyOut!)}`,
          ratio: ratio(b.inject!, b.copyOut!),
          goal: '',
        })
        rows.push({
          figure: `${label}, back to back`,
          measured: ms(b.inject!),
          floor: `copy of input ${ms(b.copyIn!)}`,
          ratio: ratio(b.inject!, b.copyIn!),
          goal: '',
        })
      }
    }
  }
  // Each shape at 10,000 again, alone in a fresh process: the rows above come after 200 calls of
  // 100, and what V8 learnt from those (which allocations to place in the old generation at once)
  // decides whether a 10,000 call overflows the young generation. Both are what controllers see.
  for (const shape of ['small', 'realistic']) {
    const { result: t } = alone(shape, 'time')
    const label = `injectHook, 10,000 ${shape} Deployments, alone in a fresh process`
    rows.push({
      figure: label,
      measured: ms(t.inject!),
      floor: `copy of input ${ms(t.copyIn!)}`,
      ratio: ratio(t.inject!, t.copyIn!),
      goal: shape === 'small' ? '<= 2.0x' : '<= 1.2x',
    })
    rows.push({
      figure: label,
      measured: ms(t.inject!),
      floor: `copy of output ${ms(t.copyOut!)}`,
      ratio: ratio(t.inject!, t.copyOut!),
      goal: '<= 1.0x',
    })
    rows.push({
      figure: `  scavenges per call (young generation collections)`,
      measured: t.scavengesPerCall!.toFixed(1),
      floor: '-',
      ratio: '-',
      goal: '',
    })
    const { result: d, thrownAway } = alone(shape, 'deopts')
    rows.push({
      figure: `  compiled code V8 threw away per call, once warm`,
      measured: (thrownAway / d.calls!).toFixed(1),
      floor: '-',
      ratio: '-',
      goal: 'was 3.0 small, 3.6 realistic (78ea689)',
    })
  }
  // The objects controllers hold: @kubernetes/client-node models (class instances, Date fields), against the same Deployments as plain objects.
  const plain = deployments(10_000)
  const models = loadAllYaml(
    stringifyManifests(plain).replaceAll(
      '\n  name: app-',
      '\n  creationTimestamp: "2024-05-01T10:00:00Z"\n  name: app-',
    ),
  ) as object[]
  const m = compareMany(
    { plain: () => injectHook(plain, hook(tls)), models: () => injectHook(models, hook(tls)) },
    15,
    true,
  )
  rows.push({
    figure: 'injectHook, 10,000 client-node V1Deployment models',
    measured: ms(m.models!),
    floor: `same as plain objects ${ms(m.plain!)}`,
    ratio: ratio(m.models!, m.plain!),
    goal: '',
  })
  const mb = (b: number) => (b / 2 ** 20).toFixed(1) + ' MiB'
  for (const shape of ['small', 'realistic']) {
    const heap = JSON.parse(
      execFileSync(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', new URL('./heap.ts', import.meta.url).pathname, '10000', shape],
        { encoding: 'utf8' },
      ),
    ) as {
      inputBytes: number
      peakBytes: number
      outputBytes: number
      copyBytes: number
    }
    rows.push({
      figure: `peak heap, 10,000 ${shape} Deployments (input + output + garbage)`,
      measured: mb(heap.peakBytes),
      floor: `input + retained output ${mb(heap.inputBytes + heap.outputBytes)}`,
      ratio: ratio(heap.peakBytes, heap.inputBytes + heap.outputBytes),
      goal: '<= 1.1x',
    })
    rows.push({
      figure: `retained output, 10,000 ${shape} Deployments`,
      measured: mb(heap.outputBytes),
      floor: `bare copy of it ${mb(heap.copyBytes)}`,
      ratio: ratio(heap.outputBytes, heap.copyBytes),
      goal: '<= 1.15x',
    })
  }
}

// Krake's own complete hook, when a checkout of Krake is on the machine: KRAKE_SRC names one or more
// checkouts' `krake/` folders (colon-separated), KRAKE_PYTHON the Python that has python3-kubernetes,
// python3-openssl and python3-yarl (Debian's /usr/bin/python3 by default). bench/krake-reference.py times
// Krake's deepcopy + mangle_app on the same 10,000 small Deployments (seven runs of 2020's code, one of
// today's, which is quadratic); ours is measured right after it both alone in a fresh process and in this
// one, a full GC before each call.
if (want('krake')) {
  const sources = krakeSources()
  if (sources.length === 0)
    rows.push(krakeUnset("Krake's complete hook, 10,000 small Deployments, TLS on", '>= 25x ahead'))
  const input = smallDeployments(10_000)
  withKrakeInput(input, tls, (inputPath) => {
    for (const src of sources) {
      let krake: KrakeTiming
      try {
        krake = timeKrake(src, inputPath)
      } catch (e) {
        const stderr = String((e as { stderr?: unknown }).stderr ?? e) // cast: execFileSync's error carries the child's stderr
        rows.push({
          figure: `Krake's complete hook (${src})`,
          measured: `not measured: ${stderr.trim().split('\n').at(-1) ?? ''}`,
          floor: '-',
          ratio: '-',
          goal: '>= 25x ahead',
        })
        continue
      }
      checkKrakeHooked(krake, input.length) // the reference must have done the work it is timed for
      // A fresh process is in one of two states (bench/README.md): the floor says which.
      const { inject: fresh = NaN, scavengesPerCall = NaN } = alone('small', 'time').result
      const here = compareMany({ inject: () => injectHook(input, hook(tls)) }, 15, true).inject!
      const label = `Krake's complete hook (${krake.era === 'today' ? "today's" : "2020's"} code, ${src}), 10,000 small Deployments, TLS on, ${krake.runs.length === 1 ? 'one run' : `median of ${krake.runs.length}`}`
      rows.push({
        figure: label,
        measured: ms(krake.median),
        floor: `injectHook alone in a fresh process ${ms(fresh)} (${scavengesPerCall.toFixed(1)} scavenges per call)`,
        ratio: ratio(krake.median, fresh),
        goal: '>= 25x ahead',
      })
      rows.push({
        figure: label,
        measured: ms(krake.median),
        floor: `injectHook in this process${only.length === 0 ? ', after the large rows' : ''} ${ms(here)}`,
        ratio: ratio(krake.median, here),
        goal: '>= 25x ahead',
      })
    }
  })
}

// One application per call, as a controller hooks them: a Deployment with its Service, or a Job.
// The fixed cost of a call (checking the hook, its PEMs) is what such a caller pays.
// When the whole bench runs, the one-application rows run twice: here, after the 10,000 rows (whose
// shapes the walk's compiled code has met by then, and whose heap the fresh hook strings are read
// from), and in a process of their own, as a controller's process of one-application calls is.
const afterLarge = only.length === 0 ? ', after the large rows' : ''
if (want('app') && only.length === 0) {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', new URL(import.meta.url).pathname, 'app'],
    { encoding: 'utf8', env: { ...process.env, BENCH_ROWS_JSON: '1' } },
  )
  for (const row of JSON.parse(out) as Row[])
    rows.push({ ...row, figure: row.figure.replace(/^injectHook, /, 'injectHook alone in a process, ') })
}
if (want('app')) {
  const [deployment, service] = oneApplication()
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'report', namespace: 'ns-0' },
    spec: {
      template: {
        spec: { restartPolicy: 'Never', containers: [{ name: 'report', image: 'report:1', args: ['--once'] }] },
      },
    },
  }
  const CALLS = 2000
  const times = (fn: () => unknown) => () => {
    for (let i = 0; i < CALLS; i++) fn()
  }
  for (const [shape, input] of [
    ['1 Deployment + 1 Service', [deployment, service]],
    ['1 Job', [job]],
  ] as const) {
    for (const [label, material] of [
      ['TLS on', tls],
      ['TLS off', undefined],
    ] as const) {
      const output = injectHook(input, hook(material)).manifests
      const reused = hook(material)
      // a controller builds its hook object per call from what it stored: fresh objects and fresh
      // strings (read back, as JSON.parse makes them), made before the clock starts
      const copyString = (text: string) => JSON.parse(JSON.stringify(text)) as string
      const freshTls = (m: typeof material, extra = '') =>
        m && {
          caBundlePem: copyString(m.caBundlePem),
          certPem: copyString(m.certPem + extra),
          keyPem: copyString(m.keyPem),
        }
      const freshHooks = Array.from({ length: CALLS }, () => hook(freshTls(material)))
      // two TLS sets in turn, as the complete and the shutdown hook of one application are
      const twoSets = Array.from({ length: CALLS }, (_, i) => hook(freshTls(material, i % 2 === 0 ? '' : '\n')))
      let at = 0
      const t = compareMany(
        {
          fresh: times(() => injectHook(input, freshHooks[at++ % CALLS]!)),
          reused: times(() => injectHook(input, reused)),
          alternating: times(() => injectHook(input, twoSets[at++ % CALLS]!)),
          copyOut: times(() => deepCopy(output)),
        },
        15,
        true,
      )
      const perCall = (total: number) => `${((total / CALLS) * 1000).toFixed(1)} us`
      rows.push({
        figure: `injectHook, ${shape}, ${label}, a fresh hook object per call${afterLarge}`,
        measured: `${perCall(t.fresh!)} (${Math.round(CALLS / (t.fresh! / 1000)).toLocaleString('en')} calls/s)`,
        floor: `copy of output ${perCall(t.copyOut!)}`,
        ratio: ratio(t.fresh!, t.copyOut!),
        goal: '<= 3x',
      })
      rows.push({
        figure: `injectHook, ${shape}, ${label}, the same hook object${afterLarge}`,
        measured: `${perCall(t.reused!)} (${Math.round(CALLS / (t.reused! / 1000)).toLocaleString('en')} calls/s)`,
        floor: `copy of output ${perCall(t.copyOut!)}`,
        ratio: ratio(t.reused!, t.copyOut!),
        goal: '',
      })
      if (material !== undefined)
        rows.push({
          figure: `injectHook, ${shape}, ${label}, fresh hook objects of two TLS sets in turn${afterLarge}`,
          measured: perCall(t.alternating!),
          floor: `copy of output ${perCall(t.copyOut!)}`,
          ratio: ratio(t.alternating!, t.copyOut!),
          goal: '',
        })
    }
  }
}

if (want('yaml')) {
  const docs = deployments(1_000)
  const text = stringifyManifests(docs)
  const [raw, ours] = compareSync(
    () => loadAll(text),
    () => parseManifests(text),
    10,
  )
  rows.push({
    figure: 'parseManifests, 1,000 Deployments',
    measured: ms(ours),
    floor: `js-yaml loadAll ${ms(raw)}`,
    ratio: ratio(ours, raw),
    goal: '',
  })
  const [rawDump, oursDump] = compareSync(
    () => docs.map((d) => dump(d, { noRefs: true, lineWidth: -1 })).join('---\n'),
    () => stringifyManifests(docs),
    10,
  )
  rows.push({
    figure: 'stringifyManifests, 1,000 Deployments',
    measured: ms(oursDump),
    floor: `js-yaml dump ${ms(rawDump)}`,
    ratio: ratio(oursDump, rawDump),
    goal: '',
  })
}

if (want('cert')) {
  const gen = promisify(generateKeyPair)
  const nodeFloor = async () => {
    const { privateKey } = (await gen('rsa', { modulusLength: 2048 })) as unknown as { privateKey: KeyObject }
    createSign('sha256').update('tbs').sign(privateKey)
  }
  const issuer = await createCertificateIssuer({ certPem: f('intermediate.pem'), keyPem: f('intermediate-key.pem') })
  // RSA key generation time varies a lot from key to key: many interleaved rounds, medians.
  const floorT: number[] = []
  const oursT: number[] = []
  for (let i = 0; i < 40; i++) {
    let s = performance.now()
    await nodeFloor()
    floorT.push(performance.now() - s)
    s = performance.now()
    await issuer.issue({ keyAlgorithm: 'RSA-2048' })
    oursT.push(performance.now() - s)
  }
  rows.push({
    figure: 'RSA-2048 issuance (loaded issuer)',
    measured: ms(median(oursT)),
    floor: `node keygen + sign ${ms(median(floorT))}`,
    ratio: ratio(median(oursT), median(floorT)),
    goal: '<= 1.3x',
  })
  const ec = await timeAsync(() => issuer.issue({ keyAlgorithm: 'ECDSA-P256' }), 200, 20)
  rows.push({
    figure: 'ECDSA-P256 issuance (loaded issuer), median',
    measured: ms(ec),
    floor: '-',
    ratio: '-',
    goal: '< 5 ms',
  })
}

if (want('verify')) {
  const token = createHookToken()
  const flip = (c: string) => (c === 'A' ? 'B' : 'A')
  const cases: Array<[string, string]> = [
    ['right token', token],
    ['wrong first character', flip(token[0]!) + token.slice(1)],
    ['wrong last character', token.slice(0, -1) + flip(token.at(-1)!)],
    ['shorter token', token.slice(0, -1)],
    ['longer token', token + 'A'],
  ]
  const N = 200_000
  const perCase = (presented: string, expected: string) => {
    const start = performance.now()
    for (let i = 0; i < N; i++) verifyHookToken(expected, presented)
    return performance.now() - start
  }
  // An unknown application (no token expected) must cost what a wrong token costs, or timing tells it exists.
  {
    const digest = hashHookToken(token)
    const wrong = flip(token[0]!) + token.slice(1)
    const unknown: number[] = []
    const refused: number[] = []
    for (let round = 0; round < 15; round++) {
      let start = performance.now()
      for (let i = 0; i < N; i++) verifyHookToken(undefined, token)
      unknown.push(performance.now() - start)
      start = performance.now()
      for (let i = 0; i < N; i++) verifyHookToken(digest, wrong)
      refused.push(performance.now() - start)
    }
    const [u, r] = [median(unknown), median(refused)]
    rows.push({
      figure: '  unknown application vs wrong token (stored digest)',
      measured: ms((u / N) * 1000).replace(' ms', ' us'),
      floor: ms((r / N) * 1000).replace(' ms', ' us'),
      ratio: ratio(u, r),
      goal: 'within 1.1x',
    })
  }
  for (const [label, expected] of [
    ['token', token],
    ['stored digest', hashHookToken(token)],
  ] as const) {
    // Rounds interleave the cases, so that machine noise hits them alike.
    const times = cases.map(() => [] as number[])
    for (let round = 0; round < 15; round++) cases.forEach(([, p], i) => times[i]!.push(perCase(p, expected)))
    const med = times.map(median)
    rows.push({
      figure: `verifyHookToken, expected = ${label}: checks per second`,
      measured: Math.round((N / med[0]!) * 1000).toLocaleString('en'),
      floor: '-',
      ratio: '-',
      goal: '>= 500,000',
    })
    for (let i = 1; i < cases.length; i++) {
      rows.push({
        figure: `  ${cases[i]![0]} vs right token (${label})`,
        measured: ms((med[i]! / N) * 1000).replace(' ms', ' us'),
        floor: ms((med[0]! / N) * 1000).replace(' ms', ' us'),
        ratio: ratio(med[i]!, med[0]!),
        goal: 'within 1.1x',
      })
    }
  }
}

if (process.env.BENCH_ROWS_JSON === '1') {
  console.log(JSON.stringify(rows)) // for the run of the whole bench that started this one
  process.exit(0)
}
console.log(
  `krake-hooks bench on ${os.cpus()[0]?.model ?? 'unknown CPU'} x ${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
)
printTable(rows)
