// npm run bench:controller (and the first table of npm run bench): issue 32's figures in the state
// a controller runs in. One process does every row in turn, calls back to back: no gc() forced and
// no sleep after one, so each sample pays for the collections its own garbage and the rows before it
// cause, as a controller's call does. Every figure is a ratio against a floor measured in the same
// process, interleaved round by round. Three processes (this script starts itself with --child);
// the table gives each row's three ratios and their median.
//   node --import tsx bench/controller.ts            three processes, the table
//   node --import tsx bench/controller.ts --child    one process, its rows as JSON
// KRAKE_SRC (bench/README.md) adds Krake 2020's hook, timed once by bench/krake-reference.py on the
// same 10,000 small Deployments, against injectHook in each process.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { isDeepStrictEqual } from 'node:util'
import { decideAdmission, injectHook, type AdmissionReview, type HookSpec } from '../dist/index.js'
import { deepCopy, deployments, hook, oneApplication, smallDeployments } from './fixtures.js'
import { checkKrakeHooked, krakeSources, krakeUnset, timeKrake, withKrakeInput } from './krake.js'
import { compareMany, median, printTable, type Row } from './lib.js'

const f = (n: string) => readFileSync(new URL(`../test/fixtures/pki/${n}`, import.meta.url), 'utf8')
const tls = { caBundlePem: f('root.pem') + f('intermediate.pem'), certPem: f('leaf.pem'), keyPem: f('leaf-key.pem') }
// Large rows: 7 rounds of 6 calls each; small ones: 15 rounds of one loop of CALLS calls.
const LARGE = [7, 6] as const
const SMALL = [15, 1] as const

/** A figure of one process: what was measured and its floor, in milliseconds (medians). */
interface Figure {
  figure: string
  measured: number
  floor: number
  floorName: string
  unit: 'ms' | 'us'
  goal: string
}

/**
 * Medians of `fns` measured in turns by compareMany (bench/lib.ts), the order rotating each round,
 * no collection forced. A sample is `batch` calls back to back, timed whole and divided: a large
 * call's own garbage brings a full collection every few calls, and a sample of one call would say
 * only whether it landed in it.
 */
function backToBack(fns: Record<string, () => unknown>, rounds: number, batch: number): Record<string, number> {
  const batched = Object.fromEntries(
    Object.entries(fns).map(([name, fn]) => [
      name,
      () => {
        for (let b = 0; b < batch; b++) fn()
      },
    ]),
  )
  const times = compareMany(batched, rounds, false)
  return Object.fromEntries(Object.entries(times).map(([name, t]) => [name, t / batch]))
}

/** The small shape, as bench/fixtures.ts makes it. */
interface Small {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace: string }
  spec: {
    replicas: number
    selector: { matchLabels: { app: string } }
    template: {
      metadata: { labels: { app: string } }
      spec: { containers: Array<{ name: string; image: string; ports: Array<{ containerPort: number }> }> }
    }
  }
}

/**
 * The limit: injectHook's output for the small shape built from object and array literals of the
 * input's fields: no walk, no check, no generic copy. What the output's objects cost to make.
 */
function literalOutput(input: readonly Small[], spec: HookSpec, url: string, objects: unknown[]): unknown[] {
  const out = new Array<unknown>(input.length + objects.length)
  const token = spec.token
  for (let i = 0; i < input.length; i++) {
    const d = input[i]!
    const { metadata, spec: s } = d
    const { template } = s
    const cs = template.spec.containers
    const containers = new Array<unknown>(cs.length)
    for (let j = 0; j < cs.length; j++) {
      const c = cs[j]!
      const ports = new Array<unknown>(c.ports.length)
      for (let p = 0; p < c.ports.length; p++) ports[p] = { containerPort: c.ports[p]!.containerPort }
      containers[j] = {
        name: c.name,
        image: c.image,
        ports,
        env: [
          { name: 'KRAKE_TOKEN', value: token },
          { name: 'KRAKE_COMPLETE_URL', value: url },
        ],
        volumeMounts: [{ name: 'bench-krake-volume', mountPath: '/etc/krake_cert', readOnly: true }],
      }
    }
    out[i] = {
      apiVersion: d.apiVersion,
      kind: d.kind,
      metadata: { name: metadata.name, namespace: metadata.namespace },
      spec: {
        replicas: s.replicas,
        selector: { matchLabels: { app: s.selector.matchLabels.app } },
        template: {
          metadata: { labels: { app: template.metadata.labels.app } },
          spec: { containers, volumes: [{ name: 'bench-krake-volume', configMap: { name: 'bench-krake-configmap' } }] },
        },
      },
    }
  }
  for (let k = 0; k < objects.length; k++) out[input.length + k] = deepCopy(objects[k])
  return out
}

/** Fresh strings, as JSON.parse makes them when a controller reads its stored hook back. */
const fresh = (text: string) => JSON.parse(JSON.stringify(text)) as string
const freshTls = (extra = '') => ({
  caBundlePem: fresh(tls.caBundlePem),
  certPem: fresh(tls.certPem + extra),
  keyPem: fresh(tls.keyPem),
})

