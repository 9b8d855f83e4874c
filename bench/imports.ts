// What each entry costs to import, and the command to start, in fresh
// processes: the wall time of `node -e "await import(ENTRY)"` against
// `node -e 0` measured in the same run, interleaved, 15 runs each, medians
// (a ratio, since these machines are shared). The built package, resolved by
// its own name from this directory.
//
//   npm run bench:imports
import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { median, ms, printTable, ratio, type Row } from './lib.js'

const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const root = fileURLToPath(new URL('..', import.meta.url))
const main = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url))

const cases: Array<[string, string[]]> = [
  ['node -e 0 (the floor)', ['-e', '0']],
  ...[
    'krake-hooks/app',
    'krake-hooks/api',
    'krake-hooks/admission',
    'krake-hooks/yaml',
    'krake-hooks/krake',
    'krake-hooks/etcd',
    'krake-hooks',
  ].map((entry): [string, string[]] => [
    `import '${entry}'`,
    ['--input-type=module', '-e', `await import('${entry}')`],
  ]),
  [
    "import 'krake-hooks', then issue one certificate (loads @peculiar/x509)",
    [
      '--input-type=module',
      '-e',
      "const { readFileSync: r } = await import('node:fs'); const k = await import('krake-hooks'); " +
        "await k.createCertificateIssuer({ certPem: r('test/fixtures/pki/intermediate.pem', 'utf8'), keyPem: r('test/fixtures/pki/intermediate-key.pem', 'utf8') })",
    ],
  ],
  ['krake-hooks --version', [main, '--version']],
  ['krake-hooks token', [main, 'token']],
]

const times = new Map<string, number[]>(cases.map(([name]) => [name, []]))
for (let i = 0; i < RUNS + 1; i++) {
  for (const [name, args] of cases) {
    const start = performance.now()
    execFileSync('node', args, { cwd: root, stdio: 'ignore' })
    // the first round warms the disk cache and is not counted
    if (i > 0) times.get(name)?.push(performance.now() - start)
  }
}
const floor = median(times.get('node -e 0 (the floor)') ?? [])
const rows: Row[] = cases.map(([name]) => {
  const t = median(times.get(name) ?? [])
  return { figure: name, measured: ms(t), floor: ms(floor), ratio: ratio(t, floor), goal: '' }
})
printTable(rows)
