// What the webhook's reload of its HookConfig directory costs (issue 33, item
// 8), for 100, 1,000 and 3,000 files, each with its token in a file it names:
// a full reading (every file read, parsed and checked: what every reload did
// before) against an idle reload given the last reading (a few stat calls a
// file, nothing parsed), and a reload after one token file changed. The floor
// is `readdirSync` of the same directory, measured in the same run.
//
//   npm run bench:hook-dir
import { mkdirSync, mkdtempSync, rmSync, readdirSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { hookDirChanged, loadHookDir } from '../src/cli/webhook/hook-dir.js'
import { stringifyManifests } from '../src/index.js'
import { ms, printTable, ratio, timeAsync, timeSync, type Row } from './lib.js'

const token = (i: number) => `bench-token-${String(i).padStart(8, '0')}`.padEnd(43, 'x')

function directory(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'krake-hooks-bench-dir-'))
  mkdirSync(dir, { recursive: true })
  for (let i = 0; i < n; i++) {
    const name = `app-${i}`
    const yaml = stringifyManifests([
      {
        apiVersion: 'krake-hooks/v1alpha1',
        kind: 'HookConfig',
        metadata: { name },
        spec: {
          kind: 'complete',
          app: { name, namespace: 'batch' },
          apiEndpoint: 'http://krake:8080',
          tokenFile: `${name}.token`,
        },
      },
    ])
    writeFileSync(join(dir, `${name}.yaml`), yaml)
    writeFileSync(join(dir, `${name}.token`), token(i))
  }
  // settled: older than the reader's settling time, as a mounted Secret is between updates
  const past = new Date(Date.now() - 60_000)
  for (const f of readdirSync(dir)) utimesSync(join(dir, f), past, past)
  return dir
}

const rows: Row[] = []
for (const n of [100, 1000, 3000]) {
  const dir = directory(n)
  // ctime cannot be set back: the clock the reader compares with is moved on instead
  const realNow = Date.now
  Date.now = () => realNow() + 60_000
  try {
    const floor = timeSync(() => readdirSync(dir), 9)
    const full = timeSync(() => loadHookDir(dir), 5, 1)
    const last = loadHookDir(dir)
    const idle = timeSync(() => loadHookDir(dir, last), 9)
    // what the webhook runs on each reload: asynchronous stat calls, the event loop free between them
    const asked = await timeAsync(() => hookDirChanged(dir, last), 9)
    let k = 0
    const oneChanged = timeSync(() => {
      writeFileSync(join(dir, 'app-0.token'), token(++k))
      loadHookDir(dir, last)
    }, 5)
    rows.push({
      figure: `${n} files: full reading (every reload before)`,
      measured: ms(full),
      floor: ms(floor),
      ratio: ratio(full, floor),
      goal: '',
    })
    rows.push({
      figure: `${n} files: idle reload`,
      measured: ms(idle),
      floor: ms(floor),
      ratio: ratio(idle, floor),
      goal: `${ratio(full, idle)} less than full`,
    })
    rows.push({
      figure: `${n} files: idle reload as the webhook asks (hookDirChanged, async)`,
      measured: ms(asked),
      floor: ms(floor),
      ratio: ratio(asked, floor),
      goal: 'wall time, not held',
    })
    rows.push({
      figure: `${n} files: one token file changed`,
      measured: ms(oneChanged),
      floor: ms(floor),
      ratio: ratio(oneChanged, floor),
      goal: '',
    })
  } finally {
    Date.now = realNow
    rmSync(dir, { recursive: true, force: true })
  }
}
printTable(rows)