function large(figures: Figure[]): void {
  const small = smallDeployments(10_000) as Small[] // cast: what smallDeployments makes
  const spec = hook(tls)
  const hooked = injectHook(small, spec).manifests
  // cast: the first output is the first Deployment, hooked: its containers carry the hook's env
  const first = hooked[0] as unknown as {
    spec: { template: { spec: { containers: Array<{ env: Array<{ value: string }> }> } } }
  }
  const url = first.spec.template.spec.containers[0]!.env[1]!.value
  const objects = hooked.slice(small.length)
  // the limit is honest only if it makes what injectHook makes
  if (!isDeepStrictEqual(literalOutput(small, spec, url, objects), hooked))
    throw new Error('the literal-built output is not injectHook output')
  const t = backToBack(
    {
      inject: () => injectHook(small, hook(tls)),
      copyIn: () => deepCopy(small),
      literal: () => literalOutput(small, spec, url, objects),
    },
    ...LARGE,
  )
  const label = 'injectHook, 10,000 small Deployments x 3 containers, TLS'
  figures.push(
    {
      figure: label,
      measured: t.inject!,
      floor: t.copyIn!,
      floorName: 'a for...in copy of the input',
      unit: 'ms',
      goal: '<= 1.5x',
    },
    {
      figure: 'the limit: the same output built from literals of the input fields',
      measured: t.literal!,
      floor: t.copyIn!,
      floorName: 'a for...in copy of the input',
      unit: 'ms',
      goal: '(the limit, 1.02-1.10x)',
    },
    {
      figure: label,
      measured: t.inject!,
      floor: t.literal!,
      floorName: 'the literal-built output',
      unit: 'ms',
      goal: '',
    },
  )
  const realistic = deployments(10_000)
  const r = backToBack({ inject: () => injectHook(realistic, hook(tls)), copyIn: () => deepCopy(realistic) }, ...LARGE)
  figures.push({
    figure: 'injectHook, 10,000 realistic Deployments, TLS',
    measured: r.inject!,
    floor: r.copyIn!,
    floorName: 'a for...in copy of the input',
    unit: 'ms',
    goal: '<= 1.3x',
  })
}

const CALLS = 2000

function perApplication(figures: Figure[]): void {
  const app = oneApplication()
  const output = injectHook(app, hook(tls)).manifests
  const loop = (fn: (i: number) => unknown) => () => {
    for (let i = 0; i < CALLS; i++) fn(i)
  }
  // the hook objects are made before the clock starts, as a controller reads them from its store
  const complete = Array.from({ length: CALLS }, () => hook(freshTls()))
  const inTurn = Array.from({ length: CALLS }, (_, i): HookSpec => {
    const spec = hook(freshTls(i % 2 === 0 ? '' : '\n'))
    return i % 2 === 0 ? spec : { ...spec, kind: 'shutdown' }
  })
  const t = backToBack(
    {
      one: loop((i) => injectHook(app, complete[i]!)),
      inTurn: loop((i) => injectHook(app, inTurn[i]!)),
      copyOut: loop(() => deepCopy(output)),
    },
    ...SMALL,
  )
  const perCall = (figure: string, total: number): Figure => ({
    figure,
    measured: (total / CALLS) * 1000,
    floor: (t.copyOut! / CALLS) * 1000,
    floorName: 'a copy of its output',
    unit: 'us',
    goal: '<= 1.5x',
  })
  figures.push(
    perCall('one application per call (Deployment + Service), a fresh hook object', t.one!),
    perCall('complete and shutdown hooks in turn, fresh objects, a TLS set each', t.inTurn!),
  )
}

/** The small Pod of a review: the shape that flatters us least (little of it to diff or copy). */
const smallPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'web-7d9c6b8f5-', namespace: 'prod', labels: { app: 'web' } },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
}

/** A Pod as a ReplicaSet controller sends it for review: owner, defaults, two containers with probes and env. */
const replicaSetPod = {
  kind: 'Pod',
  apiVersion: 'v1',
  metadata: {
    generateName: 'web-7d9c6b8f5-',
    namespace: 'prod',
    labels: { app: 'web', 'pod-template-hash': '7d9c6b8f5', tier: 'frontend' },
    annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9090' },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        name: 'web-7d9c6b8f5',
        uid: 'b1c2',
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  },
  spec: {
    volumes: [
      {
        name: 'kube-api-access-x',
        projected: { sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] },
      },
    ],
    containers: [0, 1].map((c) => ({
      name: c === 0 ? 'web' : 'proxy',
      image: c === 0 ? 'registry.example/web:1.4.2' : 'envoyproxy/envoy:v1.30',
      ports: [{ name: 'http', containerPort: 8080 + c, protocol: 'TCP' }],
      env: [
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      ],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      readinessProbe: {
        httpGet: { path: '/healthz', port: 8080 + c, scheme: 'HTTP' },
        periodSeconds: 10,
        timeoutSeconds: 1,
      },
      volumeMounts: [
        { name: 'kube-api-access-x', readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' },
      ],
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
    })),
    restartPolicy: 'Always',
    terminationGracePeriodSeconds: 30,
    dnsPolicy: 'ClusterFirst',
    serviceAccountName: 'default',
    serviceAccount: 'default',
    securityContext: {},
    schedulerName: 'default-scheduler',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
    priority: 0,
    enableServiceLinks: true,
    preemptionPolicy: 'PreemptLowerPriority',
  },
  status: {},
}

