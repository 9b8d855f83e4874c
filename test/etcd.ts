// Real etcd members for the store's tests: Debian's etcd-server, started on
// loopback ports with a temporary data directory, stopped (SIGKILL when a test
// asks) and removed afterwards. And a TCP proxy that can cut a client off.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** Fails with one line when etcd is missing: the store's tests never skip in silence. */
export function requireEtcd(): void {
  const found = spawnSync('etcd', ['--version'], { encoding: 'utf8' })
  if (found.error !== undefined || found.status !== 0)
    throw new Error('etcd is not on the PATH: install it (apt-get install -y etcd-server), as .ci/run does')
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export interface EtcdMember {
  name: string
  clientUrl: string
  process: ChildProcess
  /** Ends the member at once, as a crash would. */
  kill(): Promise<void>
}

export interface EtcdCluster {
  members: EtcdMember[]
  /** Every member's client URL. */
  hosts: string[]
  /** The member that leads now (asked of each member's status endpoint). */
  leader(): Promise<EtcdMember>
  stop(): Promise<void>
}

async function healthy(url: string, child: ChildProcess, deadline: number): Promise<void> {
  for (;;) {
    // a member whose port another process took exits at once: say so now, not at the deadline
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`etcd at ${url} exited`)
    try {
      const answer = await fetch(`${url}/health`)
      const body = (await answer.json()) as { health?: string }
      if (body.health === 'true') return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`etcd at ${url} did not become healthy`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * Starts `size` members as one cluster and waits until it is healthy. A port
 * is picked free and then given to etcd, so another process may take it in
 * between (two suites on one machine): such a start is tried again on new
 * ports, three times at most.
 */
export async function startEtcd(size = 1): Promise<EtcdCluster> {
  requireEtcd()
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnce(size)
    } catch (e) {
      if (attempt >= 3) throw e
    }
  }
}

async function startEtcdOnce(size: number): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'krake-hooks-etcd-'))
  const names = Array.from({ length: size }, (_, i) => `m${i}`)
  const ports = await Promise.all(names.map(async () => ({ client: await freePort(), peer: await freePort() })))
  const initialCluster = names.map((n, i) => `${n}=http://127.0.0.1:${ports[i]!.peer}`).join(',')
  const members: EtcdMember[] = names.map((name, i) => {
    const { client, peer } = ports[i]!
    const clientUrl = `http://127.0.0.1:${client}`
    const child = spawn(
      'etcd',
      [
        `--name=${name}`,
        `--data-dir=${join(dir, name)}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=krake-hooks-test',
        // a lost leader is found again in about a second
        '--heartbeat-interval=50',
        '--election-timeout=500',
        '--logger=zap',
        '--log-level=error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    let log = ''
    child.stderr?.on('data', (chunk: Buffer) => {
      if (log.length < 20_000) log += chunk.toString('utf8')
    })
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    return {
      name,
      clientUrl,
      process: child,
      kill: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
        await exited
      },
    }
  })
  const deadline = Date.now() + 20_000
  try {
    await Promise.all(members.map((m) => healthy(m.clientUrl, m.process, deadline)))
  } catch (e) {
    await Promise.all(members.map((m) => m.kill()))
    rmSync(dir, { recursive: true, force: true })
    throw e
  }
  return {
    members,
    hosts: members.map((m) => m.clientUrl),
    leader: async () => {
      for (const m of members) {
        if (m.process.exitCode !== null || m.process.signalCode !== null) continue
        const status = (await (
          await fetch(`${m.clientUrl}/v3/maintenance/status`, { method: 'POST', body: '{}' })
        ).json()) as {
          header: { member_id: string }
          leader: string
        }
        if (status.leader === status.header.member_id) return m
      }
      throw new Error('no member says it leads')
    },
    stop: async () => {
      await Promise.all(members.map((m) => m.kill()))
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A TCP proxy to `target` that can drop everything (a partition) and heal. */
export interface CutProxy {
  url: string
  /** From now on nothing passes either way; connections stay open, as a dropped route leaves them. */
  cut(): void
  /**
   * From the first request that holds `marker` on, requests still pass but no
   * answer comes back: etcd applies a transaction whose answer is lost.
   */
  loseAnswersAfter(marker: string): void
  /** Traffic passes again; connections that lost bytes while cut are closed, so clients reconnect. */
  heal(): void
  close(): Promise<void>
}

export async function startCutProxy(target: string): Promise<CutProxy> {
  const { hostname, port } = new URL(target)
  let cut = false
  let marker: Buffer | undefined
  let answersLost = false
  const pairs = new Set<[Socket, Socket]>()
  const server: Server = createServer((inbound) => {
    const outbound = connect(Number(port), hostname)
    const pair: [Socket, Socket] = [inbound, outbound]
    pairs.add(pair)
    const forget = () => {
      pairs.delete(pair)
      inbound.destroy()
      outbound.destroy()
    }
    inbound.on('data', (chunk: Buffer) => {
      if (cut) return
      outbound.write(chunk)
      if (marker !== undefined && chunk.includes(marker)) answersLost = true
    })
    outbound.on('data', (chunk: Buffer) => {
      if (!cut && !answersLost) inbound.write(chunk)
    })
    inbound.on('close', forget).on('error', forget)
    outbound.on('close', forget).on('error', forget)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${own}`,
    cut: () => {
      cut = true
    },
    loseAnswersAfter: (text) => {
      marker = Buffer.from(text)
    },
    heal: () => {
      cut = false
      marker = undefined
      answersLost = false
      for (const [a, b] of pairs) {
        a.destroy()
        b.destroy()
      }
      pairs.clear()
    },
    close: async () => {
      for (const [a, b] of pairs) {
        a.destroy()
        b.destroy()
      }
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
