/**
 * Hub call throughput: `getHost` over the typed API (HTTP, NDJSON) with 1 and 16
 * concurrent clients, and a `multiCall` of 1,000 `getHost`, against a hub daemon
 * (`apps/hub`) running in its own process on PostgreSQL and on embedded PGlite.
 *
 *   node --import tsx bench/hub-calls.ts [seconds per run]
 *
 * Reference: a real Koji 1.35 hub on this kind of machine answers ~1,780 reads/s
 * with 16 clients and takes ~450 ms for a 1,000-call multicall.
 */
import { Console, Effect, Either } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as KojiClient from "../src/client/KojiClient.js"
import { fmt, percentile, pgAdminUrl } from "./utils.js"
import { execFileSync } from "node:child_process"

const seconds = Number(process.argv[2] ?? 5)
const root = fileURLToPath(new URL("..", import.meta.url))
const password = "bench-admin"

/** Start `apps/hub` and wait for its ready line. */
const startHub = (env: Record<string, string>) =>
  Effect.acquireRelease(
    Effect.async<{ child: ChildProcess; url: string }, Error>((resume) => {
      const child = spawn(process.execPath, ["--import", "tsx", "apps/hub/main.ts"], {
        cwd: root,
        env: { ...process.env, KOJI_HTTP_PORT: "0", KOJI_ADMIN_PASSWORD: password, ...env },
        stdio: ["ignore", "pipe", "inherit"]
      })
      let out = ""
      child.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString()
        const match = /koji-ts ready at (\S+)/.exec(out)
        if (match) resume(Effect.succeed({ child, url: match[1]! }))
      })
      child.on("exit", (code) => resume(Effect.fail(new Error(`hub exited with ${code}: ${out}`))))
    }),
    ({ child }) =>
      Effect.async<void>((resume) => {
        child.once("exit", () => resume(Effect.void))
        child.kill("SIGTERM")
      })
  )

const measureConcurrent = (url: string, clients: number) =>
  Effect.gen(function*() {
    const koji = yield* Effect.forEach(Array.from({ length: clients }), () => KojiClient.makeHttp({ url: `${url}/api` }))
    // warm up
    yield* Effect.forEach(koji, (c) => Effect.repeatN(c.getHost({ hostInfo: "bench-host" }), 50), { concurrency: "unbounded" })
    const latencies: Array<number> = []
    const deadline = performance.now() + seconds * 1000
    const started = performance.now()
    yield* Effect.forEach(koji, (c) =>
      Effect.gen(function*() {
        while (performance.now() < deadline) {
          const t = performance.now()
          const host = yield* c.getHost({ hostInfo: "bench-host" })
          latencies.push(performance.now() - t)
          if (host === null) return yield* Effect.dieMessage("no host")
        }
      }), { concurrency: "unbounded", discard: true })
    const elapsed = (performance.now() - started) / 1000
    latencies.sort((a, b) => a - b)
    return { rate: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
  })

const measureMulticall = (url: string) =>
  Effect.gen(function*() {
    const koji = yield* KojiClient.makeHttp({ url: `${url}/api` })
    const once = koji.multicall((m) => Array.from({ length: 1000 }, () => m.getHost({ hostInfo: "bench-host" })))
    yield* once
    const times: Array<number> = []
    for (let i = 0; i < 10; i++) {
      const t = performance.now()
      const results = yield* once
      times.push(performance.now() - t)
      if (!results.every(Either.isRight)) return yield* Effect.dieMessage("a call failed")
    }
    times.sort((a, b) => a - b)
    return { median: percentile(times, 50), best: times[0]! }
  })

const runOn = (name: string, env: Record<string, string>) =>
  Effect.scoped(Effect.gen(function*() {
    const { url } = yield* startHub(env)
    const admin = yield* KojiClient.makeHttp({ url: `${url}/api` })
    yield* admin.login({ user: "admin", password })
    yield* admin.addHost({ hostname: "bench-host", arches: ["x86_64"] })
    const one = yield* measureConcurrent(url, 1)
    const sixteen = yield* measureConcurrent(url, 16)
    const multi = yield* measureMulticall(url)
    return { name, one, sixteen, multi }
  }))

const program = Effect.gen(function*() {
  yield* Console.log(`koji-ts bench/hub-calls: getHost over /api, ${seconds} s per run, hub in its own process`)
  const dbName = `koji_bench_hub_${process.pid}`
  execFileSync("psql", [pgAdminUrl, "-qc", `CREATE DATABASE ${dbName}`])
  const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-bench-hub-"))
  const pgUrl = new URL(pgAdminUrl)
  pgUrl.pathname = `/${dbName}`
  const results = yield* Effect.all([
    runOn("PostgreSQL 15", { KOJI_DATABASE_URL: pgUrl.toString(), KOJI_DATABASE_POOL: "16", KOJI_HOME: home }),
    runOn("PGlite (disk)", { KOJI_HOME: home })
  ]).pipe(Effect.ensuring(Effect.sync(() => {
    execFileSync("psql", [pgAdminUrl, "-qc", `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`])
    Fs.rmSync(home, { recursive: true, force: true })
  })))
  yield* Console.log("")
  yield* Console.log(
    `${"database".padEnd(15)} ${"1 client/s".padStart(11)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"16 clients/s".padStart(13)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"multicall 1000 ms".padStart(18)}`
  )
  for (const r of results) {
    yield* Console.log(
      `${r.name.padEnd(15)} ${fmt(r.one.rate).padStart(11)} ${fmt(r.one.p50, 2).padStart(7)} ${fmt(r.one.p99, 2).padStart(7)} ${
        fmt(r.sixteen.rate).padStart(13)
      } ${fmt(r.sixteen.p50, 2).padStart(7)} ${fmt(r.sixteen.p99, 2).padStart(7)} ${fmt(r.multi.median, 1).padStart(18)}`
    )
  }
})

Effect.runPromise(Effect.scoped(program)).catch((e) => {
  console.error(e)
  process.exit(1)
})
