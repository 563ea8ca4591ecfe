/**
 * A hub daemon (`apps/hub`) in its own process for the benchmarks, on PostgreSQL
 * (a throw-away database) or on PGlite (a throw-away KOJI_HOME).
 */
import { Effect } from "effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as KojiClient from "../src/client/KojiClient.js"
import { pgAdminUrl } from "./utils.js"

const root = fileURLToPath(new URL("..", import.meta.url))

/** The admin's password in benchmark hubs. */
export const adminPassword = "bench-admin"

/** Where a benchmark hub keeps its data. */
export type Backend = "postgres" | "pglite"

/**
 * Start `apps/hub` on `backend` (`workers` processes, `KOJI_HUB_WORKERS`: PostgreSQL only), wait
 * for its ready line; stopped and cleaned up with the scope.
 */
export const startHub = (backend: Backend, workers = 1) =>
  Effect.map(startHubProcess(backend, { KOJI_HUB_WORKERS: String(workers) }), (hub) => hub.url)

/** `startHub`, answering the hub's process id too (to read its CPU time). */
export const startHubProcess = (backend: Backend, extraEnv: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const home = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-bench-hub-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    const env: Record<string, string> = { KOJI_HOME: home, ...extraEnv }
    if (backend === "postgres") {
      const name = `koji_bench_hub_${process.pid}_${Date.now().toString(36)}`
      yield* Effect.acquireRelease(
        Effect.sync(() => execFileSync("psql", [pgAdminUrl, "-qc", `CREATE DATABASE ${name}`])),
        () => Effect.sync(() => execFileSync("psql", [pgAdminUrl, "-qc", `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]))
      )
      const url = new URL(pgAdminUrl)
      url.pathname = `/${name}`
      env.KOJI_DATABASE_URL = url.toString()
      env.KOJI_DATABASE_POOL = "16"
    }
    const { child, url } = yield* Effect.acquireRelease(
      Effect.async<{ child: ChildProcess; url: string }, Error>((resume) => {
        // KOJI_BENCH_NODE_ARGS: node options for the hub (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`)
        const nodeArgs = (process.env.KOJI_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "")
        const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "apps/hub/main.ts"], {
          cwd: root,
          env: { ...process.env, KOJI_HTTP_PORT: "0", KOJI_ADMIN_PASSWORD: adminPassword, ...env },
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
    return { url, pid: child.pid!, home, databaseUrl: env.KOJI_DATABASE_URL }
  })

/** Koji's XML-RPC call `getTag("bench-tag")`, as Koji's client sends it. */
export const getTagCall = "<?xml version='1.0'?>\n<methodCall>\n<methodName>getTag</methodName>\n<params>\n" +
  "<param>\n<value><string>bench-tag</string></value>\n</param>\n</params>\n</methodCall>\n"

/** Start a hub (`workers` processes) with one host `bench-host` and one tag `bench-tag` to read. */
export const startHubWithHost = (backend: Backend, workers = 1) =>
  Effect.map(startHubWithHostProcess(backend, workers), (hub) => hub.url)

/** `startHubWithHost`, answering the hub's process too (its database's URL on PostgreSQL). */
export const startHubWithHostProcess = (backend: Backend, workers = 1) =>
  Effect.gen(function*() {
    const hub = yield* startHubProcess(backend, { KOJI_HUB_WORKERS: String(workers) })
    const url = hub.url
    const admin = yield* KojiClient.makeHttp({ url: `${url}/api` })
    yield* admin.login({ user: "admin", password: adminPassword })
    yield* admin.addHost({ hostname: "bench-host", arches: ["x86_64"] })
    yield* admin.createTag({ name: "bench-tag", arches: "x86_64 noarch" })
    return hub
  })