function review(figures: Figure[], pod: object, which: string): void {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: { uid: 'b6f4c0de-0000-4000-8000-000000000001', operation: 'CREATE', namespace: 'prod', object: pod },
  })
  const spec = hook(tls)
  const fixed = decideAdmission(JSON.parse(body) as AdmissionReview, spec).review
  // the patch's operations, as any webhook encodes its own: JSON, then base64
  const ops: unknown = JSON.parse(Buffer.from(fixed.response!.patch!, 'base64').toString('utf8'))
  const loop = (fn: () => unknown) => () => {
    for (let i = 0; i < CALLS; i++) fn()
  }
  const t = backToBack(
    {
      ours: loop(() => JSON.stringify(decideAdmission(JSON.parse(body) as AdmissionReview, spec).review)),
      floor: loop(() => {
        const parsed = JSON.parse(body) as { request: { object: { metadata: Record<string, string> } } }
        const { object } = parsed.request
        object.metadata.name = object.metadata.generateName! // what any webhook fills in before it hooks
        injectHook([object], spec)
        const patch = Buffer.from(JSON.stringify(ops), 'utf8').toString('base64')
        return JSON.stringify({ ...fixed, response: { ...fixed.response, patch } })
      }),
    },
    ...SMALL,
  )
  figures.push({
    figure: `one review decided in process (parse, decideAdmission, stringify), ${which}`,
    measured: (t.ours! / CALLS) * 1000,
    floor: (t.floor! / CALLS) * 1000,
    floorName: 'parse, injectHook of its Pod, encode the same patch, stringify',
    unit: 'us',
    goal: 'hold <= 1.25x',
  })
}

if (process.argv.includes('--child')) {
  const figures: Figure[] = []
  large(figures)
  perApplication(figures)
  review(figures, smallPod, 'a small Pod')
  review(figures, replicaSetPod, "a ReplicaSet's Pod")
  console.log(JSON.stringify(figures))
  process.exit(0)
}

const PROCESSES = 3
const runs: Figure[][] = []
for (let p = 0; p < PROCESSES; p++) {
  const out = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child'], {
    encoding: 'utf8',
    maxBuffer: 64 * 2 ** 20,
  })
  runs.push(JSON.parse(out.trim().split('\n').at(-1)!) as Figure[])
}
const show = (x: number, unit: 'ms' | 'us') => `${x >= 100 ? x.toFixed(0) : x.toFixed(1)} ${unit}`
const rows: Row[] = runs[0]!.map((first, i) => {
  const all = runs.map((r) => r[i]!)
  const ratios = all.map((x) => x.measured / x.floor)
  return {
    figure: first.figure,
    measured: all.map((x) => show(x.measured, x.unit)).join(', '),
    floor: `${first.floorName} ${all.map((x) => show(x.floor, x.unit)).join(', ')}`,
    ratio: `${median(ratios).toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(', ')})`,
    goal: first.goal,
  }
})

// Krake 2020's hook, timed once outside (a Python process), against injectHook in each process above.
const sources = krakeSources()
if (sources.length === 0)
  rows.push(krakeUnset("Krake 2020's hook, the same 10,000 small Deployments", '>= 40x behind us'))
const input = smallDeployments(10_000)
withKrakeInput(input, tls, (inputPath) => {
  for (const src of sources) {
    const krake = timeKrake(src, inputPath)
    checkKrakeHooked(krake, input.length)
    const ours = runs.map((r) => r[0]!.measured)
    const ratios = ours.map((x) => krake.median / x)
    rows.push({
      figure: `Krake ${krake.era === 'today' ? "today's" : "2020's"} hook (${src}), the same 10,000 small Deployments, median of ${krake.runs.length}`,
      measured: show(krake.median, 'ms'),
      floor: `injectHook in each process ${ours.map((x) => show(x, 'ms')).join(', ')}`,
      ratio: `${median(ratios).toFixed(1)}x behind us (${ratios.map((x) => x.toFixed(1)).join(', ')})`,
      goal: krake.era === 'today' ? '' : '>= 40x behind us',
    })
  }
})

console.log(
  `krake-hooks, the state a controller runs in: ${PROCESSES} processes, calls back to back, no collection forced; ${os.cpus()[0]?.model ?? 'unknown CPU'} x ${os.cpus().length}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`,
)
printTable(rows)
